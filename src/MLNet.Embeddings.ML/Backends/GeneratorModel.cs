using Microsoft.Extensions.AI;
using MLNet.Embeddings.Remote;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The model of an embedding stage that calls an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (a remote API)
/// instead of running weights here: one generator call per window of rows (a <see cref="RemoteEmbeddingGenerator"/>
/// splits it into requests of its <see cref="RemoteEmbeddingOptions.MaxBatchSize"/>), vectors in row order, their
/// width taken from the first reply and checked on every later one. Prompt, normalisation and Matryoshka size are
/// applied as <see cref="EmbeddingFunctions.FromGenerator"/> applies them everywhere else.
/// </summary>
internal sealed class GeneratorModel
{
    /// <summary>The text of the first call, made when the stage is built: its reply gives the width of the vectors.</summary>
    internal const string ProbeText = "dimensions";

    readonly Func<IReadOnlyList<string>, float[][]> _embed;

    GeneratorModel(IEmbeddingGenerator<string, Embedding<float>> generator, string? name, ApplyEmbeddingOptions settings)
    {
        Generator = generator;
        Name = name;
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Where = name is not null && metadata?.ProviderUri is { } uri ? $"{name} at {uri}"
            : name ?? $"the embedding generator {metadata?.DefaultModelId ?? generator.GetType().Name}";
        Check(settings);
        var encode = settings.ToEncodeOptions();
        encode.Pooling = null;
        _embed = EmbeddingFunctions.FromGenerator(generator, encode);
        var first = Call([ProbeText]);
        Dimensions = first[0].Length;
        if (Dimensions == 0) throw new InvalidOperationException($"{Where} answered an empty vector.");
    }

    /// <summary>The generator the stage calls.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Generator { get; }

    /// <summary>The <c>openai:MODEL</c> name the stage was made from; null for a generator instance given in C#.</summary>
    public string? Name { get; }

    /// <summary>The model and endpoint, for messages.</summary>
    public string Where { get; }

    /// <summary>Width of the vectors (of the first reply).</summary>
    public int Dimensions { get; }

    /// <summary>A stage over a generator instance (not savable).</summary>
    public static GeneratorModel FromInstance(IEmbeddingGenerator<string, Embedding<float>> generator, ApplyEmbeddingOptions settings)
        => new(generator ?? throw new ArgumentNullException(nameof(generator)), null, settings);

    /// <summary>
    /// A stage over <c>openai:MODEL</c> at <see cref="ApplyEmbeddingOptions.Remote"/>'s endpoint, the key read from its
    /// <see cref="RemoteEmbeddingOptions.ApiKeyVariable"/> (or its <see cref="RemoteEmbeddingOptions.ApiKey"/>, which is never saved).
    /// </summary>
    public static GeneratorModel Open(string name, ApplyEmbeddingOptions settings)
    {
        var remote = (settings.Remote ?? new RemoteEmbeddingOptions()).Clone();
        string model = RemoteModels.ModelOf(name);
        if (!string.IsNullOrEmpty(remote.Model) && remote.Model != model)
            throw new ConfigurationException("Remote.Model", $"is '{remote.Model}' but the model name says '{model}'; leave Remote.Model empty (openai:MODEL gives it).");
        remote.Model = model;
        RemoteEmbeddingGenerator generator;
        try
        {
            remote.Validate();
            generator = RemoteEmbeddingGenerator.Create(remote);
        }
        catch (ConfigurationException e) when (!e.Setting.StartsWith("Remote.", StringComparison.Ordinal))
        {
            throw new ConfigurationException("Remote." + e.Setting, e.Message[(e.Setting.Length + 2)..]);
        }
        return new GeneratorModel(generator, RemoteModels.OpenAIPrefix + model, settings);
    }

    /// <summary>The vectors of <paramref name="texts"/>, in their order: one generator call.</summary>
    public float[][] Encode(IReadOnlyList<string> texts)
    {
        var vectors = Call(texts);
        for (int i = 0; i < vectors.Length; i++)
            if (vectors[i].Length != Dimensions)
                throw new InvalidOperationException(
                    $"{Where} answered a {vectors[i].Length}-dimensional vector for text {i} of a batch of {texts.Count}, but its first reply had {Dimensions} dimensions; the server's model changed.");
        return vectors;
    }

    float[][] Call(IReadOnlyList<string> texts)
    {
        if (texts.Count == 0) return [];
        var vectors = _embed(texts);
        if (vectors.Length != texts.Count)
            throw new InvalidOperationException($"{Where} answered {vectors.Length} vectors for {texts.Count} texts.");
        return vectors;
    }

    static void Check(ApplyEmbeddingOptions settings)
    {
        if (settings.Pooling is { } pooling)
            throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Pooling), $"{pooling} applies to a local model; a remote model pools on its server.");
        if (settings.Backend != EmbeddingBackend.Managed)
            throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Backend), $"{settings.Backend} runs local models; a remote model runs on its server (leave Backend at Managed).");
        if (settings.Device is { } device)
            throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Device), $"'{device}' applies to a local model; a remote model runs on its server.");
    }
}
