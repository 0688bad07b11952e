namespace MLNet.Embeddings.Packages.Tests;

/// <summary>The code of the consumer applications (besides the README's quick starts, which are copied from README.md).</summary>
public static class AppSources
{
    /// <summary>
    /// Core + ONNX Runtime + TorchSharp: load a sentence-transformers folder with the managed engine, encode, top-k; the
    /// same folder on ONNX Runtime (same vectors within 1e-4, same ranking); TorchSharp registered, three MNRL steps.
    /// </summary>
    public const string CoreChecks = """
        using MLNet.Embeddings;
        using MLNet.Embeddings.OnnxRuntime;
        using MLNet.Embeddings.Scoring;
        using MLNet.Embeddings.Tensors;
        using MLNet.Embeddings.TorchSharp;
        using MLNet.Embeddings.Training;
        using MLNet.Embeddings.Training.Losses;

        public static class PackageChecks
        {
            public static void Run(string folder)
            {
                string[] docs = ["the city of new york", "a man is playing music.", "two people walk in the park while it rains", "hello"];
                var managed = SentenceEncoder.Load(folder);
                float[][] vectors = managed.Encode(docs);
                float[] query = managed.Encode("a man plays music");
                var hits = SemanticSearch.TopK(query, Matrix.FromRows(vectors), k: 2);
                Console.WriteLine($"managed: dims {managed.Dimensions}, top {hits[0].Index} {hits[0].Score:F6}, second {hits[1].Index}");

                var onnx = OnnxSentenceEncoder.Load(folder, new OnnxOptions { IntraOpThreads = 1 });
                float[][] onnxVectors = onnx.Encode(docs);
                double maxDiff = 0;
                for (int i = 0; i < docs.Length; i++)
                    for (int j = 0; j < vectors[i].Length; j++) maxDiff = Math.Max(maxDiff, Math.Abs(vectors[i][j] - onnxVectors[i][j]));
                var onnxHits = SemanticSearch.TopK(onnx.Encode("a man plays music"), Matrix.FromRows(onnxVectors), k: 2);
                Console.WriteLine($"onnx: {OrtSession.Version}, max abs diff {maxDiff:E2}, top {onnxHits[0].Index}, second {onnxHits[1].Index}");
                if (maxDiff > 1e-4 || onnxHits[0].Index != hits[0].Index || onnxHits[1].Index != hits[1].Index)
                    throw new Exception("ONNX Runtime disagrees with the managed engine");

                if (!TorchSharpBackend.TryLoad(out var reason)) throw new Exception("libtorch did not load: " + reason);
                TorchSharpBackend.Register();
                File.WriteAllLines("pairs.jsonl", Enumerable.Range(0, 12).Select(i =>
                    $"{{\"query\": \"question {i} about the city\", \"pos\": [\"the city of new york and answer {i}\"]}}"));
                var model = SentenceEncoder.Load(folder);
                float[] before = model.Encode(docs[0]);
                var options = new TrainerOptions
                {
                    Backend = TrainingBackend.TorchSharp, Device = "cpu", MaxSteps = 3, BatchSize = 4, Seed = 1,
                    LearningRate = 1e-3f, OutputDirectory = "torch-out", OverwriteOutputDirectory = true,
                };
                var trainer = new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), options);
                trainer.Fit("pairs.jsonl");
                float[] after = TorchSharpBackend.Load("torch-out", device: "cpu").Encode(docs[0]);
                double moved = before.Zip(after, (a, b) => Math.Abs(a - b)).Max();
                Console.WriteLine($"torchsharp: steps {trainer.LastRun!.StepsRun}, loss {trainer.LastRun.FinalLoss:F4}, max change {moved:E2}");
                if (trainer.LastRun.StepsRun != 3 || !(moved > 1e-6) || after.Any(v => !float.IsFinite(v)))
                    throw new Exception("TorchSharp training did not run three steps that change the model");
                Console.WriteLine("core checks passed");
            }
        }
        """;

