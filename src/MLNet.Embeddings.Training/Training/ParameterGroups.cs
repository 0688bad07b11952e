using System.Text.RegularExpressions;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>
/// Discriminative learning rates by Hugging Face parameter name: the multiplier of the run's learning rate for each
/// parameter. Transformer layers are found as <c>layer.N.</c> or <c>layers.N.</c> in the name (BERT's
/// <c>encoder.layer.N.*</c>, ModernBERT/Qwen's <c>layers.N.*</c>), the embedding layer as <c>embeddings.*</c>,
/// <c>embed_tokens</c> or <c>tok_embeddings</c>. With L layers, layer N gets <c>decay^(L−1−N)</c> (the top layer the
/// full rate), the embeddings <c>decay^L</c> or <see cref="TrainerOptions.EmbeddingLearningRate"/> / rate, and every
/// other weight (pooler, final norm, static tables) 1. Frozen parameters get 0: AdamW leaves them bit-identical.
/// </summary>
internal static partial class ParameterGroups
{
    [GeneratedRegex(@"(?:^|\.)layers?\.(\d+)\.")]
    private static partial Regex LayerPattern();

    /// <summary>The transformer layer of a parameter, or null.</summary>
    public static int? Layer(string name) => LayerPattern().Match(name) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>Whether a parameter belongs to the embedding layer.</summary>
    public static bool IsEmbedding(string name) =>
        name.StartsWith("embeddings.", StringComparison.Ordinal) || name.Contains(".embeddings.", StringComparison.Ordinal)
        || name.Contains("embed_tokens", StringComparison.Ordinal) || name.Contains("tok_embeddings", StringComparison.Ordinal);

    /// <summary>True when any discriminative setting is used.</summary>
    public static bool Used(TrainerOptions o) =>
        o.EmbeddingLearningRate is not null || o.LayerDecay != 1f || o.FreezeEmbeddings || o.FreezeLayers > 0;

    /// <summary>The rate multiplier of each parameter (null when every one is 1).</summary>
    /// <exception cref="ConfigurationException">FreezeLayers exceeds the model's layers, or layer settings on a model without layers.</exception>
    public static float[]? Scales(IReadOnlyList<Parameter> ps, TrainerOptions o, float learningRate)
    {
        if (!Used(o)) return null;
        int layers = ps.Select(p => Layer(p.Name) ?? -1).DefaultIfEmpty(-1).Max() + 1;
        if ((o.FreezeLayers > 0 || o.LayerDecay != 1f) && layers == 0)
            throw new ConfigurationException(o.FreezeLayers > 0 ? nameof(TrainerOptions.FreezeLayers) : nameof(TrainerOptions.LayerDecay), "the model has no transformer layers (no parameter named layer.N.* or layers.N.*).");
        if (o.FreezeLayers > layers)
            throw new ConfigurationException(nameof(TrainerOptions.FreezeLayers), $"the model has {layers} layers, found {o.FreezeLayers}.");
        if ((o.FreezeEmbeddings || o.EmbeddingLearningRate is not null) && !ps.Any(p => IsEmbedding(p.Name)))
            throw new ConfigurationException(o.FreezeEmbeddings ? nameof(TrainerOptions.FreezeEmbeddings) : nameof(TrainerOptions.EmbeddingLearningRate),
                "the model has no embedding layer (no parameter named embeddings.*, embed_tokens or tok_embeddings).");
        var s = new float[ps.Count];
        for (int i = 0; i < ps.Count; i++)
        {
            string n = ps[i].Name;
            if (IsEmbedding(n))
                s[i] = o.FreezeEmbeddings ? 0f : o.EmbeddingLearningRate is { } e ? e / learningRate : MathF.Pow(o.LayerDecay, layers);
            else if (Layer(n) is { } l)
                s[i] = l < o.FreezeLayers ? 0f : MathF.Pow(o.LayerDecay, layers - 1 - l);
            else s[i] = 1f;
        }
        return s;
    }

    /// <summary>One entry per group (<c>embeddings</c>, <c>layer.N</c>, <c>other</c>) with its rate multiplier, for the logs.</summary>
    public static IReadOnlyList<(string Group, float Scale)> Groups(IReadOnlyList<Parameter> ps, float[] scales)
    {
        var groups = new List<(string, float)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ps.Count; i++)
        {
            string g = IsEmbedding(ps[i].Name) ? "embeddings" : Layer(ps[i].Name) is { } l ? $"layer.{l}" : "other";
            if (seen.Add(g)) groups.Add((g, scales[i]));
        }
        return groups;
    }
}
