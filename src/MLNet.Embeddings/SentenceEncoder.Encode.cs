using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings;

public sealed partial class SentenceEncoder
{
    /// <summary>Width of the vectors <see cref="Encode(IReadOnlyList{string}, EncodeOptions?, CancellationToken)"/> returns (before Matryoshka truncation).</summary>
    public int Dimensions => Backbone is IPooledBackbone p ? p.Dimensions : Backbone.HiddenSize;

    /// <summary>
    /// Encodes texts to vectors, in input order. Texts are sorted by length into batches of
    /// <see cref="EncodeOptions.BatchSize"/> (packed, no padding), run through the backbone, pooled, optionally
    /// truncated (<see cref="EncodeOptions.Dimensions"/>) and L2-normalised. Empty texts and texts longer than the
    /// token limit encode without error (long texts are truncated).
    /// </summary>
    /// <exception cref="ConfigurationException">An option is out of range or names an unknown prompt.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public float[][] Encode(IReadOnlyList<string> texts, EncodeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new EncodeOptions();
        if (options.BatchSize <= 0) throw new ConfigurationException(nameof(EncodeOptions.BatchSize), $"must be at least 1, found {options.BatchSize}.");
        var head = CreatePoolingHead(options);
        string? prompt = ResolvePrompt(options);
        int maxLength = EffectiveMaxLength(options.MaxLength);
        int skip = PoolingSkip(prompt, maxLength);

        var order = Enumerable.Range(0, texts.Count).ToArray();
        var lengths = new int[texts.Count];
        for (int i = 0; i < texts.Count; i++)
            lengths[i] = -(texts[i] ?? throw new ArgumentException($"texts[{i}] is null.", nameof(texts))).Length;
        Array.Sort(lengths, order); // longest first, like sentence-transformers; Array.Sort on keys is unstable, so fix ties below
        SortTiesByIndex(lengths, order);

