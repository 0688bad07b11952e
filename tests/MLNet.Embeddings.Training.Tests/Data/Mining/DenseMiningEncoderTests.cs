using System.Globalization;
using System.Numerics.Tensors;
using MLNet.Embeddings.Backbones.Static;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Mining;

namespace MLNet.Embeddings.Training.Tests.Data.Mining;

/// <summary>Dense and hybrid mining through a real <see cref="SentenceEncoder"/> (a tiny word-vector model).</summary>
public class DenseMiningEncoderTests
{
    private static SentenceEncoder TinyModel(TempDir d)
    {
        var rng = new Random(11);
        string[] words = ["apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach", "pear", "plum", "kiwi", "lime"];
        var lines = words.Select(w => w + " " + string.Join(' ', Enumerable.Range(0, 8).Select(_ => (rng.NextDouble() * 2 - 1).ToString("F4", CultureInfo.InvariantCulture))));
        var path = d.File("tiny.txt", string.Join("\n", lines) + "\n");
        return StaticEmbeddingBackbone.LoadWordVectors(path);
    }

    [Theory]
    [InlineData(MiningMethod.Dense)]
    [InlineData(MiningMethod.Hybrid)]
    public void MinesWithEncoderAndWritesCosineTeacherScores(MiningMethod method)
    {
        using var d = new TempDir();
        var encoder = TinyModel(d);
        var rng = new Random(2);
        string[] words = ["apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach", "pear", "plum", "kiwi", "lime"];
        string S(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => words[rng.Next(words.Length)]));
        var rows = Enumerable.Range(0, 60).Select(i => new TrainingExample { Query = S(2), Pos = [S(5)] }).ToList();
        var mined = HardNegativeMiner.Mine(rows, new MiningOptions { Method = method, NumNegatives = 3, TeacherScores = true }, out var summary, encoder);
        Assert.Equal(60, summary.Rows);
        for (int i = 0; i < rows.Count; i++)
        {
            var forbidden = rows[i].Pos.Append(rows[i].Query).Select(TextNormalizer.Key).ToHashSet();
            Assert.All(mined[i].Neg, n => Assert.DoesNotContain(TextNormalizer.Key(n), forbidden));
            // teacher scores are the encoder's cosine similarities
            var v = encoder.Encode([rows[i].Query, .. mined[i].Pos, .. mined[i].Neg]);
            float Cos(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);
            Assert.Equal(Cos(v[0], v[1]), mined[i].PosScores![0], 4);
            for (int k = 0; k < mined[i].Neg.Count; k++) Assert.Equal(Cos(v[0], v[2 + k]), mined[i].NegScores![k], 4);
            // top sampling: scores in descending order
            for (int k = 1; k < mined[i].NegScores!.Count; k++) Assert.True(mined[i].NegScores![k] <= mined[i].NegScores![k - 1] + 1e-5f);
        }
    }
}
