using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Heads;

/// <summary>
/// The head of Hugging Face's <c>*ForSequenceClassification</c> models: the first token's hidden state through a dense
/// layer with tanh (BERT's pooler, or RoBERTa's <c>classifier.dense</c>), dropout, then a linear layer to
/// <see cref="NumLabels"/> logits. Forward and backward sit side by side; the parameters carry the Hugging Face names,
/// so the head loads from and saves to the checkpoint that <c>transformers</c> reads. Rerankers (one label) and
/// sequence classifiers (N labels) share it.
/// </summary>
public sealed class SequenceClassificationHead
{
    // Dropout sites of the head (layer index -2 keeps them apart from the backbone's streams).
    const int DropoutLayer = -2, SiteInput = 0, SitePooled = 1;
    readonly Parameter _denseW, _denseB, _outW, _outB;

    SequenceClassificationHead(ClassificationHeadStyle style, int hiddenSize, int numLabels, Parameter denseW, Parameter denseB, Parameter outW, Parameter outB)
    {
        Style = style; HiddenSize = hiddenSize; NumLabels = numLabels;
        _denseW = denseW; _denseB = denseB; _outW = outW; _outB = outB;
        Parameters = [denseW, denseB, outW, outB];
    }

    /// <summary>BERT or RoBERTa naming and dropout sites.</summary>
    public ClassificationHeadStyle Style { get; }
    /// <summary>Width of the backbone's token vectors.</summary>
    public int HiddenSize { get; }
    /// <summary>Number of logits per sequence.</summary>
    public int NumLabels { get; }
    /// <summary>Dropout rate of <see cref="ForwardTrain"/> (HF <c>classifier_dropout</c>, else <c>hidden_dropout_prob</c>).</summary>
    public float Dropout { get; set; } = 0.1f;
    /// <summary>The four parameters (dense weight and bias, classifier weight and bias), with their Hugging Face names.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The Hugging Face names of the dense and classifier weights and biases for a style.</summary>
    public static (string DenseWeight, string DenseBias, string OutWeight, string OutBias) Names(ClassificationHeadStyle style) => style switch
    {
        ClassificationHeadStyle.Bert => ("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"),
        _ => ("classifier.dense.weight", "classifier.dense.bias", "classifier.out_proj.weight", "classifier.out_proj.bias"),
    };

    /// <summary>The head style of a config.json <c>model_type</c>: RoBERTa's for roberta and xlm-roberta, BERT's otherwise.</summary>
    public static ClassificationHeadStyle StyleOf(string modelType)
        => modelType is "roberta" or "xlm-roberta" or "camembert" ? ClassificationHeadStyle.Roberta : ClassificationHeadStyle.Bert;

    /// <summary>
    /// A new head initialised as Hugging Face does (weights normal(0, <paramref name="initializerRange"/>), biases 0),
    /// deterministic in <paramref name="seed"/>. With <paramref name="tensors"/>, a pooler found there (BERT checkpoints
    /// of bi-encoders usually carry one) is used instead of a random dense layer, as <c>from_pretrained</c> would.
    /// </summary>
    public static SequenceClassificationHead Create(ClassificationHeadStyle style, int hiddenSize, int numLabels, int seed,
        float initializerRange = 0.02f, IReadOnlyDictionary<string, Parameter>? tensors = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numLabels, 1);
        var (dw, db, ow, ob) = Names(style);
        var rng = new Random(seed);
        float[] Normal(int n)
        {
            var v = new float[n];
            for (int i = 0; i < n; i += 2)
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble(), r = Math.Sqrt(-2 * Math.Log(u1)) * initializerRange;
                v[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
                if (i + 1 < n) v[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
            }
            return v;
        }
        Parameter? denseW = null, denseB = null;
        if (tensors is not null && Find(tensors, dw) is { } w && Find(tensors, db) is { } b
            && w.Shape.AsSpan().SequenceEqual([hiddenSize, hiddenSize]) && b.Shape.AsSpan().SequenceEqual([hiddenSize]))
        {
            denseW = new Parameter(dw, w.Shape, (float[])w.Value.Clone());
            denseB = new Parameter(db, b.Shape, (float[])b.Value.Clone());
        }
        denseW ??= new Parameter(dw, [hiddenSize, hiddenSize], Normal(hiddenSize * hiddenSize));
        denseB ??= new Parameter(db, [hiddenSize], new float[hiddenSize]);
        return new SequenceClassificationHead(style, hiddenSize, numLabels, denseW, denseB,
            new Parameter(ow, [numLabels, hiddenSize], Normal(numLabels * hiddenSize)), new Parameter(ob, [numLabels], new float[numLabels]));
    }

