using System.Numerics.Tensors;
using System.Text.Json;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Backbones.Static;

/// <summary>
/// Static word vectors (GloVe, word2vec, fastText): the token vector is a row of one embedding table
/// <c>embedding.weight</c> [vocab × dim] (the name sentence-transformers' <c>StaticEmbedding</c> uses). Followed by mean
/// pooling this is the classic "average word embeddings" sentence encoder. Trainable: the backward pass scatters the
/// output gradient into the rows that were looked up and records them in <see cref="Parameter.TouchedRows"/>, so an
/// optimiser updates only those rows. There is no dropout: <see cref="HiddenDropout"/> and
/// <see cref="AttentionDropout"/> exist for the interface and are ignored.
/// </summary>
public sealed class StaticEmbeddingBackbone : ITrainableBackbone
{
    /// <summary>Name of the embedding table in model.safetensors.</summary>
    public const string WeightName = "embedding.weight";
    /// <summary>The <c>model_type</c> written to config.json.</summary>
    public const string Type = "static";
    /// <summary>max_seq_length given to encoders of static models (sentence-transformers' WordEmbeddings uses the same).</summary>
    public const int DefaultMaxSeqLength = 1_000_000;

    readonly Parameter[] _parameters;

    /// <summary>Wraps an embedding table [vocabSize × dimensions], row-major (not copied).</summary>
    public StaticEmbeddingBackbone(float[] table, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        if (table.Length % dimensions != 0)
            throw new ArgumentException($"Table length {table.Length} is not a multiple of {dimensions} dimensions.", nameof(table));
        Embedding = new Parameter(WeightName, [table.Length / dimensions, dimensions], table) { TouchedRows = new HashSet<int>() };
        _parameters = [Embedding];
    }

    /// <summary>The embedding table <c>embedding.weight</c> [vocab × dim].</summary>
    public Parameter Embedding { get; }
    /// <summary>Number of rows (words).</summary>
    public int VocabSize => Embedding.Shape[0];
    /// <inheritdoc/>
    public string ModelType => Type;
    /// <inheritdoc/>
    public int HiddenSize => Embedding.Shape[1];
    /// <summary>int.MaxValue: a bag of words has no position limit.</summary>
    public int MaxPositions => int.MaxValue;
    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;
    /// <summary>Ignored: static models have no dropout (kept so a trainer can set it uniformly).</summary>
    public float HiddenDropout { get; set; }
    /// <summary>Ignored: static models have no attention.</summary>
    public float AttentionDropout { get; set; }

    /// <summary>The row of word <paramref name="id"/>.</summary>
    public ReadOnlySpan<float> Row(int id) => Embedding.Value.AsSpan(checked(id * HiddenSize), HiddenSize);

