using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Classification;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Trains a <see cref="TextClassifierTransformer"/>: reads the key-typed label column (its key values are the labels)
/// and the text column(s), starts a classification head on the base model (or continues a classifier), and trains
/// head and encoder together with <see cref="CrossEncoderTrainer"/>. Made by <see cref="TextClassifierCatalog.TextClassifier"/>.
/// </summary>
public sealed class TextClassifierEstimator : IEstimator<TextClassifierTransformer>
{
    readonly string _label, _text;
    readonly string? _second;
    readonly TextClassifierOptions _options;

    internal TextClassifierEstimator(string labelColumnName, string textColumnName, string? secondTextColumnName, TextClassifierOptions options)
    {
        _label = labelColumnName ?? throw new ArgumentNullException(nameof(labelColumnName));
        _text = textColumnName ?? throw new ArgumentNullException(nameof(textColumnName));
        _second = secondTextColumnName;
        _options = options;
    }

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <exception cref="ConfigurationException">No model path, or a classifier to continue with other labels.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type (the label must be a key: use MapValueToKey).</exception>
    /// <exception cref="DatasetFormatException">A row has no label, or every row has the same label; names the row.</exception>
    public TextClassifierTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        if (string.IsNullOrWhiteSpace(o.ModelPath))
            throw new ConfigurationException(nameof(TextClassifierOptions.ModelPath), "is required: the encoder to start from (a folder, nuget:ID or ORG/NAME).");
        SchemaChecks.NoReservedNames(input.Schema);
        var (labelColumn, count) = LabelColumn(input.Schema);
        var textColumn = SchemaChecks.Text(input.Schema, _text, "text column");
        var secondColumn = _second is null ? (DataViewSchema.Column?)null : SchemaChecks.Text(input.Schema, _second, "second text column");
        var names = KeyNames(labelColumn, count);
        string source = $"IDataView (label column '{_label}')";

        var rows = new List<LabelledText>();
        var columns = secondColumn is { } s ? new[] { labelColumn, textColumn, s } : new[] { labelColumn, textColumn };
        using (var cursor = input.GetRowCursor(columns))
        {
            var getLabel = cursor.GetGetter<uint>(labelColumn);
            var getText = cursor.GetGetter<ReadOnlyMemory<char>>(textColumn);
            var getSecond = secondColumn is { } sc ? cursor.GetGetter<ReadOnlyMemory<char>>(sc) : null;
            uint key = 0; ReadOnlyMemory<char> text = default, second = default;
            while (cursor.MoveNext())
            {
                o.CancellationToken.ThrowIfCancellationRequested();
                getLabel(ref key); getText(ref text); getSecond?.Invoke(ref second);
                rows.Add(new LabelledText(text.ToString(), getSecond is null ? null : second.ToString(), key == 0 || key > count ? null : names[key - 1], rows.Count + 1));
            }
        }
        ClassificationData.Labels(rows, source); // a row without a label, or one class only, is an error here

        string folder = Models.ModelResolver.Resolve(o.ModelPath, new Models.ModelResolveOptions()).Path;
        var seed = o.Trainer.Trainer.Seed;
        CrossEncoder model;
        if (CrossEncoder.IsCrossEncoderFolder(folder))
        {
            model = CrossEncoder.Load(folder);
            if (!model.Labels.SequenceEqual(names))
                throw new ConfigurationException(nameof(TextClassifierOptions.ModelPath), $"the classifier has labels ({string.Join(", ", model.Labels)}) but column '{_label}' has ({string.Join(", ", names)}).");
        }
        else model = CrossEncoder.FromEncoder(folder, names, seed);

        var t = o.Trainer;
        var trainer = new CrossEncoderTrainerOptions
        {
            Trainer = t.Trainer, Loss = t.Loss, ChunkSize = t.ChunkSize, Evaluator = t.Evaluator, ClassificationEvaluator = t.ClassificationEvaluator,
            ClassWeights = t.ClassWeights ?? (o.BalancedClassWeights ? ClassificationData.BalancedWeights(rows, names) : null),
        };
        new CrossEncoderTrainer(model, trainer).Fit(rows, source, o.CancellationToken);
        return new TextClassifierTransformer(new LiveClassifier(model, _second is not null, t.Trainer.MaxLength), _text, _second, input.Schema);
    }

    /// <summary>The input schema plus <c>PredictedLabel</c> (the label column's key type) and <c>Score</c> (one float per class).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (inputSchema.FirstOrDefault(c => c.Name == _label) is not { Name: not null } label)
            throw new ArgumentOutOfRangeException("labelColumnName", $"label column '{_label}' not found in the input.");
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !label.IsKey)
            throw new ArgumentOutOfRangeException("labelColumnName", KeyMessage(label.ItemType?.ToString() ?? "nothing"));
        SchemaChecks.Text(inputSchema, _text, "text column");
        if (_second is not null) SchemaChecks.Text(inputSchema, _second, "second text column");
        // A SchemaShape carries no key count or vector size: Score is "a vector of Single" whatever the size given here.
        return ClassifierPipeline.Live(null, 2, _text, _second, null, _label).GetOutputSchema(inputSchema);
    }

    (DataViewSchema.Column Column, int Count) LabelColumn(DataViewSchema schema)
    {
        var col = schema.GetColumnOrNull(_label) ?? throw new ArgumentOutOfRangeException("labelColumnName", $"label column '{_label}' not found in the input.");
        if (col.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            throw new ArgumentOutOfRangeException("labelColumnName", KeyMessage(col.Type.ToString() ?? ""));
        if (key.Count < 2) throw new ArgumentOutOfRangeException("labelColumnName", $"label column '{_label}' has {key.Count} key value(s); a classifier needs at least two.");
        return (col, checked((int)key.Count));
    }

    string KeyMessage(string found) =>
        $"label column '{_label}' must be a key type, as ML.NET's multiclass trainers expect: add mlContext.Transforms.Conversion.MapValueToKey(\"{_label}\") before the trainer; found {found}.";

    /// <summary>The label names: the key values (as invariant text), else the key numbers 1…K.</summary>
    static string[] KeyNames(DataViewSchema.Column col, int count)
    {
        if (col.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: var item } })
            return Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        string[] names = item.RawType switch
        {
            var r when r == typeof(ReadOnlyMemory<char>) => Values<ReadOnlyMemory<char>>(col, v => v.ToString()),
            var r when r == typeof(float) => Values<float>(col, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var r when r == typeof(double) => Values<double>(col, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var r when r == typeof(int) => Values<int>(col, v => v.ToString(CultureInfo.InvariantCulture)),
            var r when r == typeof(long) => Values<long>(col, v => v.ToString(CultureInfo.InvariantCulture)),
            var r when r == typeof(uint) => Values<uint>(col, v => v.ToString(CultureInfo.InvariantCulture)),
            var r when r == typeof(bool) => Values<bool>(col, v => v ? "true" : "false"),
            _ => Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(),
        };
        if (names.Length != count) throw new ArgumentOutOfRangeException("labelColumnName", $"label column '{col.Name}' has {count} keys but {names.Length} key values.");
        return names;
    }

    static string[] Values<T>(DataViewSchema.Column col, Func<T, string> format)
    {
        VBuffer<T> values = default;
        col.GetKeyValues(ref values);
        return values.DenseValues().Select(format).ToArray();
    }
}
