using Microsoft.ML;

namespace MLNet.Embeddings.ML;

/// <summary>The text-classifier trainer on ML.NET's multiclass catalog.</summary>
public static class TextClassifierCatalog
{
    /// <summary>
    /// A multiclass trainer that fine-tunes a transformer end to end: a classification head (Hugging Face's
    /// <c>*ForSequenceClassification</c>) on any BERT-family encoder, trained with the encoder on the text (or text
    /// pair) and a key-typed label column (<c>MapValueToKey</c> first, as for ML.NET's other multiclass trainers).
    /// Writes <c>PredictedLabel</c> (key, same key values as the label) and <c>Score</c> (the softmax probability of
    /// each class). Saved and reloaded with the pipeline (<c>mlContext.Model.Save</c>), the model inside the zip.
    /// </summary>
    /// <param name="catalog">ML.NET's multiclass trainers.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="textColumnName">The text column (the pair's first text).</param>
    /// <param name="secondTextColumnName">The pair's second text column (e.g. the hypothesis for NLI); null for single texts.</param>
    /// <param name="options">The base model (<see cref="TextClassifierOptions.ModelPath"/>, required) and the trainer's options.</param>
    public static TextClassifierEstimator TextClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string textColumnName = "Text", string? secondTextColumnName = null, TextClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TextClassifierEstimator(labelColumnName, textColumnName, secondTextColumnName, options ?? new TextClassifierOptions());
    }
}