        var result = new float[texts.Count][];
        var tokenized = new List<TokenizedText>(options.BatchSize);
        for (int from = 0; from < order.Length; from += options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int to = Math.Min(order.Length, from + options.BatchSize);
            tokenized.Clear();
            for (int k = from; k < to; k++) tokenized.Add(Tokenize(texts[order[k]], prompt, maxLength));
            var batch = TokenBatch.From(tokenized);
            var skips = new int[batch.Count];
            Array.Fill(skips, skip);
            float[] vectors = Embed(batch, skips, head, cancellationToken);
            int dims = head.OutputDimensions(Dimensions);
            for (int k = from; k < to; k++) result[order[k]] = vectors.AsSpan((k - from) * dims, dims).ToArray();
            options.Progress?.Report(to);
        }
        return result;
    }

    /// <summary>Encodes one text (see <see cref="Encode(IReadOnlyList{string}, EncodeOptions?, CancellationToken)"/>).</summary>
    public float[] Encode(string text, EncodeOptions? options = null) => Encode(new[] { text }, options)[0];

    /// <summary>Similarity of two vectors under the model's similarity function (<see cref="SentenceEncoderConfig.Similarity"/>).</summary>
    public float Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => VectorSimilarity.Score(Config.Similarity, a, b);

    /// <summary>
    /// All-pairs similarity under the model's similarity function, like sentence-transformers' <c>model.similarity</c>:
    /// an <c>[a.Count × b.Count]</c> matrix.
    /// </summary>
    public Tensors.Matrix Similarity(IReadOnlyList<float[]> a, IReadOnlyList<float[]> b)
        => VectorSimilarity.Pairwise(Config.Similarity, Tensors.Matrix.FromRows(a), Tensors.Matrix.FromRows(b));

    /// <summary>Similarity of two texts: both are encoded with <paramref name="options"/>, then compared with the model's similarity function.</summary>
    public float Similarity(string a, string b, EncodeOptions? options = null)
    {
        var v = Encode(new[] { a, b }, options);
        return Similarity(v[0], v[1]);
    }

    /// <summary>
    /// The prompt <see cref="Encode(IReadOnlyList{string}, EncodeOptions?, CancellationToken)"/> prepends: the literal
    /// <see cref="EncodeOptions.Prompt"/>, else the named prompt, else the model's default prompt, else null.
    /// </summary>
    /// <exception cref="ConfigurationException"><see cref="EncodeOptions.PromptName"/> is not one of the model's prompts.</exception>
    public string? ResolvePrompt(EncodeOptions? options)
    {
        if (options?.Prompt is { } literal) return literal;
        string? name = options?.PromptName ?? Config.DefaultPromptName;
        if (name is null) return null;
        if (Config.Prompts.TryGetValue(name, out var prompt)) return prompt;
        throw new ConfigurationException(nameof(EncodeOptions.PromptName),
            $"'{name}' is not one of the model's prompts ({(Config.Prompts.Count == 0 ? "it has none" : string.Join(", ", Config.Prompts.Keys))}).");
    }

    /// <summary>The token limit used for a requested <paramref name="maxLength"/> (null: the model's max_seq_length), capped by the backbone's positions.</summary>
    public int EffectiveMaxLength(int? maxLength = null)
    {
        int max = maxLength ?? Config.MaxSeqLength;
        if (max <= 0) throw new ConfigurationException(nameof(EncodeOptions.MaxLength), $"must be at least 1, found {max}.");
        return Math.Min(max, Backbone.MaxPositions);
    }

    /// <summary>
    /// Tokenizes one text the way <see cref="Encode(IReadOnlyList{string}, EncodeOptions?, CancellationToken)"/> does:
    /// the prompt is prepended, the result lower-cased when the model says do_lower_case, special tokens added,
    /// and truncated to <paramref name="maxLength"/> (null: <see cref="EffectiveMaxLength"/>).
    /// </summary>
    public TokenizedText Tokenize(string text, string? prompt = null, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string input = prompt is null ? text : prompt + text;
        if (Config.DoLowerCase) input = input.ToLowerInvariant();
        return Tokenizer.Encode(input, maxLength ?? EffectiveMaxLength(), addSpecialTokens: true);
    }

    /// <summary>
    /// How many leading tokens pooling leaves out for <paramref name="prompt"/>: 0 when the model pools the prompt
    /// (include_prompt=true) or there is no prompt; otherwise sentence-transformers' prompt_length, the prompt's
    /// token count with special tokens minus the trailing one (i.e. [CLS] + the prompt's tokens).
    /// </summary>
    public int PoolingSkip(string? prompt, int? maxLength = null)
    {
        if (prompt is null || Config.PoolingIncludePrompt) return 0;
        string p = Config.DoLowerCase ? prompt.ToLowerInvariant() : prompt;
        return Math.Max(0, Tokenizer.Encode(p, maxLength ?? EffectiveMaxLength(), addSpecialTokens: true).Length - 1);
    }

    /// <summary>Tokenizes texts in the given order into one packed batch (for the trainer: backbone.ForwardTrain, then <see cref="CreatePoolingHead"/>).</summary>
    public EncoderBatch TokenizeBatch(IReadOnlyList<string> texts, EncodeOptions? options = null)
    {
        string? prompt = ResolvePrompt(options);
        int maxLength = EffectiveMaxLength(options?.MaxLength);
        int skip = PoolingSkip(prompt, maxLength);
        var tokenized = new TokenizedText[texts.Count];
        for (int i = 0; i < texts.Count; i++) tokenized[i] = Tokenize(texts[i], prompt, maxLength);
        var skips = new int[texts.Count];
        Array.Fill(skips, skip);
        return new EncoderBatch(TokenBatch.From(tokenized), skips);
    }

    /// <summary>
    /// The pooling → truncation → normalisation head for <paramref name="options"/>: <see cref="EncodeOptions.Pooling"/>
    /// (null: the model's pooling mode),
    /// <see cref="EncodeOptions.Normalize"/> (null: the model's Normalize module) and <see cref="EncodeOptions.Dimensions"/>.
    /// </summary>
    /// <exception cref="ConfigurationException"><see cref="EncodeOptions.Dimensions"/> is not between 1 and <see cref="Dimensions"/>, or <see cref="EncodeOptions.Pooling"/> differs from the mode of a model that pools inside its backbone.</exception>
    public PoolingHead CreatePoolingHead(EncodeOptions? options = null)
    {
        int? dims = options?.Dimensions;
        if (dims is int d && (d <= 0 || d > Dimensions))
            throw new ConfigurationException(nameof(EncodeOptions.Dimensions), $"must be between 1 and {Dimensions}, found {d}.");
        if (options?.Pooling is { } pooling && pooling != Config.Pooling && Backbone is IPooledBackbone)
            throw new ConfigurationException(nameof(EncodeOptions.Pooling), $"this model pools inside its backbone ({Config.Pooling}); {pooling} cannot be chosen.");
        return new PoolingHead(options?.Pooling ?? Config.Pooling, options?.Normalize ?? Config.Normalize, dims);
    }

    /// <summary>Runs the backbone on a packed batch and applies <paramref name="head"/>: vectors <c>[Count × head.OutputDimensions(Dimensions)]</c>.</summary>
    public float[] Embed(TokenBatch batch, ReadOnlySpan<int> skip, PoolingHead head, CancellationToken cancellationToken = default)
    {
        if (Backbone is IPooledBackbone pooled)
            return head.Finish(pooled.ForwardPooled(batch, cancellationToken), pooled.Dimensions);
        if (Backbone is Backbones.Static.StaticEmbeddingBackbone table)
        {
            // A static model's token matrix is only looked-up rows, pooled at once: a fresh array per batch (about
            // 200 kB for 32 GloVe-100d texts) would land on the large-object heap and cost a full GC every few
            // thousand texts in a long batch job, so it comes from a pool.
            int n = checked(batch.TotalTokens * table.HiddenSize);
            var buffer = System.Buffers.ArrayPool<float>.Shared.Rent(n);
            try
            {
                table.Forward(batch, buffer.AsSpan(0, n), cancellationToken);
                return head.Forward(buffer.AsSpan(0, n), table.HiddenSize, batch.Starts, skip);
            }
            finally { System.Buffers.ArrayPool<float>.Shared.Return(buffer); }
        }
        var tokens = Backbone.Forward(batch, cancellationToken);
        return head.Forward(tokens, Backbone.HiddenSize, batch.Starts, skip);
    }

    /// <summary>This encoder as a Microsoft.Extensions.AI embedding generator (see <see cref="SentenceEncoderEmbeddingGenerator"/>).</summary>
    public SentenceEncoderEmbeddingGenerator AsEmbeddingGenerator(EncodeOptions? defaults = null) => new(this, defaults);

    static void SortTiesByIndex(int[] keys, int[] order)
    {
        int start = 0;
        for (int i = 1; i <= keys.Length; i++)
            if (i == keys.Length || keys[i] != keys[start])
            {
                if (i - start > 1) Array.Sort(order, start, i - start);
                start = i;
            }
    }
}
