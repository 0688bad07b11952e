using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Backbones.ModernBert;

/// <summary>
/// The fields of a ModernBERT <c>config.json</c> (<c>"model_type": "modernbert"</c>: ModernBERT, gte-modernbert,
/// modernbert-embed) that the managed backbone uses; the others are kept in <see cref="Extra"/>.
/// </summary>
public sealed class ModernBertConfig
{
    /// <summary><c>vocab_size</c>.</summary>
    public int VocabSize { get; set; } = 50368;
    /// <summary><c>hidden_size</c>.</summary>
    public int HiddenSize { get; set; } = 768;
    /// <summary><c>intermediate_size</c> (each half of the fused <c>Wi</c>).</summary>
    public int IntermediateSize { get; set; } = 1152;
    /// <summary><c>num_hidden_layers</c>.</summary>
    public int NumHiddenLayers { get; set; } = 22;
    /// <summary><c>num_attention_heads</c>.</summary>
    public int NumAttentionHeads { get; set; } = 12;
    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; set; } = 8192;
    /// <summary><c>norm_eps</c>.</summary>
    public float NormEps { get; set; } = 1e-5f;
    /// <summary><c>norm_bias</c>: whether the LayerNorms have a bias.</summary>
    public bool NormBias { get; set; }
    /// <summary><c>attention_bias</c>: whether <c>Wqkv</c> and the attention <c>Wo</c> have biases.</summary>
    public bool AttentionBias { get; set; }
    /// <summary><c>mlp_bias</c>: whether the feed-forward <c>Wi</c> and <c>Wo</c> have biases.</summary>
    public bool MlpBias { get; set; }
    /// <summary><c>global_rope_theta</c>: rotary base of the global-attention layers.</summary>
    public double GlobalRopeTheta { get; set; } = 160000;
    /// <summary><c>local_rope_theta</c>: rotary base of the sliding-window layers (null: the global base).</summary>
    public double? LocalRopeTheta { get; set; } = 10000;
    /// <summary><c>global_attn_every_n_layers</c>: layer <c>l</c> attends globally when <c>l % n == 0</c>.</summary>
    public int GlobalAttnEveryNLayers { get; set; } = 3;
    /// <summary><c>local_attention</c>: window width of the other layers (each token sees <c>local_attention / 2</c> on each side).</summary>
    public int LocalAttention { get; set; } = 128;
    /// <summary><c>hidden_activation</c> (gelu or gelu_pytorch_tanh / gelu_new).</summary>
    public ActivationKind HiddenActivation { get; set; } = ActivationKind.Gelu;
    /// <summary><c>initializer_range</c>.</summary>
    public float InitializerRange { get; set; } = 0.02f;
    /// <summary><c>pad_token_id</c>.</summary>
    public int PadTokenId { get; set; } = 50283;
    /// <summary>The fields read from the file that this class does not model.</summary>
    public JsonObject? Extra { get; set; }

    /// <summary>Width of one attention head.</summary>
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Whether layer <paramref name="layer"/> attends globally (else within the local window).</summary>
    public bool IsGlobal(int layer) => layer % GlobalAttnEveryNLayers == 0;

    /// <summary>The attention mask of a layer: bidirectional, or <c>|i − j| ≤ local_attention / 2</c>.</summary>
    public AttentionMask Mask(int layer) => IsGlobal(layer) ? AttentionMask.Bidirectional : new AttentionMask(LocalAttention / 2, LocalAttention / 2);

    /// <summary>The rotary base of a layer.</summary>
    public double RopeTheta(int layer) => IsGlobal(layer) ? GlobalRopeTheta : LocalRopeTheta ?? GlobalRopeTheta;

    /// <summary>Reads and checks config.json.</summary>
    /// <exception cref="ModelFormatException">Missing or malformed file, or an unsupported field value (named).</exception>
    public static ModernBertConfig Load(string path) => FromJson(ConfigJson.Load(path), path);

    /// <summary>Builds a config from a parsed config.json; <paramref name="path"/> is used in error messages.</summary>
    public static ModernBertConfig FromJson(JsonObject root, string path = "config.json")
    {
        string? type = ConfigJson.Str(root, "model_type", path);
        if (type != "modernbert") throw new ModelFormatException(path, $"field 'model_type' is \"{type}\", expected \"modernbert\".");
        var c = new ModernBertConfig();
        c.VocabSize = ConfigJson.Int(root, "vocab_size", path, c.VocabSize, 1);
        c.HiddenSize = ConfigJson.Int(root, "hidden_size", path, c.HiddenSize, 1);
        c.IntermediateSize = ConfigJson.Int(root, "intermediate_size", path, c.IntermediateSize, 1);
        c.NumHiddenLayers = ConfigJson.Int(root, "num_hidden_layers", path, c.NumHiddenLayers, 0);
        c.NumAttentionHeads = ConfigJson.Int(root, "num_attention_heads", path, c.NumAttentionHeads, 1);
        c.MaxPositionEmbeddings = ConfigJson.Int(root, "max_position_embeddings", path, c.MaxPositionEmbeddings, 1);
        c.NormEps = (float)ConfigJson.Number(root, "norm_eps", path, c.NormEps);
        c.NormBias = ConfigJson.Bool(root, "norm_bias", path, false);
        c.AttentionBias = ConfigJson.Bool(root, "attention_bias", path, false);
        c.MlpBias = ConfigJson.Bool(root, "mlp_bias", path, false);
        c.GlobalRopeTheta = ConfigJson.Number(root, "global_rope_theta", path, c.GlobalRopeTheta);
        c.LocalRopeTheta = root["local_rope_theta"] is null ? null : ConfigJson.Number(root, "local_rope_theta", path, 10000);
        c.GlobalAttnEveryNLayers = ConfigJson.Int(root, "global_attn_every_n_layers", path, c.GlobalAttnEveryNLayers, 1);
        c.LocalAttention = ConfigJson.Int(root, "local_attention", path, c.LocalAttention, 2);
        c.InitializerRange = (float)ConfigJson.Number(root, "initializer_range", path, c.InitializerRange);
        c.PadTokenId = ConfigJson.Int(root, "pad_token_id", path, c.PadTokenId, 0);
        string act = ConfigJson.Str(root, "hidden_activation", path) ?? "gelu";
        c.HiddenActivation = Activation.Parse(act) is { } k && k != ActivationKind.Relu ? k
            : throw new ModelFormatException(path, $"field 'hidden_activation' is \"{act}\"; expected gelu, gelu_new or gelu_pytorch_tanh.");
        if (c.HiddenSize % c.NumAttentionHeads != 0)
            throw new ModelFormatException(path, $"field 'hidden_size' ({c.HiddenSize}) is not a multiple of 'num_attention_heads' ({c.NumAttentionHeads}).");
        if (c.HeadDim % 2 != 0) throw new ModelFormatException(path, $"the head width hidden_size / num_attention_heads ({c.HeadDim}) must be even for rotary embeddings.");
        var extra = new JsonObject();
        foreach (var (k2, v) in root) if (!Known.Contains(k2)) extra[k2] = v?.DeepClone();
        c.Extra = extra;
        return c;
    }

    static readonly HashSet<string> Known = new()
    {
        "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "max_position_embeddings",
        "norm_eps", "norm_bias", "attention_bias", "mlp_bias", "global_rope_theta", "local_rope_theta", "global_attn_every_n_layers",
        "local_attention", "initializer_range", "pad_token_id", "hidden_activation",
    };

    /// <summary>The config as config.json content (known fields plus <see cref="Extra"/>).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Extra is not null) foreach (var (k, v) in Extra) o[k] = v?.DeepClone();
        o["architectures"] ??= new JsonArray("ModernBertModel");
        o["model_type"] = "modernbert";
        o["vocab_size"] = VocabSize;
        o["hidden_size"] = HiddenSize;
        o["intermediate_size"] = IntermediateSize;
        o["num_hidden_layers"] = NumHiddenLayers;
        o["num_attention_heads"] = NumAttentionHeads;
        o["max_position_embeddings"] = MaxPositionEmbeddings;
        o["norm_eps"] = NormEps;
        o["norm_bias"] = NormBias;
        o["attention_bias"] = AttentionBias;
        o["mlp_bias"] = MlpBias;
        o["global_rope_theta"] = GlobalRopeTheta;
        o["local_rope_theta"] = LocalRopeTheta;
        o["global_attn_every_n_layers"] = GlobalAttnEveryNLayers;
        o["local_attention"] = LocalAttention;
        o["initializer_range"] = InitializerRange;
        o["pad_token_id"] = PadTokenId;
        o["hidden_activation"] = HiddenActivation == ActivationKind.Gelu ? "gelu" : "gelu_pytorch_tanh";
        return o;
    }

    /// <summary>Writes config.json atomically.</summary>
    public void Save(string path) => ConfigJson.Save(path, ToJson());
}
