// The consumption half of a Model Builder-style model (Model Builder generates MLModel1.consumption.cs with the same
// shape): the input and output row classes and a static Predict that loads the saved zip once, on first use.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;

namespace ModelBuilderExample;

/// <summary>Routes a financial-qa-10K question to the company (ticker) whose 10-K it is about.</summary>
public partial class TickerModel
{
    /// <summary>One row of Financial-QA-10k.csv (columns question, answer, context, ticker, filing).</summary>
    public class ModelInput
    {
        /// <summary>The question (the only column the model reads).</summary>
        [LoadColumn(0), ColumnName("question")]
        public string Question { get; set; } = "";

        /// <summary>The answer (not used).</summary>
        [LoadColumn(1), ColumnName("answer")]
        public string Answer { get; set; } = "";

        /// <summary>The passage of the filing (not used).</summary>
        [LoadColumn(2), ColumnName("context")]
        public string Context { get; set; } = "";

        /// <summary>The label: the company's ticker (empty when predicting).</summary>
        [LoadColumn(3), ColumnName("ticker")]
        public string Ticker { get; set; } = "";

        /// <summary>The filing (2023_10K).</summary>
        [LoadColumn(4), ColumnName("filing")]
        public string Filing { get; set; } = "";
    }

    /// <summary>The prediction: the ticker and one score per ticker (in the order of the training label keys).</summary>
    public class ModelOutput
    {
        /// <summary>The predicted ticker.</summary>
        [ColumnName("PredictedLabel")]
        public string PredictedLabel { get; set; } = "";

        /// <summary>Class probabilities.</summary>
        [ColumnName("Score")]
        public float[] Score { get; set; } = [];
    }

    /// <summary>The saved model that <see cref="Predict"/> loads; set it before the first call (Model Builder hard-codes it).</summary>
    public static string MLNetModelPath { get; set; } = Path.GetFullPath("TickerModel.mlnet");

    /// <summary>The prediction engine, created from <see cref="MLNetModelPath"/> on first use.</summary>
    public static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> PredictEngine = new(CreatePredictEngine, true);

    /// <summary>Predicts the ticker of one question (the engine is not thread-safe: one caller at a time, as in Model Builder).</summary>
    public static ModelOutput Predict(ModelInput input)
    {
        var engine = PredictEngine.Value;
        lock (engine) return engine.Predict(input);
    }

    static PredictionEngine<ModelInput, ModelOutput> CreatePredictEngine()
    {
        var mlContext = new MLContext();
        // the embedding stage is saved as CustomMapping transforms whose factories live in MLNet.Embeddings.ML
        mlContext.ComponentCatalog.RegisterAssembly(typeof(ApplyEmbeddingOptions).Assembly);
        ITransformer mlModel = mlContext.Model.Load(MLNetModelPath, out _);
        return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(mlModel);
    }
}
