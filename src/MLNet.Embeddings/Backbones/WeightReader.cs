using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Backbones;

/// <summary>
/// Takes a backbone's weights out of a checkpoint's tensors by their Hugging Face names: the first of a name's
/// candidate spellings that is present (a <c>model.</c> or <c>bert.</c> prefix, old LayerNorm names), its shape
/// checked, renamed to the plain name, and added to the backbone's parameter list. Errors name the file and the tensor.
/// </summary>
internal sealed class WeightReader(IReadOnlyDictionary<string, Parameter> tensors, string source, List<Parameter> parameters, Func<string, IEnumerable<string>> candidates)
{
    /// <summary>A reader for checkpoints saved with or without one prefix (e.g. <c>model.</c>), decided by whether <paramref name="probe"/> is there unprefixed.</summary>
    public static WeightReader Prefixed(IReadOnlyDictionary<string, Parameter> tensors, string source, List<Parameter> parameters, string probe, string prefix)
    {
        string used = tensors.ContainsKey(probe) || !tensors.ContainsKey(prefix + probe) ? "" : prefix;
        return new WeightReader(tensors, source, parameters, name => [used + name]);
    }

    /// <summary>The tensor <paramref name="name"/> of shape <paramref name="shape"/>.</summary>
    /// <exception cref="ModelFormatException">It is missing or has another shape.</exception>
    public Parameter Get(string name, params int[] shape)
    {
        string first = candidates(name).First();
        Parameter? p = null;
        foreach (var candidate in candidates(name))
            if (tensors.TryGetValue(candidate, out p)) break;
        if (p is null) throw new ModelFormatException(source, $"tensor '{first}' is missing (shape [{string.Join(", ", shape)}] expected).");
        if (!p.Shape.AsSpan().SequenceEqual(shape))
            throw new ModelFormatException(source, $"tensor '{first}' has shape [{string.Join(", ", p.Shape)}], expected [{string.Join(", ", shape)}].");
        var param = p.Name == name ? p : new Parameter(name, shape, p.Value);
        parameters.Add(param);
        return param;
    }

    /// <summary><see cref="Get"/> when <paramref name="present"/>, else null (an optional bias).</summary>
    public Parameter? Optional(bool present, string name, params int[] shape) => present ? Get(name, shape) : null;
}
