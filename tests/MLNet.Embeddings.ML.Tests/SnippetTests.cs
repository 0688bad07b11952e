using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;

namespace MLNet.Embeddings.ML.Tests;

[Collection("CurrentDirectory")] // changes the process directory, as ErrorTests does: never in parallel with it
public sealed class SnippetTests
{
    public sealed class Pair
    {
        public string A { get; set; } = "";
        public string B { get; set; } = "";
        public float Score { get; set; }
    }

    /// <summary>The issue's snippet as written, on GloVe and STS-B pairs; the zip reloads in a new process bit for bit.</summary>
    [Fact]
    public void IssueSnippetSavesAndReloadsInAFreshProcessBitForBit()
    {
        string dir = TestData.TempDir();
        Directory.SetCurrentDirectory(dir);
        File.Copy(TestData.Glove, Path.Combine(dir, "glove.6B.100d.txt"));
        var pairs = TestData.Sts(160);
        var ml = new MLContext(seed: 1);
        IDataView trainData = ml.Data.LoadFromEnumerable(pairs.Select(p => new Pair { A = p.A, B = p.B, Score = p.Score }));

        var pipeline = ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
            {
                BaseModelPath = "glove.6B.100d.txt", AnchorColumnName = "A", PositiveColumnName = "B",
                ScoreColumnName = "Score", Loss = EmbeddingLoss.CosineSimilarity,
                Trainer = { Epochs = 2, BatchSize = 16, LearningRate = 0.03f, Seed = 1 },
                Columns = new[] { new InputOutputColumnPair("EA", "A"), new InputOutputColumnPair("EB", "B") },
            })
            .Append(ml.Transforms.ScoreSimilarity("Sim", "EA", "EB"));
        ITransformer model = pipeline.Fit(trainData);
        ml.Model.Save(model, trainData.Schema, "model.zip");

        var scored = model.Transform(trainData);
        Assert.Equal(100, ((VectorDataViewType)scored.Schema["EA"].Type).Size);
        var before = RawColumn.Bits(scored, "EA", "EB", "Sim");

        // The tuned model differs from the base one (training happened) and Sim is the cosine of EA and EB.
        var baseVectors = SentenceEncoder.Load(TestData.Glove).Encode(pairs.Select(p => p.A).ToList());
        var ea = scored.GetColumn<float[]>("EA").ToArray();
        var eb = scored.GetColumn<float[]>("EB").ToArray();
        var sim = scored.GetColumn<float>("Sim").ToArray();
        Assert.Contains(Enumerable.Range(0, ea.Length), i => !ea[i].SequenceEqual(baseVectors[i]));
        for (int i = 0; i < ea.Length; i++) Assert.Equal(Scoring.VectorSimilarity.Cosine(ea[i], eb[i]), sim[i]);

        // In a new process, exactly as the snippet: RegisterAssembly, then Load.
        string tsv = Path.Combine(dir, "input.tsv");
        File.WriteAllLines(tsv, new[] { "A\tB" }.Concat(pairs.Select(p => p.A + "\t" + p.B)));
        var after = TestData.LoadInFreshProcess(Path.Combine(dir, "model.zip"), tsv, "EA", "EB", "Sim");
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(before, after);

        // The zip is self-contained: the model files are not needed to reload it.
        File.Delete(Path.Combine(dir, "glove.6B.100d.txt"));
        var ml2 = new MLContext(seed: 1);
        ml2.ComponentCatalog.RegisterAssembly(typeof(FineTuneEmbeddingOptions).Assembly);
        ITransformer loaded = ml2.Model.Load("model.zip", out var schema);
        Assert.Equal(before, RawColumn.Bits(loaded.Transform(trainData), "EA", "EB", "Sim"));
    }
}
