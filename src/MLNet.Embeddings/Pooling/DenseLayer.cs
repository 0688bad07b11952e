using System.Text.Json.Nodes;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Pooling;

/// <summary>
/// A sentence-transformers <c>Dense</c> module between pooling and normalisation (EmbeddingGemma's 2_Dense and
/// 3_Dense): <c>y = act(x·Wᵀ + b)</c> with weights <c>linear.weight</c> [out × in] and optional <c>linear.bias</c>,
/// forward and backward side by side. Loaded from and saved to the module folder (config.json + model.safetensors).
/// </summary>
public sealed class DenseLayer
{
    /// <summary>Creates a layer over existing parameters.</summary>
    /// <param name="weight">The weight, named <c>linear.weight</c>, shape [out × in].</param>
    /// <param name="bias">The bias (<c>linear.bias</c>, [out]) or null.</param>
    /// <param name="activation">The activation after the product.</param>
    public DenseLayer(Parameter weight, Parameter? bias, DenseActivation activation)
    {
        if (weight.Shape.Length != 2) throw new ArgumentException($"Dense weight must be 2-D, found [{string.Join(", ", weight.Shape)}].", nameof(weight));
        if (bias is not null && (bias.Shape.Length != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"Dense bias must be [{weight.Shape[0]}], found [{string.Join(", ", bias.Shape)}].", nameof(bias));
        Weight = weight; Bias = bias; Activation = activation;
    }

    /// <summary>The weight [OutFeatures × InFeatures].</summary>
    public Parameter Weight { get; }
    /// <summary>The bias, or null.</summary>
    public Parameter? Bias { get; }
    /// <summary>The activation.</summary>
    public DenseActivation Activation { get; }
    /// <summary>Input width.</summary>
    public int InFeatures => Weight.Shape[1];
    /// <summary>Output width.</summary>
    public int OutFeatures => Weight.Shape[0];

    /// <summary><c>y[rows × out] = act(x[rows × in]·Wᵀ + b)</c>.</summary>
    public float[] Forward(ReadOnlySpan<float> x, int rows)
    {
        var y = new float[rows * OutFeatures];
        Linear.Forward(x, Weight.Value, Bias is null ? default : Bias.Value, y, rows, InFeatures, OutFeatures);
        if (Activation == DenseActivation.Tanh) for (int i = 0; i < y.Length; i++) y[i] = MathF.Tanh(y[i]);
        return y;
    }

    /// <summary>
    /// Backward of <see cref="Forward"/>: adds the weight and bias gradients into their <see cref="Parameter.Grad"/> and
    /// returns dL/dx [rows × in]. <paramref name="y"/> is the forward output (the tanh derivative reads it).
    /// </summary>
    public float[] Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int rows)
    {
        var g = dy.ToArray();
        if (Activation == DenseActivation.Tanh) for (int i = 0; i < g.Length; i++) g[i] *= 1f - y[i] * y[i];
        var dx = new float[rows * InFeatures];
        Linear.Backward(g, x, Weight.Value, dx, Weight.Grad, Bias is null ? default : Bias.Grad, rows, InFeatures, OutFeatures);
        return dx;
    }

    const string IdentityName = "torch.nn.modules.linear.Identity", TanhName = "torch.nn.modules.activation.Tanh";

    /// <summary>Reads a Dense module folder: config.json (in_features, out_features, bias, activation_function) and model.safetensors.</summary>
    /// <exception cref="ModelFormatException">A file is missing or malformed, the activation is not supported, or a tensor is missing or misshapen (named).</exception>
    public static DenseLayer Load(string folder)
    {
        string configPath = Path.Combine(folder, "config.json");
        using var doc = JsonFile.ParseObject(configPath);
        var root = doc.RootElement;
        int inF = JsonFile.Int(configPath, root, "in_features") ?? throw new ModelFormatException(configPath, "field 'in_features' is missing.");
        int outF = JsonFile.Int(configPath, root, "out_features") ?? throw new ModelFormatException(configPath, "field 'out_features' is missing.");
        bool bias = JsonFile.Bool(configPath, root, "bias") ?? true;
        string act = JsonFile.String(configPath, root, "activation_function") ?? TanhName;
        var activation = act switch
        {
            IdentityName or "torch.nn.Identity" => DenseActivation.Identity,
            TanhName or "torch.nn.Tanh" => DenseActivation.Tanh,
            _ => throw new ModelFormatException(configPath, $"field 'activation_function' is '{act}'; supported: {IdentityName}, {TanhName}."),
        };
        string weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights)) throw new ModelFormatException(weights, "file not found; a Dense module's weights must be in safetensors format.");
        var tensors = SafeTensors.Read(weights);
        Parameter Get(string name, params int[] shape)
        {
            if (!tensors.TryGetValue(name, out var p)) throw new ModelFormatException(weights, $"tensor '{name}' is missing (shape [{string.Join(", ", shape)}] expected).");
            if (!p.Shape.AsSpan().SequenceEqual(shape))
                throw new ModelFormatException(weights, $"tensor '{name}' has shape [{string.Join(", ", p.Shape)}], expected [{string.Join(", ", shape)}] (config.json in_features {inF}, out_features {outF}).");
            return p;
        }
        return new DenseLayer(Get("linear.weight", outF, inF), bias ? Get("linear.bias", outF) : null, activation);
    }

    /// <summary>Writes the module folder (config.json and model.safetensors).</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        JsonFile.Write(Path.Combine(folder, "config.json"), new JsonObject
        {
            ["in_features"] = InFeatures, ["out_features"] = OutFeatures, ["bias"] = Bias is not null,
            ["activation_function"] = Activation == DenseActivation.Identity ? IdentityName : TanhName,
        });
        SafeTensors.Write(Path.Combine(folder, "model.safetensors"), Bias is null ? [Weight] : [Weight, Bias], new Dictionary<string, string> { ["format"] = "pt" });
    }
}