    /// <summary>Looks up every token: [TotalTokens × HiddenSize].</summary>
    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var output = new float[checked(batch.TotalTokens * HiddenSize)];
        Forward(batch, output, cancellationToken);
        return output;
    }

    /// <summary>Looks up every token into <paramref name="output"/> (at least [TotalTokens × HiddenSize]; e.g. a pooled buffer).</summary>
    public void Forward(TokenBatch batch, Span<float> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int dim = HiddenSize, vocab = VocabSize;
        if (output.Length < checked(batch.TotalTokens * dim))
            throw new ArgumentException($"output holds {output.Length} values, expected at least {batch.TotalTokens}×{dim}.", nameof(output));
        var table = Embedding.Value;
        var ids = batch.Ids;
        for (int t = 0; t < ids.Length; t++)
        {
            if ((t & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            int id = ids[t];
            if ((uint)id >= (uint)vocab)
                throw new ArgumentOutOfRangeException(nameof(batch), $"Token {t} has id {id}; the vocabulary has {vocab} words.");
            table.AsSpan(id * dim, dim).CopyTo(output.Slice(t * dim, dim));
        }
    }

    /// <summary>Forward pass for training; nothing beyond the batch is kept (the backward pass needs only the ids).</summary>
    public BackboneActivations ForwardTrain(TokenBatch batch, ulong dropoutSeed)
        => new StaticActivations { Batch = batch, Output = Forward(batch) };

    /// <summary>
    /// Adds row <c>t</c> of <paramref name="outputGradient"/> to the gradient row of token <c>t</c>'s id (a word
    /// repeated in the batch accumulates) and records the ids in <see cref="Parameter.TouchedRows"/>.
    /// </summary>
    public void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient)
    {
        ArgumentNullException.ThrowIfNull(activations);
        var batch = activations.Batch;
        int dim = HiddenSize;
        if (outputGradient.Length != batch.TotalTokens * dim)
            throw new ArgumentException($"Expected an output gradient of {batch.TotalTokens}×{dim} values, found {outputGradient.Length}.", nameof(outputGradient));
        var grad = Embedding.Grad;
        var touched = Embedding.TouchedRows ??= new HashSet<int>();
        var ids = batch.Ids;
        for (int t = 0; t < ids.Length; t++)
        {
            int id = ids[t];
            var row = grad.AsSpan(id * dim, dim);
            TensorPrimitives.Add(row, outputGradient.Slice(t * dim, dim), row);
            touched.Add(id);
        }
    }

    /// <summary>Writes <c>config.json</c> (<c>"model_type": "static"</c>) and <c>model.safetensors</c> (<c>embedding.weight</c>).</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        using (var ms = new MemoryStream())
        {
            using (var json = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("model_type", Type);
                json.WriteNumber("hidden_size", HiddenSize);
                json.WriteNumber("vocab_size", VocabSize);
                json.WriteEndObject();
            }
            WriteAtomic(Path.Combine(folder, "config.json"), ms.ToArray());
        }
        SafeTensors.Write(Path.Combine(folder, "model.safetensors"), _parameters);
    }

    /// <summary>Loads the backbone from a folder written by <see cref="Save"/> (config.json + model.safetensors).</summary>
    public static StaticEmbeddingBackbone Load(string folder)
    {
        string configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(configPath)) throw new ModelFormatException(configPath, "config.json not found.");
        int? hidden;
        using (var doc = JsonFile.ParseObject(configPath))
        {
            string? type = JsonFile.String(configPath, doc.RootElement, "model_type");
            if (type != Type) throw new ModelFormatException(configPath, $"field 'model_type': expected '{Type}', found '{type ?? "(missing)"}'.");
            hidden = JsonFile.Int(configPath, doc.RootElement, "hidden_size");
        }

        string weightsPath = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weightsPath)) throw new ModelFormatException(weightsPath, "model.safetensors not found.");
        var tensors = SafeTensors.Read(weightsPath);
        if (!tensors.TryGetValue(WeightName, out var table))
            throw new ModelFormatException(weightsPath, $"tensor '{WeightName}' not found; found {string.Join(", ", tensors.Keys)}.");
        if (table.Shape.Length != 2)
            throw new ModelFormatException(weightsPath, $"tensor '{WeightName}': expected 2 dimensions [vocab, dim], found [{string.Join(",", table.Shape)}].");
        if (hidden is int h && h != table.Shape[1])
            throw new ModelFormatException(weightsPath, $"tensor '{WeightName}': config.json says hidden_size {h}, the tensor has {table.Shape[1]} columns.");
        return new StaticEmbeddingBackbone(table.Value, table.Shape[1]);
    }

    /// <summary>
    /// Loads a folder saved by <c>SentenceEncoder.Save</c> for a static model (config.json, model.safetensors,
    /// vocab.txt, tokenizer_config.json) as a mean-pooled encoder.
    /// </summary>
    public static SentenceEncoder LoadFolder(string folder)
    {
        var backbone = Load(folder);
        var tokenizer = WordTokenizer.Load(folder);
        if (tokenizer.VocabSize != backbone.VocabSize)
            throw new ModelFormatException(Path.Combine(folder, WordTokenizer.VocabFileName),
                $"the vocabulary has {tokenizer.VocabSize} words, {WeightName} has {backbone.VocabSize} rows.");
        return Assemble(tokenizer, backbone, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))));
    }

    /// <summary>
    /// Loads a word-vector file (.txt/.vec text format with or without a <c>count dims</c> header; .bin word2vec binary)
    /// as a mean-pooled encoder. The tokenizer lower-cases the input when the vocabulary has no upper-case letters.
    /// </summary>
    public static SentenceEncoder LoadWordVectors(string path) => LoadWordVectors(path, CancellationToken.None);

    /// <summary>As <see cref="LoadWordVectors(string)"/>, cancellable.</summary>
    public static SentenceEncoder LoadWordVectors(string path, CancellationToken cancellationToken)
    {
        var vectors = WordVectorFile.Read(path, cancellationToken);
        var tokenizer = new WordTokenizer(vectors.Words, lowercase: !WordTokenizer.HasUpperCase(vectors.Words));
        var backbone = new StaticEmbeddingBackbone(vectors.Table, vectors.Dimensions);
        return Assemble(tokenizer, backbone, Path.GetFileName(path));
    }

    static SentenceEncoder Assemble(WordTokenizer tokenizer, StaticEmbeddingBackbone backbone, string modelId)
        => new(tokenizer, backbone, new SentenceEncoderConfig
        {
            Pooling = PoolingMode.Mean,
            ModelId = modelId,
            MaxSeqLength = DefaultMaxSeqLength,
            DoLowerCase = tokenizer.Lowercase,
        });

    static void WriteAtomic(string path, byte[] bytes)
    {
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    sealed class StaticActivations : BackboneActivations { }
}
