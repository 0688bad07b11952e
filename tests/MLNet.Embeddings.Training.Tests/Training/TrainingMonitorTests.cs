using System.Diagnostics;
using System.Text.Json;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training.Monitoring;

namespace MLNet.Embeddings.Training.Tests.Training;

/// <summary>
/// Training-time checks and TensorBoard output, read back with an independent reader
/// (tools/tensorboard/read_events.py: TFRecord framing and the Event protobuf decoded from the specs, CRC32C checked).
/// </summary>
public class TrainingMonitorTests
{
    static readonly List<TrainingExample> Rows =
    [
        new() { Query = "a man plays guitar", Pos = ["a person makes music"] },
        new() { Query = "two dogs run", Pos = ["animals are outside"] },
        new() { Query = "the sun is hot", Pos = ["summer weather"] },
        new() { Query = "she reads a book", Pos = ["a woman is reading"] },
    ];

    static JsonDocument Read(string events, out int exitCode, out string stderr)
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), $"{python} is needed for the independent event-file reader");
        var psi = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot(), "tools", "tensorboard", "read_events.py"));
        psi.ArgumentList.Add(events);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        exitCode = p.ExitCode;
        return exitCode == 0 ? JsonDocument.Parse(output) : JsonDocument.Parse("{}");
    }

    [Fact]
    public void EventFilesChecksAndProjectorReadBack()
    {
        var dir = Directory.CreateTempSubdirectory("tb").FullName;
        try
        {
            string output = Path.Combine(dir, "out"), tb = Path.Combine(dir, "tb");
            var log = new List<string>();
            var probes = new[] { "a red apple", "a fast car", "the sun is hot", "two dogs run", "tab\there" };
            var o = new TrainerOptions
            {
                MaxSteps = 4, BatchSize = 2, LearningRate = 1e-3f, Shuffle = false, Dropout = 0, OutputDirectory = output, CheckpointSteps = 2,
                LoggingSteps = 1, LayerDecay = 0.5f, TensorBoardDirectory = tb, ProbeTexts = probes, ProbeSteps = 2, CollapseThreshold = -1f, Log = log.Add,
                ProbePairs = [new("a man plays guitar", "a person makes music", true), new("two dogs run", "summer weather", false)],
            };
            new SentenceEncoderTrainer(BertTrainingTests.TinyBert(), new MultipleNegativesRankingLoss(), o).Fit(Rows);

            var events = Directory.GetFiles(tb, "events.out.tfevents.*");
            Assert.Single(events);
            using var doc = Read(events[0], out int rc, out string err);
            Assert.True(rc == 0, err);
            Assert.Equal("brain.Event:2", doc.RootElement.GetProperty("file_version").GetString());
            var scalars = doc.RootElement.GetProperty("scalars").EnumerateArray()
                .Select(s => (Step: s.GetProperty("step").GetInt32(), Tag: s.GetProperty("tag").GetString()!, Value: s.GetProperty("value").GetDouble())).ToList();

            // every value equals the metrics.jsonl line it mirrors (float32 in the event file)
            var lines = File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var train = lines.Where(l => l.TryGetProperty("loss", out _)).ToList();
            Assert.Equal(4, train.Count);
            foreach (var l in train)
            {
                int step = l.GetProperty("step").GetInt32();
                Assert.Equal((float)l.GetProperty("loss").GetDouble(), (float)scalars.Single(s => s.Step == step && s.Tag == "train/loss").Value);
                Assert.Equal((float)l.GetProperty("learning_rate").GetDouble(), (float)scalars.Single(s => s.Step == step && s.Tag == "train/learning_rate").Value);
            }
            // with discriminative rates, each group's rate is its own scalar: top layer lr, layer 0 lr/2, embeddings lr/4
            float lr1 = (float)scalars.Single(s => s.Step == 1 && s.Tag == "train/learning_rate").Value;
            Assert.Equal(lr1, (float)scalars.Single(s => s.Step == 1 && s.Tag == "train/learning_rate/layer.1").Value);
            Assert.Equal(lr1 * 0.5f, (float)scalars.Single(s => s.Step == 1 && s.Tag == "train/learning_rate/layer.0").Value);
            Assert.Equal(lr1 * 0.25f, (float)scalars.Single(s => s.Step == 1 && s.Tag == "train/learning_rate/embeddings").Value);
            var checks = lines.Where(l => l.TryGetProperty("checks", out _)).ToList();
            Assert.Equal([2, 4], checks.Select(c => c.GetProperty("step").GetInt32()));
            foreach (var c in checks)
                foreach (var m in c.GetProperty("checks").EnumerateObject())
                    Assert.Equal((float)m.Value.GetDouble(), (float)scalars.Single(s => s.Step == c.GetProperty("step").GetInt32() && s.Tag == "checks/" + m.Name).Value);
            var names = checks[0].GetProperty("checks").EnumerateObject().Select(p => p.Name).ToHashSet();
            Assert.Superset(new HashSet<string> { "probe_mean_cosine", "probe_spread", "similar_mean_cosine", "dissimilar_mean_cosine", "similarity_gap" }, names);
            Assert.Contains(log, l => l.Contains("cluster tightly")); // threshold −1: the warning must fire

            // projector files at each checkpoint (2, 4)
            string cfg = File.ReadAllText(Path.Combine(tb, "projector_config.pbtxt"));
            Assert.Contains("tensor_path: \"projector/step-2/tensors.tsv\"", cfg);
            Assert.Contains("metadata_path: \"projector/step-4/metadata.tsv\"", cfg);
            var tensors = File.ReadAllLines(Path.Combine(tb, "projector", "step-4", "tensors.tsv"));
            Assert.Equal(probes.Length, tensors.Length);
            Assert.All(tensors, t => Assert.Equal(32, t.Split('\t').Length));
            Assert.Equal(probes.Select(p => p.Replace('\t', ' ')), File.ReadAllLines(Path.Combine(tb, "projector", "step-4", "metadata.tsv")));
            Assert.NotEqual(File.ReadAllText(Path.Combine(tb, "projector", "step-2", "tensors.tsv")), string.Join("\n", tensors) + "\n");

            // the reader checks CRCs: one flipped byte in the last record's data is caught
            var bytes = File.ReadAllBytes(events[0]);
            bytes[^6] ^= 0x40;
            File.WriteAllBytes(events[0], bytes);
            using var corrupted = Read(events[0], out int bad, out string badErr);
            Assert.Equal(2, bad);
            Assert.Contains("CRC", badErr);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ChecksMeasureCollapseAndPairSeparation()
    {
        var same = Enumerable.Repeat(new[] { 1f, 2f, 3f }, 4).ToList();
        var (cos, spread) = EmbeddingChecks.ProbeSet(same);
        Assert.Equal(1, cos, 6); Assert.Equal(0, spread, 6);
        var axes = new List<float[]> { new[] { 1f, 0f }, new[] { -1f, 0f }, new[] { 0f, 1f }, new[] { 0f, -1f } };
        (cos, spread) = EmbeddingChecks.ProbeSet(axes);
        Assert.Equal(-1.0 / 3, cos, 6); Assert.Equal(1, spread, 6); // centroid at the origin
        var pairs = new List<ProbePair> { new("a", "b", true), new("c", "d", false) };
        var (sim, dis) = EmbeddingChecks.Pairs(pairs, [new[] { 1f, 0f }, new[] { 1f, 0f }], [new[] { 2f, 0f }, new[] { 0f, 3f }]);
        Assert.Equal(1, sim, 6); Assert.Equal(0, dis, 6);
    }

    [Fact]
    public void MaskedCrcMatchesTheKnownCrc32cVector()
    {
        // CRC32C("123456789") = 0xE3069283 (RFC 3720); masked as TFRecord does
        uint crc = 0xE3069283u;
        Assert.Equal(((crc >> 15) | (crc << 17)) + 0xa282ead8u, TensorBoardEventWriter.MaskedCrc("123456789"u8));
    }
}
