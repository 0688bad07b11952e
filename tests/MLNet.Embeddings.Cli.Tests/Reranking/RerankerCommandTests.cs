using System.Text.Json;
using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.Cli.Tests.Reranking;

/// <summary><c>train-reranker</c> and <c>eval --reranker</c> end to end on the tiny BERT fixture.</summary>
[Collection("Console")]
public class RerankerCommandTests
{
    static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    static readonly string Model = Path.Combine(Root(), "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");

    /// <summary>
    /// Rows of four-word texts; positives hold one of a set of "marker" words, negatives none (a cue the tiny random
    /// model learns in seconds, enough to test the commands end to end).
    /// </summary>
    static void WriteRows(string path, int from, int count)
    {
        var words = File.ReadAllLines(Path.Combine(Model, "vocab.txt")).Skip(5).Where(w => w.Length > 2 && w.All(char.IsAsciiLetterLower)).Take(100).ToList();
        var markers = words.Take(20).ToList(); var fillers = words.Skip(20).ToList();
        var rng = new Random(from);
        string Fill(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => fillers[rng.Next(fillers.Count)]));
        File.WriteAllLines(path, Enumerable.Range(from, count).Select(i =>
            JsonSerializer.Serialize(new { query = Fill(2), pos = new[] { Fill(3) + " " + markers[i % markers.Count] }, neg = new[] { Fill(4), Fill(4), Fill(4) } })));
    }

    [Fact]
    public void TrainRerankerThenEvalRerankingAgainstBm25AndADenseRetriever()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-rerank-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string train = Path.Combine(dir, "train.jsonl"), test = Path.Combine(dir, "test.jsonl"), output = Path.Combine(dir, "reranker");
            WriteRows(train, 0, 40); WriteRows(test, 40, 20);
            var (code, stdout, stderr) = ConsoleRun.Cli("train-reranker", "--model", Model, "--train", train, "--output", output,
                "--loss", "listwise", "--epochs", "12", "--batch-size", "8", "--lr", "3e-3", "--eval", test, "--eval-steps", "10");
            Assert.True(code == 0, stderr);
            Assert.Contains("new classification head", stderr);
            using (var summary = JsonDocument.Parse(stdout.Trim()))
            {
                Assert.Equal(60, summary.RootElement.GetProperty("steps").GetInt32());
                Assert.True(summary.RootElement.GetProperty("best_metric").GetProperty("ndcg@10").GetDouble() > 0.75, stderr);
            }
            Assert.True(CrossEncoder.IsCrossEncoderFolder(output));
            Assert.True(File.Exists(Path.Combine(output, "metrics.jsonl")));

            foreach (var retriever in new[] { "bm25", Model })
            {
                (code, stdout, stderr) = ConsoleRun.Cli("eval", "--reranker", output, "--retriever", retriever, "--top-k", "10", "--data", test);
                Assert.True(code == 0, stderr);
                using var doc = JsonDocument.Parse(stdout.Trim());
                double before = doc.RootElement.GetProperty("before").GetProperty("ndcg@10").GetDouble();
                double after = doc.RootElement.GetProperty("after").GetProperty("ndcg@10").GetDouble();
                // The corpus holds only positives (all with a marker), so the reranker's cue cannot help here: this checks
                // the command's plumbing; RetrieveRerankEvaluatorTests checks the reordering itself.
                Assert.InRange(before, 0.0, 1.0); Assert.InRange(after, 0.0, 1.0);
                Assert.Equal(10, doc.RootElement.GetProperty("top_k").GetInt32());
                Assert.Equal(doc.RootElement.GetProperty("before").GetProperty("recall@10").GetDouble(), doc.RootElement.GetProperty("after").GetProperty("recall@10").GetDouble(), 9);
            }

            // 40 queries × top 25 = 1,000 pairs: long enough for a progress line on stderr (stdout stays the JSON).
            string larger = Path.Combine(dir, "larger.jsonl");
            WriteRows(larger, 100, 40);
            (code, stdout, stderr) = ConsoleRun.Cli("eval", "--reranker", output, "--retriever", Model, "--top-k", "25", "--data", larger);
            Assert.True(code == 0, stderr);
            Assert.Contains("eval: reranking pairs 100% (1000/1000)", stderr);
            using (var doc = JsonDocument.Parse(stdout.Trim())) Assert.Equal(25, doc.RootElement.GetProperty("top_k").GetInt32());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void MineWithACrossEncoderThenScoreThenTrainOnTheScores()
    {
        string ce = Path.Combine(Root(), "tests", "MLNet.Embeddings.Training.Tests", "Fixtures", "reranker", "listwise");
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-rerank-chain", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // Rows from the fixture's vocabulary, without negatives; the corpus is every row's positive.
            var rows = File.ReadAllLines(Path.Combine(ce, "train.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            string input = Path.Combine(dir, "rows.jsonl"), mined = Path.Combine(dir, "mined.jsonl"), scored = Path.Combine(dir, "scored.jsonl");
            File.WriteAllLines(input, rows.SelectMany(r => new[] { r.GetProperty("pos")[0].GetString()! }.Concat(r.GetProperty("neg").EnumerateArray().Select(n => n.GetString()!))
                .Select(p => JsonSerializer.Serialize(new { query = r.GetProperty("query").GetString(), pos = new[] { p } }))));
            var (code, _, stderr) = ConsoleRun.Cli("data", "mine", "--input", input, "--output", mined, "--negatives", "3", "--cross-encoder", ce, "--absolute-margin", "0");
            Assert.True(code == 0, stderr);
            Assert.Contains("cross-encoder dropped", stderr);
            var model = CrossEncoder.Load(ce);
            foreach (var line in File.ReadAllLines(mined))
            {
                var r = JsonDocument.Parse(line).RootElement;
                string q = r.GetProperty("query").GetString()!, p = r.GetProperty("pos")[0].GetString()!;
                var negs = r.GetProperty("neg").EnumerateArray().Select(n => n.GetString()!).ToArray();
                Assert.InRange(negs.Length, 0, 3);
                var s = model.Predict(new[] { p }.Concat(negs).Select(d => (q, d)).ToArray());
                Assert.All(s.Skip(1), x => Assert.True(x <= s[0])); // no kept negative scores above its positive
            }

            (code, _, stderr) = ConsoleRun.Cli("data", "score", "--input", mined, "--output", scored, "--teacher", ce);
            Assert.True(code == 0, stderr);
            var first = JsonDocument.Parse(File.ReadAllLines(scored).First(l => l.Contains("\"neg\": [\"") || l.Contains("\"neg\":[\""))).RootElement;
            Assert.Equal(first.GetProperty("neg").GetArrayLength(), first.GetProperty("neg_scores").GetArrayLength());
            Assert.Equal(1, first.GetProperty("pos_scores").GetArrayLength());

            (code, _, stderr) = ConsoleRun.Cli("train-reranker", "--model", ce, "--train", scored, "--output", Path.Combine(dir, "student"), "--loss", "margin-mse", "--negatives", "1", "--max-steps", "2", "--batch-size", "4");
            Assert.True(code == 0, stderr);
            // The scored file as written: rows the filter left without negatives are skipped by MarginMSE (they cannot
            // borrow other rows' negatives, which have no teacher score for them), and the log says how many.
            int empty = File.ReadAllLines(scored).Count(l => JsonDocument.Parse(l).RootElement.GetProperty("neg").GetArrayLength() == 0);
            Assert.True(empty > 0, "the filter should leave some rows without negatives");
            (code, _, stderr) = ConsoleRun.Cli("train", "--model", ce, "--train", scored, "--output", Path.Combine(dir, "bi"), "--loss", "margin-mse", "--max-steps", "2", "--batch-size", "4", "--negatives", "1");
            Assert.True(code == 0, stderr);
            Assert.Contains($"{empty} row(s) without negatives skipped", stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadArgumentsGiveOneClearLine()
    {
        var (code, _, stderr) = ConsoleRun.Cli("train-reranker", "--model", Model, "--train", "/no/such.jsonl", "--output", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N")), "--loss", "hinge");
        Assert.NotEqual(0, code);
        Assert.Contains("--loss", stderr);
        (code, _, stderr) = ConsoleRun.Cli("eval", "--reranker", Model, "--data", "/no/such.jsonl");
        Assert.NotEqual(0, code);
        Assert.Contains("--retriever", stderr);
    }
}