    /// <summary>Loads the head from checkpoint tensors (names as in <see cref="Names"/>; BERT's pooler also without the <c>bert.</c> prefix).</summary>
    /// <exception cref="ModelFormatException">A tensor is missing or has the wrong shape; the message names <paramref name="source"/> and the tensor.</exception>
    public static SequenceClassificationHead Load(ClassificationHeadStyle style, int hiddenSize, int numLabels,
        IReadOnlyDictionary<string, Parameter> tensors, string source)
    {
        var (dw, db, ow, ob) = Names(style);
        Parameter Get(string name, params int[] shape)
        {
            var p = Find(tensors, name) ?? throw new ModelFormatException(source,
                $"tensor '{name}' is missing (shape [{string.Join(", ", shape)}] expected for a {style} sequence-classification head with {numLabels} label(s)).");
            if (!p.Shape.AsSpan().SequenceEqual(shape))
                throw new ModelFormatException(source, $"tensor '{name}' has shape [{string.Join(", ", p.Shape)}], expected [{string.Join(", ", shape)}] (num_labels {numLabels}, hidden_size {hiddenSize}).");
            return p.Name == name ? p : new Parameter(name, shape, p.Value);
        }
        return new SequenceClassificationHead(style, hiddenSize, numLabels,
            Get(dw, hiddenSize, hiddenSize), Get(db, hiddenSize), Get(ow, numLabels, hiddenSize), Get(ob, numLabels));
    }

    static Parameter? Find(IReadOnlyDictionary<string, Parameter> tensors, string name)
    {
        if (tensors.TryGetValue(name, out var p)) return p;
        if (name.StartsWith("bert.", StringComparison.Ordinal) && tensors.TryGetValue(name["bert.".Length..], out p)) return p;
        return null;
    }

    /// <summary>Logits [Count × NumLabels] from the backbone's packed token vectors [TotalTokens × HiddenSize] (inference: no dropout).</summary>
    public float[] Forward(ReadOnlySpan<float> hidden, TokenBatch batch)
    {
        int n = batch.Count, H = HiddenSize;
        var first = GatherFirst(hidden, batch);
        var pooled = new float[n * H];
        Linear.Forward(first, _denseW.Value, _denseB.Value, pooled, n, H, H);
        for (int i = 0; i < pooled.Length; i++) pooled[i] = MathF.Tanh(pooled[i]);
        var logits = new float[n * NumLabels];
        Linear.Forward(pooled, _outW.Value, _outB.Value, logits, n, H, NumLabels);
        return logits;
    }

    /// <summary>Training forward: as <see cref="Forward"/> with dropout (masks from <paramref name="dropoutSeed"/>), keeping what <see cref="Backward"/> needs.</summary>
    public HeadActivations ForwardTrain(ReadOnlySpan<float> hidden, TokenBatch batch, ulong dropoutSeed)
    {
        int n = batch.Count, H = HiddenSize;
        float rate = Dropout;
        var first = GatherFirst(hidden, batch);
        if (Style == ClassificationHeadStyle.Roberta) Kernels.Dropout.Apply(first, Kernels.Dropout.Stream(dropoutSeed, DropoutLayer, SiteInput), 0, rate);
        var pooled = new float[n * H];
        Linear.Forward(first, _denseW.Value, _denseB.Value, pooled, n, H, H);
        for (int i = 0; i < pooled.Length; i++) pooled[i] = MathF.Tanh(pooled[i]);
        var dropped = (float[])pooled.Clone();
        Kernels.Dropout.Apply(dropped, Kernels.Dropout.Stream(dropoutSeed, DropoutLayer, SitePooled), 0, rate);
        var logits = new float[n * NumLabels];
        Linear.Forward(dropped, _outW.Value, _outB.Value, logits, n, H, NumLabels);
        return new HeadActivations(batch, first, pooled, dropped, logits, dropoutSeed, rate);
    }

