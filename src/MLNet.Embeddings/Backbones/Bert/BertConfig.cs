using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Backbones.Bert;

/// <summary>
/// The fields of a Hugging Face BERT <c>config.json</c> that the managed encoder uses. Also accepts
/// <c>roberta</c> / <c>xlm-roberta</c> (positions then start at <c>pad_token_id + 1</c>).
/// </summary>
public sealed class BertConfig
{
    /// <summary><c>model_type</c>: bert, roberta or xlm-roberta.</summary>
    public string ModelType { get; set; } = "bert";
    /// <summary><c>vocab_size</c>.</summary>
    public int VocabSize { get; set; } = 30522;
    /// <summary><c>hidden_size</c>.</summary>
    public int HiddenSize { get; set; } = 768;
    /// <summary><c>num_hidden_layers</c>.</summary>
    public int NumHiddenLayers { get; set; } = 12;
    /// <summary><c>num_attention_heads</c> (must divide <see cref="HiddenSize"/>).</summary>
    public int NumAttentionHeads { get; set; } = 12;
    /// <summary><c>intermediate_size</c>: width of the feed-forward layer.</summary>
    public int IntermediateSize { get; set; } = 3072;
    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; set; } = 512;
    /// <summary><c>type_vocab_size</c>.</summary>
    public int TypeVocabSize { get; set; } = 2;
    /// <summary><c>layer_norm_eps</c>.</summary>
    public float LayerNormEps { get; set; } = 1e-12f;
    /// <summary><c>hidden_act</c>: gelu, gelu_new (tanh approximation) or relu.</summary>
    public ActivationKind HiddenAct { get; set; } = ActivationKind.Gelu;
    /// <summary><c>hidden_dropout_prob</c>.</summary>
    public float HiddenDropoutProb { get; set; } = 0.1f;
    /// <summary><c>attention_probs_dropout_prob</c>.</summary>
    public float AttentionProbsDropoutProb { get; set; } = 0.1f;
    /// <summary><c>initializer_range</c>: standard deviation of the random initialisation.</summary>
    public float InitializerRange { get; set; } = 0.02f;
    /// <summary><c>pad_token_id</c>.</summary>
    public int PadTokenId { get; set; }

    /// <summary>Width of one attention head.</summary>
    public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>First position id: 0 for BERT, pad_token_id + 1 for RoBERTa-style models.</summary>
    public int PositionOffset => ModelType is "roberta" or "xlm-roberta" ? PadTokenId + 1 : 0;

    /// <summary>The fields read from the file that this class does not model, kept so that a save round-trips them.</summary>
    public JsonObject? Extra { get; set; }

    /// <summary>Reads and checks <c>config.json</c>.</summary>
    /// <exception cref="ModelFormatException">The file is missing or malformed, or a field is unsupported (the message names it).</exception>
    public static BertConfig Load(string path)
    {
        var root = JsonFile.ReadObject(path) ?? throw new ModelFormatException(path, "config.json not found.");
        return FromJson(root, path);
    }

    /// <summary>Builds a config from a parsed config.json object; <paramref name="path"/> is used in error messages.</summary>
    public static BertConfig FromJson(JsonObject root, string path = "config.json")
    {
        var c = new BertConfig();
        string modelType = Str(root, "model_type", path) ?? throw new ModelFormatException(path, "field 'model_type' is missing (expected \"bert\").");
        if (modelType is not ("bert" or "roberta" or "xlm-roberta"))
            throw new ModelFormatException(path, $"field 'model_type' is \"{modelType}\"; the managed encoder supports \"bert\", \"roberta\" and \"xlm-roberta\".");
        c.ModelType = modelType;
        c.VocabSize = Int(root, "vocab_size", path, c.VocabSize, 1);
        c.HiddenSize = Int(root, "hidden_size", path, c.HiddenSize, 1);
        c.NumHiddenLayers = Int(root, "num_hidden_layers", path, c.NumHiddenLayers, 0);
        c.NumAttentionHeads = Int(root, "num_attention_heads", path, c.NumAttentionHeads, 1);
        c.IntermediateSize = Int(root, "intermediate_size", path, c.IntermediateSize, 1);
        c.MaxPositionEmbeddings = Int(root, "max_position_embeddings", path, c.MaxPositionEmbeddings, 1);
        c.TypeVocabSize = Int(root, "type_vocab_size", path, c.TypeVocabSize, 1);
        c.PadTokenId = Int(root, "pad_token_id", path, modelType == "bert" ? 0 : 1, 0);
        c.LayerNormEps = Float(root, "layer_norm_eps", path, c.LayerNormEps);
        c.HiddenDropoutProb = Float(root, "hidden_dropout_prob", path, c.HiddenDropoutProb);
        c.AttentionProbsDropoutProb = Float(root, "attention_probs_dropout_prob", path, c.AttentionProbsDropoutProb);
        c.InitializerRange = Float(root, "initializer_range", path, c.InitializerRange);
        string act = Str(root, "hidden_act", path) ?? "gelu";
        c.HiddenAct = Activation.Parse(act)
            ?? throw new ModelFormatException(path, $"field 'hidden_act' is \"{act}\"; expected gelu, gelu_new or relu.");
        string? posType = Str(root, "position_embedding_type", path);
        if (posType is not (null or "absolute"))
            throw new ModelFormatException(path, $"field 'position_embedding_type' is \"{posType}\"; only \"absolute\" is supported.");
        if (c.HiddenSize % c.NumAttentionHeads != 0)
            throw new ModelFormatException(path, $"field 'hidden_size' ({c.HiddenSize}) is not a multiple of 'num_attention_heads' ({c.NumAttentionHeads}).");
        if (c.PositionOffset >= c.MaxPositionEmbeddings)
            throw new ModelFormatException(path, $"field 'pad_token_id' ({c.PadTokenId}) leaves no positions below 'max_position_embeddings'.");
        var extra = new JsonObject();
        foreach (var (k, v) in root)
            if (!Known.Contains(k)) extra[k] = v?.DeepClone();
        c.Extra = extra;
        return c;
    }

    static readonly HashSet<string> Known = new()
    {
        "model_type", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
        "max_position_embeddings", "type_vocab_size", "pad_token_id", "layer_norm_eps", "hidden_dropout_prob",
        "attention_probs_dropout_prob", "initializer_range", "hidden_act", "position_embedding_type",
    };

    /// <summary>The config as config.json content (known fields plus <see cref="Extra"/>).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Extra is not null)
            foreach (var (k, v) in Extra) o[k] = v?.DeepClone();
        o["architectures"] ??= new JsonArray(ModelType == "bert" ? "BertModel" : ModelType == "roberta" ? "RobertaModel" : "XLMRobertaModel");
        o["model_type"] = ModelType;
        o["vocab_size"] = VocabSize;
        o["hidden_size"] = HiddenSize;
        o["num_hidden_layers"] = NumHiddenLayers;
        o["num_attention_heads"] = NumAttentionHeads;
        o["intermediate_size"] = IntermediateSize;
        o["max_position_embeddings"] = MaxPositionEmbeddings;
        o["type_vocab_size"] = TypeVocabSize;
        o["pad_token_id"] = PadTokenId;
        o["layer_norm_eps"] = LayerNormEps;
        o["hidden_act"] = Activation.Name(HiddenAct);
        o["hidden_dropout_prob"] = HiddenDropoutProb;
        o["attention_probs_dropout_prob"] = AttentionProbsDropoutProb;
        o["initializer_range"] = InitializerRange;
        o["position_embedding_type"] = "absolute";
        return o;
    }

    /// <summary>Writes config.json atomically (temp file, then rename).</summary>
    public void Save(string path)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }

    static string? Str(JsonObject o, string name, string path)
    {
        if (!o.TryGetPropertyValue(name, out var n) || n is null) return null;
        if (n is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        throw new ModelFormatException(path, $"field '{name}' must be a string, found {n.ToJsonString()}.");
    }

    static int Int(JsonObject o, string name, string path, int fallback, int min)
    {
        if (!o.TryGetPropertyValue(name, out var n) || n is null) return fallback;
        if (n is JsonValue v && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d >= min && d <= int.MaxValue) return (int)d;
        throw new ModelFormatException(path, $"field '{name}' must be an integer ≥ {min}, found {n.ToJsonString()}.");
    }

    static float Float(JsonObject o, string name, string path, float fallback)
    {
        if (!o.TryGetPropertyValue(name, out var n) || n is null) return fallback;
        if (n is JsonValue v && v.TryGetValue<double>(out var d) && d >= 0) return (float)d;
        throw new ModelFormatException(path, $"field '{name}' must be a non-negative number, found {n.ToJsonString()}.");
    }
}
