// The training half of a Model Builder-style model (Model Builder generates MLModel1.training.cs with BuildPipeline,
// RetrainPipeline and Train): text → embedding → SdcaMaximumEntropy over the tickers, or (EndToEnd) the TextClassifier
// trainer, which fine-tunes the transformer with a classification head over the tickers.
using Microsoft.ML;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.Training;

namespace ModelBuilderExample;

public partial class TickerModel
{
    /// <summary>How <see cref="BuildPipeline"/> embeds the question; the defaults are variant (a) on GloVe.</summary>
    public sealed class PipelineSettings
    {
        /// <summary>A word-vector file (GloVe) or a sentence-transformers folder (all-MiniLM-L6-v2).</summary>
        public string EmbeddingModelPath { get; set; } = Experiment.DefaultGlove;
        /// <summary>false: ApplyEmbedding with the model as it is; true: FineTuneEmbedding on the labelled questions first (SetFit style).</summary>
        public bool FineTune { get; set; }
        /// <summary>true: no SDCA; the end-to-end TextClassifier trainer fine-tunes the transformer with a classification head (overrides FineTune).</summary>
        public bool EndToEnd { get; set; }
        /// <summary>End-to-end: the rate of the encoder's embedding layer (null: LearningRate).</summary>
        public float? EmbeddingLearningRate { get; set; }
        /// <summary>End-to-end: each encoder layer's rate is this times the next one's (1: one rate).</summary>
        public float LayerDecay { get; set; } = 1f;
        /// <summary>The fine-tuning loss (CosineSimilarity on same/other-ticker pairs, as SetFit).</summary>
        public EmbeddingLoss Loss { get; set; } = EmbeddingLoss.CosineSimilarity;
        /// <summary>Fine-tuning epochs.</summary>
        public int Epochs { get; set; } = 1;
        /// <summary>Fine-tuning batch size.</summary>
        public int BatchSize { get; set; } = 32;
        /// <summary>Fine-tuning peak learning rate (word vectors want about 1e-2; a transformer 2e-5).</summary>
        public float LearningRate { get; set; } = 0.02f;
        /// <summary>Labelled mode: same-ticker / other-ticker pairs drawn per question and epoch.</summary>
        public int PairsPerRow { get; set; } = 4;
        /// <summary>Token cap per question; null uses the model's own.</summary>
        public int? MaxLength { get; set; }
        /// <summary>Seed of the pair sampling and of the fine-tuning.</summary>
        public int Seed { get; set; } = 42;
        /// <summary>Receives the fine-tuning log (channel FineTuneEmbedding) when set.</summary>
        public MLContext? LogContext { get; set; }
    }

    /// <summary>
    /// The pipeline: question → Features (embedding, optionally fine-tuned on the tickers) → Label key → SdcaMaximumEntropy
    /// → PredictedLabel back to the ticker text.
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, PipelineSettings? settings = null)
    {
        var s = settings ?? new PipelineSettings();
        if (s.EndToEnd)
            return mlContext.Transforms.Conversion.MapValueToKey("Label", "ticker")
                .Append(mlContext.MulticlassClassification.Trainers.TextClassifier("Label", "question", options: new TextClassifierOptions
                {
                    ModelPath = s.EmbeddingModelPath,
                    Trainer =
                    {
                        Trainer = new TrainerOptions
                        {
                            Epochs = s.Epochs, BatchSize = s.BatchSize, LearningRate = s.LearningRate, MaxLength = s.MaxLength, Seed = s.Seed,
                            EmbeddingLearningRate = s.EmbeddingLearningRate, LayerDecay = s.LayerDecay, SaveModel = false,
                        },
                    },
                }))
                .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var embedding = new ApplyEmbeddingOptions { MaxLength = s.MaxLength };
        IEstimator<ITransformer> features = s.FineTune
            ? mlContext.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
            {
                BaseModelPath = s.EmbeddingModelPath,
                AnchorColumnName = "question",
                LabelColumnName = "ticker",           // labelled-text mode: no positive column, pairs come from the labels
                Loss = s.Loss,
                PairsPerRow = s.PairsPerRow,
                Trainer = { Epochs = s.Epochs, BatchSize = s.BatchSize, LearningRate = s.LearningRate, MaxLength = s.MaxLength, Seed = s.Seed },
                Columns = [new InputOutputColumnPair("Features", "question")],
                Embedding = embedding,
                Context = s.LogContext,
            })
            : mlContext.Transforms.ApplyEmbedding("Features", "question", s.EmbeddingModelPath, embedding);
        return features
            .Append(mlContext.Transforms.Conversion.MapValueToKey("Label", "ticker"))
            // SDCA passes over the data many times: cache the embedded rows instead of embedding them again every pass
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features"))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }

    /// <summary>Fits <see cref="BuildPipeline"/> on <paramref name="trainData"/>.</summary>
    public static ITransformer RetrainModel(MLContext mlContext, IDataView trainData, PipelineSettings? settings = null)
        => BuildPipeline(mlContext, settings).Fit(trainData);

    /// <summary>Reads Financial-QA-10k.csv (header, comma-separated, quoted fields).</summary>
    public static IDataView LoadData(MLContext mlContext, string csvPath)
        => mlContext.Data.LoadFromTextFile<ModelInput>(csvPath, separatorChar: ',', hasHeader: true, allowQuoting: true);

    /// <summary>Trains on <paramref name="inputDataFilePath"/> and saves the zip to <paramref name="outputModelPath"/> (Model Builder's Train).</summary>
    public static void Train(string outputModelPath, string inputDataFilePath, PipelineSettings? settings = null)
    {
        var mlContext = new MLContext(seed: 1);
        var data = LoadData(mlContext, inputDataFilePath);
        var model = RetrainModel(mlContext, data, settings);
        SaveModel(mlContext, model, data.Schema, outputModelPath);
    }

    /// <summary>Saves the fitted pipeline; written to a temp file and renamed, so a reader never sees half a zip.</summary>
    public static void SaveModel(MLContext mlContext, ITransformer model, DataViewSchema schema, string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp-" + Environment.ProcessId;
        mlContext.Model.Save(model, schema, temp);
        File.Move(temp, full, overwrite: true);
    }
}
