using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.Training.Classification;

/// <summary>
/// Classifies held-out labelled rows with a cross-encoder classifier and reports accuracy, macro-F1, per-class
/// precision/recall/F1 and the confusion matrix. Primary metric (best model, early stopping): accuracy.
/// </summary>
public sealed class ClassificationEvaluator
{
    readonly IReadOnlyList<LabelledText> _rows;
    readonly string _source;

    /// <summary>Evaluates on <paramref name="rows"/> (every row needs a label); <paramref name="source"/> names them in errors.</summary>
    public ClassificationEvaluator(IReadOnlyList<LabelledText> rows, string source = "(rows in memory)")
    {
        _rows = rows ?? throw new ArgumentNullException(nameof(rows));
        _source = source;
    }

    /// <summary>The name of the metric "best model" follows.</summary>
    public const string PrimaryMetric = "accuracy";

    /// <summary>Rows evaluated.</summary>
    public int Count => _rows.Count;

    /// <summary>Classifies every row and compares with its label.</summary>
    /// <exception cref="DatasetFormatException">A row's label is missing or not one of the model's labels; names the file and line.</exception>
    public ClassificationReport Evaluate(CrossEncoder model, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var truth = ClassificationData.Targets(_rows, model.Labels, _source);
        var predicted = ClassificationData.Predict(model, _rows, options, cancellationToken).Select(p => p.LabelIndex).ToArray();
        return new ClassificationReport(model.Labels, truth, predicted);
    }

    internal Dictionary<string, double> Metrics(CrossEncoder model, CancellationToken cancellationToken)
    {
        var r = Evaluate(model, cancellationToken: cancellationToken);
        return new Dictionary<string, double> { ["accuracy"] = r.Accuracy, ["macro_f1"] = r.MacroF1 };
    }
}
