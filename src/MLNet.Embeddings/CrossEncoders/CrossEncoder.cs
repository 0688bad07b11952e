using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Heads;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.CrossEncoders;

/// <summary>
/// A reranker: reads a (query, document) pair together and returns a relevance score. A BERT-family backbone runs on
/// <c>[CLS] query [SEP] document [SEP]</c> and a <see cref="SequenceClassificationHead"/> turns the first token into
/// logits, as Hugging Face's <c>*ForSequenceClassification</c> and sentence-transformers' <c>CrossEncoder</c> do.
/// Loads and saves the folders those libraries read.
/// </summary>
/// <example>
/// <code>
/// var reranker = CrossEncoder.Load("models/my-reranker");
/// foreach (var hit in reranker.Rank("what is the capital of France?", documents, topK: 3))
///     Console.WriteLine($"{hit.Score:F3} {hit.Document}");
/// </code>
/// </example>
public sealed partial class CrossEncoder : ICrossEncoder
{
    CrossEncoder(BertBackbone backbone, SequenceClassificationHead head, ITokenizer tokenizer, PairTokenizer pairs,
        IReadOnlyList<string> labels, CrossEncoderActivation activation, int maxLength)
    {
        Backbone = backbone; Head = head; Tokenizer = tokenizer; Pairs = pairs; Labels = labels; Activation = activation;
        MaxLength = Math.Min(maxLength, backbone.MaxPositions);
    }

    /// <summary>The transformer that reads the pair.</summary>
    public BertBackbone Backbone { get; }
    /// <summary>The pooler and classifier on top.</summary>
    public SequenceClassificationHead Head { get; }
    /// <summary>The single-text tokenizer.</summary>
    public ITokenizer Tokenizer { get; }
    /// <summary>The pair tokenizer (template and longest-first truncation).</summary>
    public PairTokenizer Pairs { get; }
    /// <summary>Label names (config.json <c>id2label</c>); one entry for a reranker.</summary>
    public IReadOnlyList<string> Labels { get; }
    /// <summary>Number of logits per pair.</summary>
    public int NumLabels => Head.NumLabels;
    /// <summary>What <see cref="Predict"/> applies to the logits (default: sigmoid for one label, identity otherwise).</summary>
    public CrossEncoderActivation Activation { get; set; }
    /// <summary>Token cap per pair (tokenizer_config.json <c>model_max_length</c>, capped by the position embeddings).</summary>
    public int MaxLength { get; set; }
    /// <summary>The full path the model was loaded from; null for a model built in code.</summary>
    public string? SourcePath { get; private set; }

    /// <summary>
    /// Loads a Hugging Face sequence-classification folder (BERT, RoBERTa, XLM-R; config.json, model.safetensors with the
    /// head, tokenizer files), including sentence-transformers CrossEncoder folders and their activation setting.
    /// </summary>
    /// <exception cref="ModelFormatException">A file is missing or malformed, or the weights hold no classification head; the message names the file.</exception>
    public static CrossEncoder Load(string folder)
    {
        var (config, tensors, weights, backbone) = ReadBackbone(folder);
        var style = SequenceClassificationHead.StyleOf(config.ModelType);
        var outName = SequenceClassificationHead.Names(style).OutWeight;
        if (!tensors.TryGetValue(outName, out var outWeight))
            throw new ModelFormatException(weights, $"tensor '{outName}' is missing: this is not a sequence-classification model. " +
                "To start a reranker from an embedding model's weights, use CrossEncoder.FromEncoder (CLI: train-reranker --model).");
        int numLabels = outWeight.Shape[0];
        var labels = CrossEncoderFolder.Labels(config.Extra, Path.Combine(folder, ModelFolder.ConfigFile), numLabels);
        var head = SequenceClassificationHead.Load(style, config.HiddenSize, numLabels, tensors, weights);
        head.Dropout = ClassifierDropout(config);
        var tokenizer = TokenizerLoader.Load(folder);
        var model = new CrossEncoder(backbone, head, tokenizer, PairTokenizer.Load(folder, tokenizer), labels,
            CrossEncoderFolder.Activation(config.Extra, Path.Combine(folder, ModelFolder.ConfigFile), numLabels), TokenizerLoader.ReadMaxLength(folder) ?? 512)
        { SourcePath = Path.GetFullPath(folder) };
        return model;
    }

