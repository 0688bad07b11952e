using System.Text.Json.Nodes;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.CrossEncoders;

/// <summary>
/// The settings of a sequence-classification folder's config.json that every cross-encoder backend reads the same way:
/// label names (<c>id2label</c>) and the activation (sentence-transformers' <c>activation_fn</c>, or the older
/// <c>sbert_ce_default_activation_function</c>; sigmoid for one label otherwise).
/// </summary>
internal static class CrossEncoderFolder
{
    internal const string SentenceTransformersField = "sentence_transformers";

    internal static readonly Dictionary<string, CrossEncoderActivation> ActivationNames = new(StringComparer.Ordinal)
    {
        ["torch.nn.modules.activation.Sigmoid"] = CrossEncoderActivation.Sigmoid,
        ["torch.nn.modules.linear.Identity"] = CrossEncoderActivation.Identity,
        ["torch.nn.modules.activation.Softmax"] = CrossEncoderActivation.Softmax,
    };

    /// <summary>The number of labels config.json declares (<c>id2label</c>, else <c>num_labels</c>), or null.</summary>
    public static int? NumLabels(JsonObject? config, string path)
    {
        if (config?["id2label"] is JsonObject id2label && id2label.Count > 0) return id2label.Count;
        return JsonFile.Int(path, config, "num_labels");
    }

    /// <summary>Label names for <paramref name="numLabels"/> outputs (<c>LABEL_i</c> where config.json names none).</summary>
    /// <exception cref="ModelFormatException">id2label has a key that is not a label index, or names more labels than the classifier has.</exception>
    public static string[] Labels(JsonObject? config, string path, int numLabels)
    {
        var labels = Enumerable.Range(0, numLabels).Select(i => "LABEL_" + i).ToArray();
        if (config?["id2label"] is JsonObject id2label)
        {
            foreach (var (key, value) in id2label)
            {
                if (!int.TryParse(key, out int i) || i < 0)
                    throw new ModelFormatException(path, $"field 'id2label': key '{key}' is not a label index.");
                if (i >= numLabels)
                    throw new ModelFormatException(path, $"field 'id2label' names label {i}, but the classifier has {numLabels} output(s).");
                labels[i] = value?.GetValue<string>() ?? labels[i];
            }
        }
        return labels;
    }

    /// <summary>The activation config.json asks for; sigmoid for one label and identity otherwise when it names none.</summary>
    /// <exception cref="ModelFormatException">The activation is not one of <see cref="ActivationNames"/>.</exception>
    public static CrossEncoderActivation Activation(JsonObject? config, string path, int numLabels)
    {
        string? name = null, field = null;
        if (config?[SentenceTransformersField] is JsonObject st && st["activation_fn"] is JsonValue a) { name = a.GetValue<string>(); field = SentenceTransformersField + ".activation_fn"; }
        else if (config?["sbert_ce_default_activation_function"] is JsonValue b) { name = b.GetValue<string>(); field = "sbert_ce_default_activation_function"; }
        if (name is null) return numLabels == 1 ? CrossEncoderActivation.Sigmoid : CrossEncoderActivation.Identity;
        return ActivationNames.TryGetValue(name, out var act) ? act
            : throw new ModelFormatException(path, $"field '{field}': '{name}' is not supported; expected one of {string.Join(", ", ActivationNames.Keys)}.");
    }
}