    /// <summary>
    /// Accumulates the head's parameter gradients from dLoss/dLogits [Count × NumLabels] and returns dLoss/dHidden
    /// [TotalTokens × HiddenSize] (non-zero only on each sequence's first token), ready for the backbone's Backward.
    /// </summary>
    public float[] Backward(HeadActivations activations, ReadOnlySpan<float> logitGradient)
    {
        var batch = activations.Batch;
        int n = batch.Count, H = HiddenSize;
        if (logitGradient.Length != n * NumLabels) throw new ArgumentException($"Expected {n * NumLabels} logit gradients, found {logitGradient.Length}.", nameof(logitGradient));
        var dDropped = new float[n * H];
        Linear.Backward(logitGradient, activations.Dropped, _outW.Value, dDropped, _outW.Grad, _outB.Grad, n, H, NumLabels);
        Kernels.Dropout.Apply(dDropped, Kernels.Dropout.Stream(activations.Seed, DropoutLayer, SitePooled), 0, activations.Rate);
        var pooled = activations.Pooled;
        for (int i = 0; i < dDropped.Length; i++) dDropped[i] *= 1f - pooled[i] * pooled[i];
        var dFirst = new float[n * H];
        Linear.Backward(dDropped, activations.First, _denseW.Value, dFirst, _denseW.Grad, _denseB.Grad, n, H, H);
        if (Style == ClassificationHeadStyle.Roberta) Kernels.Dropout.Apply(dFirst, Kernels.Dropout.Stream(activations.Seed, DropoutLayer, SiteInput), 0, activations.Rate);
        var dHidden = new float[batch.TotalTokens * H];
        for (int s = 0; s < n; s++)
            if (batch.Length(s) > 0) dFirst.AsSpan(s * H, H).CopyTo(dHidden.AsSpan(batch.Starts[s] * H, H));
        return dHidden;
    }

    float[] GatherFirst(ReadOnlySpan<float> hidden, TokenBatch batch)
    {
        int H = HiddenSize;
        if (hidden.Length < batch.TotalTokens * H) throw new ArgumentException($"Expected {batch.TotalTokens}×{H} hidden values, found {hidden.Length}.", nameof(hidden));
        var first = new float[batch.Count * H];
        for (int s = 0; s < batch.Count; s++)
            if (batch.Length(s) > 0) hidden.Slice(batch.Starts[s] * H, H).CopyTo(first.AsSpan(s * H, H));
        return first;
    }

    /// <summary>
    /// Writes the config.json fields of a sequence-classification model into <paramref name="config"/>:
    /// <c>architectures</c>, <c>num_labels</c>-defining <c>id2label</c> / <c>label2id</c>.
    /// </summary>
    public static void WriteConfig(JsonObject config, string modelType, IReadOnlyList<string> labels)
    {
        config["architectures"] = new JsonArray(JsonValue.Create(modelType switch
        {
            "roberta" => "RobertaForSequenceClassification",
            "xlm-roberta" => "XLMRobertaForSequenceClassification",
            _ => "BertForSequenceClassification",
        }));
        var id2label = new JsonObject(); var label2id = new JsonObject();
        for (int i = 0; i < labels.Count; i++) { id2label[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = labels[i]; label2id[labels[i]] = i; }
        config["id2label"] = id2label; config["label2id"] = label2id;
    }
}
