using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>
/// A reranker on ONNX Runtime: an ONNX graph with the classification head inside (output <c>logits</c> [batch, num_labels],
/// as <c>mlnet-embed export</c> writes for a cross-encoder folder, and as Hugging Face optimum exports a
/// <c>*ForSequenceClassification</c> model), with the folder's tokenizer, pair template and config.json settings
/// (labels, activation) in front. Pairs are tokenized, truncated and batched exactly as <see cref="CrossEncoder"/> does
/// (<see cref="CrossEncoderScoring"/>), so <see cref="Predict"/> and <see cref="Rank"/> return the same scores.
/// </summary>
/// <example>
/// <code>
/// using var reranker = OnnxCrossEncoder.Load("models/my-reranker");   // models/my-reranker/onnx/model.onnx
/// foreach (var hit in reranker.Rank("what is the capital of France?", documents, topK: 3))
///     Console.WriteLine($"{hit.Score:F3} {hit.Document}");
/// </code>
/// </example>
public sealed class OnnxCrossEncoder : ICrossEncoder, IDisposable
{
    const string LogitsOutput = "logits";
    readonly OnnxTokenInputs _inputs;
    readonly string[] _outputs = [LogitsOutput];

    OnnxCrossEncoder(OrtSession session, string modelPath, PairTokenizer pairs, IReadOnlyList<string> labels,
        CrossEncoderActivation activation, int maxLength, int maxPositions)
    {
        Session = session; ModelPath = modelPath; Pairs = pairs; Labels = labels; Activation = activation;
        MaxPositions = maxPositions; MaxLength = Math.Min(maxLength, maxPositions);
        _inputs = new OnnxTokenInputs(session, modelPath);
    }

    /// <summary>The ONNX Runtime session.</summary>
    public OrtSession Session { get; }
    /// <summary>The ONNX file.</summary>
    public string ModelPath { get; }
    /// <summary>The pair tokenizer (template and longest-first truncation).</summary>
    public PairTokenizer Pairs { get; }
    /// <inheritdoc/>
    public IReadOnlyList<string> Labels { get; }
    /// <inheritdoc/>
    public int NumLabels => Labels.Count;
    /// <summary>What <see cref="Predict"/> applies to the logits (config.json's setting; sigmoid for one label otherwise).</summary>
    public CrossEncoderActivation Activation { get; set; }
    /// <summary>Token cap per pair (tokenizer_config.json <c>model_max_length</c>, capped by the position embeddings).</summary>
    public int MaxLength { get; set; }
    /// <summary>Longest sequence the model's position embeddings allow (config.json; unbounded when it does not say).</summary>
    public int MaxPositions { get; }

    /// <summary>
    /// Loads <paramref name="pathOrFolder"/>: a cross-encoder folder (uses <c>onnx/&lt;ModelFile&gt;</c>, else
    /// <c>&lt;ModelFile&gt;</c> in the folder) or an explicit <c>.onnx</c> file whose folder (or that folder's parent, for
    /// <c>onnx/</c>) holds the tokenizer and config.json.
    /// </summary>
    /// <exception cref="ModelFormatException">No ONNX file, no <c>logits</c> output, or a label count that disagrees with config.json; the message names the file.</exception>
    public static OnnxCrossEncoder Load(string pathOrFolder, OnnxOptions? options = null)
    {
        options ??= new OnnxOptions();
        var (folder, model) = OnnxSentenceEncoder.Resolve(pathOrFolder, options.ModelFile);
        var tokenizer = TokenizerLoader.Load(folder);
        var pairs = PairTokenizer.Load(folder, tokenizer);
        string configPath = Path.Combine(folder, ModelFolder.ConfigFile);
        var config = JsonFile.ReadObject(configPath);
        var session = OrtSession.Open(model, options);
        try
        {
            var logits = session.Outputs.FirstOrDefault(o => o.Name == LogitsOutput)
                ?? throw new ModelFormatException(model, $"the ONNX model has no '{LogitsOutput}' output (outputs: {string.Join(", ", session.Outputs)}); " +
                    "a cross-encoder graph ends in its classification head. Export one with `mlnet-embed export --model CROSS_ENCODER_FOLDER`.");
            if (logits.ElementType != OrtElementType.Float || logits.Shape.Length != 2)
                throw new ModelFormatException(model, $"output '{LogitsOutput}' is {logits.ElementType} of rank {logits.Shape.Length}; expected float [batch, num_labels].");
            int? fromGraph = logits.Shape[1] > 0 ? (int)logits.Shape[1] : null;
            int? fromConfig = CrossEncoderFolder.NumLabels(config, configPath);
            if (fromGraph is { } g && fromConfig is { } c && g != c)
                throw new ModelFormatException(configPath, $"config.json declares {c} label(s), but the ONNX model {model} outputs {g} logits per pair.");
            int numLabels = fromGraph ?? fromConfig
                ?? throw new ModelFormatException(configPath, "the number of labels is neither fixed in the ONNX output shape nor given in config.json (id2label or num_labels).");
            string type = config?["model_type"]?.GetValue<string>() ?? "";
            int offset = type is "roberta" or "xlm-roberta" or "camembert" ? (JsonFile.Int(configPath, config, "pad_token_id") ?? 1) + 1 : 0;
            int maxPositions = JsonFile.Int(configPath, config, "max_position_embeddings") is { } m ? m - offset : int.MaxValue;
            return new OnnxCrossEncoder(session, model, pairs, CrossEncoderFolder.Labels(config, configPath, numLabels),
                CrossEncoderFolder.Activation(config, configPath, numLabels), TokenizerLoader.ReadMaxLength(folder) ?? 512, maxPositions);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Logits [Count × NumLabels] of a packed batch of pair tokens (padded to its longest pair for the graph).</summary>
    public float[] Logits(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new float[batch.Count * NumLabels];
        if (batch.Count == 0) return result;
        var buffers = _inputs.Rent(batch, MaxPositions, out var inputs, out _);
        try
        {
            Session.RunInto(inputs, _outputs, [OrtTensor.Float(LogitsOutput, result, batch.Count, NumLabels)]);
        }
        finally { _inputs.Return(buffers); }
        return result;
    }

    /// <inheritdoc/>
    /// <exception cref="ConfigurationException">An option is out of range.</exception>
    public float[][] PredictLogits(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.PredictLogits(Pairs, MaxLength, MaxPositions, NumLabels, Logits, pairs, options, cancellationToken);

    /// <inheritdoc/>
    public float[][] PredictAll(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.PredictAll(this, pairs, options, cancellationToken);

    /// <inheritdoc/>
    public float[] Predict(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.Predict(this, pairs, options, cancellationToken);

    /// <inheritdoc/>
    public IReadOnlyList<RankedDocument> Rank(string query, IReadOnlyList<string> documents, int? topK = null, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.Rank(this, query, documents, topK, options, cancellationToken);

    /// <summary>Releases the session.</summary>
    public void Dispose() => Session.Dispose();
}
