using System.Text.Json;

namespace MLNet.Embeddings.Cli.Tests.Reranking;

/// <summary>
/// <c>export</c> of a cross-encoder folder (output logits), then the exported .onnx file in place of the folder in
/// <c>eval --reranker</c> and <c>data score --teacher</c>: the same metrics and scores as the managed engine.
/// </summary>
[Collection("Console")]
public class RerankerOnnxCommandTests
{
    static readonly string CrossEncoderFolder = Path.Combine(Repository.Root, "tests", "MLNet.Embeddings.Training.Tests", "Fixtures", "reranker", "listwise");

    [Fact]
    public void ExportedCrossEncoderScoresAndRerankLikeTheFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-rerank-onnx-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "onnx"));
        try
        {
            foreach (var f in Directory.GetFiles(CrossEncoderFolder)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            string onnx = Path.Combine(dir, "onnx", "model.onnx"), data = Path.Combine(dir, "train.jsonl");
            var (code, stdout, stderr) = ConsoleRun.Cli("export", "--model", dir, "--output", onnx);
            Assert.True(code == 0, stderr);
            Assert.Contains("cross-encoder, logits", stderr);
            using (var result = JsonDocument.Parse(stdout.Trim()))
            {
                Assert.Equal("""["logits"]""", result.RootElement.GetProperty("outputs").GetRawText());
                Assert.Equal(1, result.RootElement.GetProperty("dimensions").GetInt32());
            }

            (code, var managedEval, stderr) = ConsoleRun.Cli("eval", "--reranker", dir, "--retriever", "bm25", "--top-k", "10", "--data", data);
            Assert.True(code == 0, stderr);
            (code, var onnxEval, stderr) = ConsoleRun.Cli("eval", "--reranker", onnx, "--retriever", "bm25", "--top-k", "10", "--data", data);
            Assert.True(code == 0, stderr);
            using (var a = JsonDocument.Parse(managedEval.Trim()))
            using (var b = JsonDocument.Parse(onnxEval.Trim()))
                Assert.Equal(a.RootElement.GetProperty("after").GetRawText(), b.RootElement.GetProperty("after").GetRawText());

            string managedScores = Path.Combine(dir, "managed.jsonl"), onnxScores = Path.Combine(dir, "onnx.jsonl");
            (code, _, stderr) = ConsoleRun.Cli("data", "score", "--input", data, "--output", managedScores, "--teacher", dir);
            Assert.True(code == 0, stderr);
            (code, _, stderr) = ConsoleRun.Cli("data", "score", "--input", data, "--output", onnxScores, "--teacher", onnx);
            Assert.True(code == 0, stderr);
            static float[] Scores(string path) => File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement)
                .SelectMany(r => r.GetProperty("pos_scores").EnumerateArray().Concat(r.GetProperty("neg_scores").EnumerateArray())).Select(e => e.GetSingle()).ToArray();
            float[] expected = Scores(managedScores), actual = Scores(onnxScores);
            Assert.Equal(expected.Length, actual.Length);
            Assert.True(expected.Length >= 8);
            for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-4, $"score {i}: {expected[i]} vs {actual[i]}");

            (code, _, stderr) = ConsoleRun.Cli("export", "--model", dir, "--output", Path.Combine(dir, "x.onnx"), "--no-pooling");
            Assert.NotEqual(0, code);
            Assert.Contains("--no-pooling", stderr);
            Assert.False(File.Exists(Path.Combine(dir, "x.onnx")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
