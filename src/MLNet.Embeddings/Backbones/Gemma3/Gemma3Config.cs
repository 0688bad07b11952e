using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Backbones.Gemma3;

/// <summary>
/// The fields of a Gemma 3 text <c>config.json</c> (<c>"model_type": "gemma3_text"</c>, e.g. EmbeddingGemma-300m)
/// that the managed backbone uses; the others are kept in <see cref="Extra"/> so that a save round-trips them.
/// </summary>
public sealed class Gemma3Config
{
    /// <summary><c>vocab_size</c>.</summary>
    public int VocabSize { get; set; } = 262144;
    /// <summary><c>hidden_size</c>.</summary>
    public int HiddenSize { get; set; } = 768;
    /// <summary><c>intermediate_size</c>.</summary>
    public int IntermediateSize { get; set; } = 1152;
    /// <summary><c>num_hidden_layers</c>.</summary>
    public int NumHiddenLayers { get; set; } = 24;
    /// <summary><c>num_attention_heads</c>.</summary>
    public int NumAttentionHeads { get; set; } = 3;
    /// <summary><c>num_key_value_heads</c>.</summary>
    public int NumKeyValueHeads { get; set; } = 1;
    /// <summary><c>head_dim</c>.</summary>
    public int HeadDim { get; set; } = 256;
    /// <summary><c>query_pre_attn_scalar</c>: attention scores are scaled by its inverse square root.</summary>
    public double QueryPreAttnScalar { get; set; } = 256;
    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; set; } = 2048;
    /// <summary><c>rms_norm_eps</c>.</summary>
    public float RmsNormEps { get; set; } = 1e-6f;
    /// <summary><c>rope_theta</c>: rotary base of the full-attention layers.</summary>
    public double RopeTheta { get; set; } = 1_000_000;
    /// <summary><c>rope_local_base_freq</c>: rotary base of the sliding-window layers.</summary>
    public double RopeLocalBaseFreq { get; set; } = 10_000;
    /// <summary><c>sliding_window</c> as written in config.json.</summary>
    public int SlidingWindow { get; set; } = 512;
    /// <summary><c>use_bidirectional_attention</c> (EmbeddingGemma: true).</summary>
    public bool UseBidirectionalAttention { get; set; } = true;
    /// <summary><c>layer_types</c>: full_attention or sliding_attention per layer.</summary>
    public string[] LayerTypes { get; set; } = [];
    /// <summary><c>hidden_activation</c> (gelu_pytorch_tanh).</summary>
    public ActivationKind HiddenActivation { get; set; } = ActivationKind.GeluTanh;
    /// <summary><c>initializer_range</c>.</summary>
    public float InitializerRange { get; set; } = 0.02f;
    /// <summary>The fields read from the file that this class does not model.</summary>
    public JsonObject? Extra { get; set; }

    bool Sliding(int layer) => layer < LayerTypes.Length && LayerTypes[layer] == "sliding_attention";

    /// <summary>
    /// The attention mask of a layer. Bidirectional: full layers see the whole sequence, sliding layers
    /// <c>|i − j| ≤ sliding_window / 2</c> (Hugging Face sets the window to <c>sliding_window // 2 + 1</c>, exclusive).
    /// Causal: full layers causal, sliding layers the last <c>sliding_window</c> tokens.
    /// </summary>
    public AttentionMask Mask(int layer) => UseBidirectionalAttention
        ? (Sliding(layer) ? new AttentionMask(SlidingWindow / 2, SlidingWindow / 2) : AttentionMask.Bidirectional)
        : (Sliding(layer) ? new AttentionMask(SlidingWindow - 1, 0) : AttentionMask.Causal);

    /// <summary>The rotary base of a layer.</summary>
    public double Theta(int layer) => Sliding(layer) ? RopeLocalBaseFreq : RopeTheta;

    /// <summary>Reads and checks config.json.</summary>
    /// <exception cref="ModelFormatException">Missing or malformed file, or an unsupported field value (named).</exception>
    public static Gemma3Config Load(string path) => FromJson(ConfigJson.Load(path), path);

    /// <summary>Builds a config from a parsed config.json; <paramref name="path"/> is used in error messages.</summary>
    public static Gemma3Config FromJson(JsonObject root, string path = "config.json")
    {
        string? type = ConfigJson.Str(root, "model_type", path);
        if (type != "gemma3_text") throw new ModelFormatException(path, $"field 'model_type' is \"{type}\", expected \"gemma3_text\".");
        var c = new Gemma3Config();
        c.VocabSize = ConfigJson.Int(root, "vocab_size", path, c.VocabSize, 1);
        c.HiddenSize = ConfigJson.Int(root, "hidden_size", path, c.HiddenSize, 1);
        c.IntermediateSize = ConfigJson.Int(root, "intermediate_size", path, c.IntermediateSize, 1);
        c.NumHiddenLayers = ConfigJson.Int(root, "num_hidden_layers", path, c.NumHiddenLayers, 0);
        c.NumAttentionHeads = ConfigJson.Int(root, "num_attention_heads", path, c.NumAttentionHeads, 1);
        c.NumKeyValueHeads = ConfigJson.Int(root, "num_key_value_heads", path, c.NumKeyValueHeads, 1);
        c.HeadDim = ConfigJson.Int(root, "head_dim", path, c.HeadDim, 2);
        c.QueryPreAttnScalar = ConfigJson.Number(root, "query_pre_attn_scalar", path, c.HeadDim);
        c.MaxPositionEmbeddings = ConfigJson.Int(root, "max_position_embeddings", path, c.MaxPositionEmbeddings, 1);
        c.RmsNormEps = (float)ConfigJson.Number(root, "rms_norm_eps", path, c.RmsNormEps);
        c.RopeTheta = ConfigJson.Number(root, "rope_theta", path, c.RopeTheta);
        c.RopeLocalBaseFreq = ConfigJson.Number(root, "rope_local_base_freq", path, c.RopeLocalBaseFreq);
        c.SlidingWindow = ConfigJson.Int(root, "sliding_window", path, c.SlidingWindow, 1);
        c.UseBidirectionalAttention = ConfigJson.Bool(root, "use_bidirectional_attention", path, false);
        c.InitializerRange = (float)ConfigJson.Number(root, "initializer_range", path, c.InitializerRange);
        string act = ConfigJson.Str(root, "hidden_activation", path) ?? "gelu_pytorch_tanh";
        c.HiddenActivation = Activation.Parse(act) is { } k && k != ActivationKind.Relu ? k
            : throw new ModelFormatException(path, $"field 'hidden_activation' is \"{act}\"; expected gelu_pytorch_tanh or gelu.");
        if (root["rope_scaling"] is JsonObject rs)
            throw new ModelFormatException(path, $"field 'rope_scaling' is {rs.ToJsonString()}; only null (default rotary) is supported.");
        if (ConfigJson.Bool(root, "attention_bias", path, false)) throw new ModelFormatException(path, "field 'attention_bias': true is not supported.");
        if (root["attn_logit_softcapping"] is JsonValue cap) throw new ModelFormatException(path, $"field 'attn_logit_softcapping' is {cap.ToJsonString()}; only null is supported.");
        if (c.NumAttentionHeads % c.NumKeyValueHeads != 0)
            throw new ModelFormatException(path, $"field 'num_attention_heads' ({c.NumAttentionHeads}) is not a multiple of 'num_key_value_heads' ({c.NumKeyValueHeads}).");
        if (c.HeadDim % 2 != 0) throw new ModelFormatException(path, $"field 'head_dim' ({c.HeadDim}) must be even for rotary embeddings.");
        var types = ConfigJson.Strings(root, "layer_types", path);
        if (types is null)
        {
            int pattern = ConfigJson.Int(root, "sliding_window_pattern", path, 6, 1);
            types = Enumerable.Range(0, c.NumHiddenLayers).Select(i => (i + 1) % pattern != 0 ? "sliding_attention" : "full_attention").ToArray();
        }
        if (types.Length != c.NumHiddenLayers)
            throw new ModelFormatException(path, $"field 'layer_types' has {types.Length} entries, expected {c.NumHiddenLayers} (num_hidden_layers).");
        for (int i = 0; i < types.Length; i++)
            if (types[i] is not ("full_attention" or "sliding_attention"))
                throw new ModelFormatException(path, $"field 'layer_types[{i}]' is \"{types[i]}\"; expected full_attention or sliding_attention.");
        c.LayerTypes = types;
        var extra = new JsonObject();
        foreach (var (k2, v) in root) if (!Known.Contains(k2)) extra[k2] = v?.DeepClone();
        c.Extra = extra;
        return c;
    }

    static readonly HashSet<string> Known = new()
    {
        "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
        "head_dim", "query_pre_attn_scalar", "max_position_embeddings", "rms_norm_eps", "rope_theta", "rope_local_base_freq", "sliding_window",
        "use_bidirectional_attention", "initializer_range", "hidden_activation", "rope_scaling", "attention_bias", "attn_logit_softcapping",
        "layer_types", "sliding_window_pattern",
    };

    /// <summary>The config as config.json content (known fields plus <see cref="Extra"/>).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Extra is not null) foreach (var (k, v) in Extra) o[k] = v?.DeepClone();
        o["architectures"] ??= new JsonArray("Gemma3TextModel");
        o["model_type"] = "gemma3_text";
        o["vocab_size"] = VocabSize;
        o["hidden_size"] = HiddenSize;
        o["intermediate_size"] = IntermediateSize;
        o["num_hidden_layers"] = NumHiddenLayers;
        o["num_attention_heads"] = NumAttentionHeads;
        o["num_key_value_heads"] = NumKeyValueHeads;
        o["head_dim"] = HeadDim;
        o["query_pre_attn_scalar"] = QueryPreAttnScalar;
        o["max_position_embeddings"] = MaxPositionEmbeddings;
        o["rms_norm_eps"] = RmsNormEps;
        o["rope_theta"] = RopeTheta;
        o["rope_local_base_freq"] = RopeLocalBaseFreq;
        o["rope_scaling"] = null;
        o["sliding_window"] = SlidingWindow;
        o["use_bidirectional_attention"] = UseBidirectionalAttention;
        o["attention_bias"] = false;
        o["attn_logit_softcapping"] = null;
        o["initializer_range"] = InitializerRange;
        o["hidden_activation"] = HiddenActivation == ActivationKind.Gelu ? "gelu" : "gelu_pytorch_tanh";
        o["layer_types"] = new JsonArray(LayerTypes.Select(t => (JsonNode?)t).ToArray());
        return o;
    }

    /// <summary>Writes config.json atomically.</summary>
    public void Save(string path) => ConfigJson.Save(path, ToJson());
}