    /// <summary>
    /// A new cross-encoder on an embedding model's (or any BERT-family checkpoint's) weights: the backbone as saved, a
    /// pooler taken from the checkpoint when it has one (else random), and a new classifier with
    /// <paramref name="numLabels"/> outputs — what sentence-transformers does when a CrossEncoder starts from a base model.
    /// Accepts sentence-transformers folders (the transformer is read from the folder modules.json names).
    /// </summary>
    /// <exception cref="ModelFormatException">The folder holds no BERT-family model.</exception>
    public static CrossEncoder FromEncoder(string folder, int numLabels = 1, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numLabels, 1);
        string backboneFolder = ModelFolder.Read(folder).BackboneFolder;
        var (config, tensors, _, backbone) = ReadBackbone(backboneFolder);
        var style = SequenceClassificationHead.StyleOf(config.ModelType);
        var head = SequenceClassificationHead.Create(style, config.HiddenSize, numLabels, seed, config.InitializerRange, tensors);
        head.Dropout = ClassifierDropout(config);
        var tokenizer = TokenizerLoader.Load(backboneFolder);
        var labels = Enumerable.Range(0, numLabels).Select(i => "LABEL_" + i).ToArray();
        return new CrossEncoder(backbone, head, tokenizer, PairTokenizer.Load(backboneFolder, tokenizer), labels,
            numLabels == 1 ? CrossEncoderActivation.Sigmoid : CrossEncoderActivation.Identity, TokenizerLoader.ReadMaxLength(backboneFolder) ?? 512)
        { SourcePath = Path.GetFullPath(folder) };
    }

    /// <summary>
    /// Whether <paramref name="folder"/> holds a sequence-classification model (config.json <c>architectures</c> names a
    /// <c>*ForSequenceClassification</c>): <see cref="Load"/> it; otherwise start a new head with <see cref="FromEncoder(string, int, int)"/>.
    /// </summary>
    public static bool IsCrossEncoderFolder(string folder)
    {
        string path = Path.Combine(folder, ModelFolder.ConfigFile);
        if (!File.Exists(path)) return false;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?["architectures"] is JsonArray a
                && a.Any(n => n is JsonValue v && v.TryGetValue(out string? s) && s.EndsWith("ForSequenceClassification", StringComparison.Ordinal));
        }
        catch (System.Text.Json.JsonException ex) { throw new ModelFormatException(path, $"not valid JSON: {ex.Message}", ex); }
    }

    /// <summary>Loads a cross-encoder folder, or starts a one-label reranker from an embedding model's folder (see <see cref="IsCrossEncoderFolder"/>).</summary>
    public static CrossEncoder LoadOrCreate(string folder, int seed = 42) => IsCrossEncoderFolder(folder) ? Load(folder) : FromEncoder(folder, 1, seed);

    static (BertConfig Config, Dictionary<string, Parameter> Tensors, string Weights, BertBackbone Backbone) ReadBackbone(string folder)
    {
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "no such model folder.");
        string configPath = Path.Combine(folder, ModelFolder.ConfigFile);
        if (!File.Exists(configPath)) throw new ModelFormatException(configPath, "file not found; a cross-encoder folder needs config.json with a model_type.");
        var config = BertConfig.Load(configPath);
        if (config.ModelType is not ("bert" or "roberta" or "xlm-roberta"))
            throw new ModelFormatException(configPath, $"field 'model_type': '{config.ModelType}' is not supported for cross-encoders; supported: bert, roberta, xlm-roberta.");
        string weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights)) throw new ModelFormatException(weights, "file not found; the weights must be in safetensors format (pickled checkpoints are never loaded).");
        var tensors = SafeTensors.Read(weights);
        return (config, tensors, weights, new BertBackbone(config, tensors, weights));
    }

    static float ClassifierDropout(BertConfig config)
        => config.Extra?["classifier_dropout"] is JsonValue v && v.TryGetValue(out double d) ? (float)d : config.HiddenDropoutProb;

    /// <summary>
    /// Writes a Hugging Face folder that <c>transformers</c> (<c>AutoModelForSequenceClassification</c>), sentence-transformers'
    /// <c>CrossEncoder</c> and <see cref="Load"/> read: config.json (with architectures, id2label, label2id and the
    /// activation), model.safetensors with Hugging Face names and the tokenizer files.
    /// </summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var config = Backbone.Config.ToJson();
        SequenceClassificationHead.WriteConfig(config, Backbone.Config.ModelType, Labels);
        config[CrossEncoderFolder.SentenceTransformersField] = new JsonObject
        {
            ["activation_fn"] = CrossEncoderFolder.ActivationNames.First(kv => kv.Value == Activation).Key,
        };
        JsonFile.Write(Path.Combine(folder, ModelFolder.ConfigFile), config);
        string prefix = Head.Style == ClassificationHeadStyle.Bert ? "bert." : "roberta.";
        var tensors = Backbone.Parameters.Select(p => new Parameter(prefix + p.Name, p.Shape, p.Value)).Concat(Head.Parameters);
        SafeTensors.Write(Path.Combine(folder, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        Tokenizer.Save(folder);
    }

    /// <summary>Tokenizes one pair as <see cref="Predict"/> does (truncated to <paramref name="maxLength"/>, default <see cref="MaxLength"/>).</summary>
    public TokenizedText Tokenize(string query, string document, int? maxLength = null) => Pairs.Encode(query, document, maxLength ?? MaxLength);

    /// <summary>
    /// Raw logits [pairs][NumLabels], in input order. Pairs are sorted by token length into batches of
    /// <see cref="CrossEncoderOptions.BatchSize"/> and run packed, without padding.
    /// </summary>
    /// <exception cref="ConfigurationException">An option is out of range.</exception>
    public float[][] PredictLogits(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.PredictLogits(Pairs, MaxLength, Backbone.MaxPositions, NumLabels, Logits, pairs, options, cancellationToken);

    /// <summary>Logits [Count × NumLabels] of a packed batch of pair tokens (inference).</summary>
    public float[] Logits(TokenBatch batch, CancellationToken cancellationToken = default)
        => Head.Forward(Backbone.Forward(batch, cancellationToken), batch);

    /// <summary>
    /// Scores per pair, in input order: the logits through the activation. One label gives one score per pair; with
    /// several labels the score is the last label's (for a two-label "not relevant / relevant" model, the relevant one) —
    /// use <see cref="PredictAll"/> for every label.
    /// </summary>
    public float[] Predict(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.Predict(this, pairs, options, cancellationToken);

    /// <summary>Every label's score per pair ([pairs][NumLabels]), after the activation.</summary>
    public float[][] PredictAll(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.PredictAll(this, pairs, options, cancellationToken);

    /// <summary>Applies an activation to one pair's logits in place.</summary>
    public static void Activate(Span<float> logits, CrossEncoderActivation activation)
    {
        switch (activation)
        {
            case CrossEncoderActivation.Sigmoid:
                for (int i = 0; i < logits.Length; i++) logits[i] = 1f / (1f + MathF.Exp(-logits[i]));
                break;
            case CrossEncoderActivation.Softmax:
                float max = float.NegativeInfinity, sum = 0;
                foreach (var v in logits) max = Math.Max(max, v);
                for (int i = 0; i < logits.Length; i++) { logits[i] = MathF.Exp(logits[i] - max); sum += logits[i]; }
                for (int i = 0; i < logits.Length; i++) logits[i] /= sum;
                break;
        }
    }

    /// <summary>
    /// Scores every document against <paramref name="query"/> and returns them best first (ties keep input order);
    /// with <paramref name="topK"/>, only the first <paramref name="topK"/>.
    /// </summary>
    public IReadOnlyList<RankedDocument> Rank(string query, IReadOnlyList<string> documents, int? topK = null, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.Rank(this, query, documents, topK, options, cancellationToken);
}