    /// <summary>ML.NET, first application: labelled-mode FineTuneEmbedding → SdcaMaximumEntropy → save; predictions to a file.</summary>
    public const string MlTrain = """
        using Microsoft.ML;
        using Microsoft.ML.Data;
        using MLNet.Embeddings.ML;

        public sealed class LabelledText { public string Text { get; set; } = ""; public string Label { get; set; } = ""; }
        public sealed class Prediction { [ColumnName("PredictedLabel")] public uint Class { get; set; } public float[] Score { get; set; } = []; }

        public static class PackageChecks
        {
            public static readonly string[] Probe = ["the city at night", "music and a guitar", "rain in the park", "new york"];

            public static LabelledText[] Rows() =>
            [
                .. new[] { "the city of new york", "a city with tall buildings", "streets of the city", "the town centre", "new york at night", "a big city" }
                    .Select(t => new LabelledText { Text = t, Label = "city" }),
                .. new[] { "a man is playing music.", "someone plays the guitar", "a song on the radio", "music in the park", "the band plays", "a woman sings" }
                    .Select(t => new LabelledText { Text = t, Label = "music" }),
            ];

            public static void Train(string baseModel, string zip, string predictions)
            {
                var ml = new MLContext(seed: 1);
                IDataView data = ml.Data.LoadFromEnumerable(Rows());
                var pipeline = ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
                    {
                        BaseModelPath = baseModel, AnchorColumnName = "Text", LabelColumnName = "Label",
                        Loss = EmbeddingLoss.CosineSimilarity, PairsPerRow = 2,
                        Trainer = { Epochs = 1, BatchSize = 8, Seed = 1 },
                        Columns = new[] { new InputOutputColumnPair("Features", "Text") },
                    })
                    .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
                    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20));
                ITransformer model = pipeline.Fit(data);
                ml.Model.Save(model, data.Schema, zip);
                Write(ml, model, predictions);
                Console.WriteLine("ml train checks passed");
            }

            public static void Write(MLContext ml, ITransformer model, string predictions)
            {
                var engine = ml.Model.CreatePredictionEngine<LabelledText, Prediction>(model);
                File.WriteAllLines(predictions, Probe.Select(t =>
                {
                    var p = engine.Predict(new LabelledText { Text = t });
                    return p.Class + " " + string.Join(" ", p.Score.Select(s => BitConverter.SingleToInt32Bits(s).ToString("x8")));
                }));
            }
        }
        """;

    /// <summary>ML.NET, second application (only the MLNet.Embeddings.ML package): load the zip, predict.</summary>
    public const string MlLoad = """
        using Microsoft.ML;
        using Microsoft.ML.Data;
        using MLNet.Embeddings.ML;

        public sealed class LabelledText { public string Text { get; set; } = ""; public string Label { get; set; } = ""; }
        public sealed class Prediction { [ColumnName("PredictedLabel")] public uint Class { get; set; } public float[] Score { get; set; } = []; }

        public static class PackageChecks
        {
            public static readonly string[] Probe = ["the city at night", "music and a guitar", "rain in the park", "new york"];

            public static void Load(string zip, string predictions)
            {
                var ml = new MLContext(seed: 1);
                ml.ComponentCatalog.RegisterAssembly(typeof(FineTuneEmbeddingOptions).Assembly);
                ITransformer model = ml.Model.Load(zip, out _);
                var engine = ml.Model.CreatePredictionEngine<LabelledText, Prediction>(model);
                File.WriteAllLines(predictions, Probe.Select(t =>
                {
                    var p = engine.Predict(new LabelledText { Text = t });
                    return p.Class + " " + string.Join(" ", p.Score.Select(s => BitConverter.SingleToInt32Bits(s).ToString("x8")));
                }));
                Console.WriteLine("ml load checks passed");
            }
        }
        """;
}
