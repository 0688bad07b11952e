using System.Text.Json.Nodes;

namespace MLNet.Embeddings.Training.Classification;

/// <summary>
/// How a classifier did on labelled rows: accuracy, macro-averaged F1 (scikit-learn's <c>f1_score(average="macro")</c>
/// over the model's labels), per-class precision/recall/F1 and the confusion matrix (rows: true label, columns: predicted).
/// </summary>
public sealed class ClassificationReport
{
    /// <summary>Builds the report from true and predicted class indices into <paramref name="labels"/>.</summary>
    public ClassificationReport(IReadOnlyList<string> labels, IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (truth.Count != predicted.Count) throw new ArgumentException($"{truth.Count} true labels but {predicted.Count} predictions.");
        int k = labels.Count;
        var confusion = new int[k][];
        for (int i = 0; i < k; i++) confusion[i] = new int[k];
        int correct = 0;
        for (int i = 0; i < truth.Count; i++) { confusion[truth[i]][predicted[i]]++; if (truth[i] == predicted[i]) correct++; }
        var perClass = new ClassMetrics[k];
        for (int c = 0; c < k; c++)
        {
            int tp = confusion[c][c], support = confusion[c].Sum(), predictedC = confusion.Sum(row => row[c]);
            double p = predictedC == 0 ? 0 : (double)tp / predictedC, r = support == 0 ? 0 : (double)tp / support;
            perClass[c] = new ClassMetrics(labels[c], p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), support);
        }
        Labels = labels.ToArray(); Confusion = confusion; PerClass = perClass; Rows = truth.Count;
        Accuracy = truth.Count == 0 ? 0 : (double)correct / truth.Count;
        MacroF1 = k == 0 ? 0 : perClass.Average(m => m.F1);
    }

    /// <summary>The labels, in class-index order.</summary>
    public IReadOnlyList<string> Labels { get; }
    /// <summary>Rows evaluated.</summary>
    public int Rows { get; }
    /// <summary>Fraction of rows whose predicted label is the true one.</summary>
    public double Accuracy { get; }
    /// <summary>Unweighted mean of the per-class F1.</summary>
    public double MacroF1 { get; }
    /// <summary>Per class, in the order of <see cref="Labels"/>.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; }
    /// <summary><c>Confusion[true][predicted]</c>: row counts.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Confusion { get; }

    /// <summary>
    /// The report as JSON: <c>accuracy</c>, <c>macro_f1</c>, <c>rows</c>, <c>labels</c>, <c>per_class</c>
    /// (label → precision, recall, f1, support) and <c>confusion_matrix</c> (rows: true label, columns: predicted).
    /// </summary>
    public JsonObject ToJson()
    {
        var perClass = new JsonObject();
        foreach (var m in PerClass)
            perClass[m.Label] = new JsonObject { ["precision"] = m.Precision, ["recall"] = m.Recall, ["f1"] = m.F1, ["support"] = m.Support };
        return new JsonObject
        {
            ["accuracy"] = Accuracy, ["macro_f1"] = MacroF1, ["rows"] = Rows,
            ["labels"] = new JsonArray(Labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            ["per_class"] = perClass,
            ["confusion_matrix"] = new JsonArray(Confusion.Select(row => (JsonNode?)new JsonArray(row.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())).ToArray()),
        };
    }
}
