using MLNet.Embeddings.TestSupport;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary><c>train</c> with a label loss, frozen embeddings, a frozen layer, TensorBoard output and probe sets.</summary>
[Collection("Console")]
public class TrainCommandClassifyOptionsTests
{
    static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public void LabelLossFreezingAndTensorBoardFromTheCommandLine()
    {
        string root = Root();
        string model = Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-train-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string train = Path.Combine(dir, "texts.jsonl"), probe = Path.Combine(dir, "probe.txt"), pairs = Path.Combine(dir, "pairs.jsonl");
            File.WriteAllLines(train, ["{\"text\": \"a red apple\", \"label\": 0}", "{\"text\": \"a fast car\", \"label\": 1}",
                "{\"text\": \"a green apple\", \"label\": 0}", "{\"text\": \"a slow car\", \"label\": 1}"]);
            File.WriteAllLines(probe, ["a red apple", "", "a fast car", "the sun"]);
            File.WriteAllLines(pairs, ["{\"sentence1\": \"a red apple\", \"sentence2\": \"a green apple\", \"label\": 1}",
                "{\"sentence1\": \"a red apple\", \"sentence2\": \"a slow car\", \"label\": 0}"]);
            string output = Path.Combine(dir, "out"), tb = Path.Combine(dir, "tb");
            var stdout = new StringWriter(); var stderr = new StringWriter();
            var (o, e) = (Console.Out, Console.Error);
            Console.SetOut(stdout); Console.SetError(stderr);
            int rc;
            try
            {
                rc = CliApp.Run(new[] { "train", "--model", model, "--train", train, "--output", output, "--loss", "batch-hard-triplet",
                    "--margin", "1", "--max-steps", "2", "--batch-size", "4", "--lr", "1e-3", "--no-shuffle", "--dropout", "0",
                    "--freeze-embeddings", "--freeze-layers", "1", "--layer-decay", "0.5",
                    "--tensorboard", tb, "--probe", probe, "--probe-pairs", pairs });
            }
            finally { Console.SetOut(o); Console.SetError(e); }
            Assert.True(rc == 0, stderr.ToString());
            var before = SentenceEncoder.Load(model); var after = SentenceEncoder.Load(output);
            var pb = ((Backbones.ITrainableBackbone)before.Backbone).Parameters.ToDictionary(p => p.Name);
            var pa = ((Backbones.ITrainableBackbone)after.Backbone).Parameters;
            Assert.All(pa.Where(p => p.Name.StartsWith("embeddings.") || p.Name.StartsWith("encoder.layer.0.")),
                p => Assert.Equal(pb[p.Name].Value, p.Value));
            Assert.Contains(pa, p => p.Name.StartsWith("encoder.layer.1.") && !p.Value.SequenceEqual(pb[p.Name].Value));
            Assert.Single(Directory.GetFiles(tb, "events.out.tfevents.*"));
            Assert.True(File.Exists(Path.Combine(tb, "projector", "step-2", "tensors.tsv")));
            Assert.Equal(3, File.ReadAllLines(Path.Combine(tb, "projector", "step-2", "metadata.tsv")).Length);
            Assert.Contains("similarity_gap", File.ReadAllText(Path.Combine(output, "metrics.jsonl")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
