using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones.Rope;

namespace MLNet.Embeddings.Backbones.Qwen3;

/// <summary>
/// The fields of a Qwen3 <c>config.json</c> (<c>"model_type": "qwen3"</c>, e.g. Qwen3-Embedding-0.6B) that the
/// managed backbone uses; the others are kept in <see cref="Extra"/> so that a save round-trips them.
/// </summary>
public sealed class Qwen3Config
{
    /// <summary><c>vocab_size</c>.</summary>
    public int VocabSize { get; set; } = 151669;
    /// <summary><c>hidden_size</c>.</summary>
    public int HiddenSize { get; set; } = 1024;
    /// <summary><c>intermediate_size</c> (width of the SwiGLU gate and up projections).</summary>
    public int IntermediateSize { get; set; } = 3072;
    /// <summary><c>num_hidden_layers</c>.</summary>
    public int NumHiddenLayers { get; set; } = 28;
    /// <summary><c>num_attention_heads</c> (query heads).</summary>
    public int NumAttentionHeads { get; set; } = 16;
    /// <summary><c>num_key_value_heads</c> (grouped-query attention: each serves NumAttentionHeads / NumKeyValueHeads query heads).</summary>
    public int NumKeyValueHeads { get; set; } = 8;
    /// <summary><c>head_dim</c> (need not equal hidden_size / heads).</summary>
    public int HeadDim { get; set; } = 128;
    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; set; } = 32768;
    /// <summary><c>rms_norm_eps</c>.</summary>
    public float RmsNormEps { get; set; } = 1e-6f;
    /// <summary><c>rope_theta</c>.</summary>
    public double RopeTheta { get; set; } = 1_000_000;
    /// <summary><c>attention_bias</c>: whether q/k/v/o projections have biases.</summary>
    public bool AttentionBias { get; set; }
    /// <summary><c>attention_dropout</c>.</summary>
    public float AttentionDropout { get; set; }
    /// <summary><c>sliding_window</c> (used only by layers whose <see cref="LayerTypes"/> entry is <c>sliding_attention</c>).</summary>
    public int? SlidingWindow { get; set; }
    /// <summary>
    /// <c>layer_types</c>: <c>full_attention</c> or <c>sliding_attention</c> per layer. When absent: sliding from layer
    /// <c>max_window_layers</c> on if <c>use_sliding_window</c>, else all full (as Hugging Face derives it).
    /// </summary>
    public string[] LayerTypes { get; set; } = [];
    /// <summary><c>initializer_range</c>.</summary>
    public float InitializerRange { get; set; } = 0.02f;
    /// <summary>The fields read from the file that this class does not model.</summary>
    public JsonObject? Extra { get; set; }

    /// <summary>The attention mask of layer <paramref name="layer"/>: causal, within the sliding window for sliding layers.</summary>
    public AttentionMask Mask(int layer) => LayerType(layer) == "sliding_attention" && SlidingWindow is int w
        ? new AttentionMask(w - 1, 0) : AttentionMask.Causal;

    string LayerType(int layer) => layer < LayerTypes.Length ? LayerTypes[layer] : "full_attention";

    /// <summary>Reads and checks config.json.</summary>
    /// <exception cref="ModelFormatException">Missing or malformed file, or an unsupported field value (named).</exception>
    public static Qwen3Config Load(string path) => FromJson(ConfigJson.Load(path), path);

    /// <summary>Builds a config from a parsed config.json; <paramref name="path"/> is used in error messages.</summary>
    public static Qwen3Config FromJson(JsonObject root, string path = "config.json")
    {
        string? type = ConfigJson.Str(root, "model_type", path);
        if (type != "qwen3") throw new ModelFormatException(path, $"field 'model_type' is \"{type}\", expected \"qwen3\".");
        var c = new Qwen3Config();
        c.VocabSize = ConfigJson.Int(root, "vocab_size", path, c.VocabSize, 1);
        c.HiddenSize = ConfigJson.Int(root, "hidden_size", path, c.HiddenSize, 1);
        c.IntermediateSize = ConfigJson.Int(root, "intermediate_size", path, c.IntermediateSize, 1);
        c.NumHiddenLayers = ConfigJson.Int(root, "num_hidden_layers", path, c.NumHiddenLayers, 0);
        c.NumAttentionHeads = ConfigJson.Int(root, "num_attention_heads", path, c.NumAttentionHeads, 1);
        c.NumKeyValueHeads = ConfigJson.Int(root, "num_key_value_heads", path, c.NumAttentionHeads, 1);
        c.HeadDim = ConfigJson.Int(root, "head_dim", path, c.HiddenSize / c.NumAttentionHeads, 2);
        c.MaxPositionEmbeddings = ConfigJson.Int(root, "max_position_embeddings", path, c.MaxPositionEmbeddings, 1);
        c.RmsNormEps = (float)ConfigJson.Number(root, "rms_norm_eps", path, c.RmsNormEps);
        c.RopeTheta = ConfigJson.Number(root, "rope_theta", path, c.RopeTheta);
        c.AttentionBias = ConfigJson.Bool(root, "attention_bias", path, false);
        c.AttentionDropout = (float)ConfigJson.Number(root, "attention_dropout", path, 0);
        c.InitializerRange = (float)ConfigJson.Number(root, "initializer_range", path, c.InitializerRange);
        c.SlidingWindow = ConfigJson.OptionalInt(root, "sliding_window", path, 1);
        string act = ConfigJson.Str(root, "hidden_act", path) ?? "silu";
        if (act != "silu") throw new ModelFormatException(path, $"field 'hidden_act' is \"{act}\"; the Qwen3 backbone supports \"silu\".");
        if (root["rope_scaling"] is JsonObject rs)
            throw new ModelFormatException(path, $"field 'rope_scaling' is {rs.ToJsonString()}; only null (default rotary) is supported.");
        if (c.NumAttentionHeads % c.NumKeyValueHeads != 0)
            throw new ModelFormatException(path, $"field 'num_attention_heads' ({c.NumAttentionHeads}) is not a multiple of 'num_key_value_heads' ({c.NumKeyValueHeads}).");
        if (c.HeadDim % 2 != 0) throw new ModelFormatException(path, $"field 'head_dim' ({c.HeadDim}) must be even for rotary embeddings.");
        var types = ConfigJson.Strings(root, "layer_types", path);
        if (types is null)
        {
            bool sliding = ConfigJson.Bool(root, "use_sliding_window", path, false);
            int maxWindow = ConfigJson.Int(root, "max_window_layers", path, c.NumHiddenLayers, 0);
            types = Enumerable.Range(0, c.NumHiddenLayers)
                .Select(i => sliding && c.SlidingWindow is not null && i >= maxWindow ? "sliding_attention" : "full_attention").ToArray();
        }
        else
        {
            if (types.Length != c.NumHiddenLayers)
                throw new ModelFormatException(path, $"field 'layer_types' has {types.Length} entries, expected {c.NumHiddenLayers} (num_hidden_layers).");
            for (int i = 0; i < types.Length; i++)
                if (types[i] is not ("full_attention" or "sliding_attention"))
                    throw new ModelFormatException(path, $"field 'layer_types[{i}]' is \"{types[i]}\"; expected full_attention or sliding_attention.");
            if (types.Contains("sliding_attention") && c.SlidingWindow is null)
                throw new ModelFormatException(path, "field 'sliding_window' is missing but 'layer_types' has sliding_attention layers.");
        }
        c.LayerTypes = types;
        var extra = new JsonObject();
        foreach (var (k, v) in root) if (!Known.Contains(k)) extra[k] = v?.DeepClone();
        c.Extra = extra;
        return c;
    }

    static readonly HashSet<string> Known = new()
    {
        "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
        "head_dim", "max_position_embeddings", "rms_norm_eps", "rope_theta", "attention_bias", "attention_dropout", "initializer_range",
        "sliding_window", "hidden_act", "rope_scaling", "layer_types",
    };

    /// <summary>The config as config.json content (known fields plus <see cref="Extra"/>).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Extra is not null) foreach (var (k, v) in Extra) o[k] = v?.DeepClone();
        o["architectures"] ??= new JsonArray("Qwen3ForCausalLM");
        o["model_type"] = "qwen3";
        o["vocab_size"] = VocabSize;
        o["hidden_size"] = HiddenSize;
        o["intermediate_size"] = IntermediateSize;
        o["num_hidden_layers"] = NumHiddenLayers;
        o["num_attention_heads"] = NumAttentionHeads;
        o["num_key_value_heads"] = NumKeyValueHeads;
        o["head_dim"] = HeadDim;
        o["max_position_embeddings"] = MaxPositionEmbeddings;
        o["rms_norm_eps"] = RmsNormEps;
        o["rope_theta"] = RopeTheta;
        o["rope_scaling"] = null;
        o["attention_bias"] = AttentionBias;
        o["attention_dropout"] = AttentionDropout;
        o["initializer_range"] = InitializerRange;
        o["hidden_act"] = "silu";
        o["sliding_window"] = SlidingWindow;
        o["layer_types"] = new JsonArray(LayerTypes.Select(t => (JsonNode?)t).ToArray());
        o["tie_word_embeddings"] ??= true;
        return o;
    }

    /// <summary>Writes config.json atomically.</summary>
    public void Save(string path) => ConfigJson.Save(path, ToJson());
}
