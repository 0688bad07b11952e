using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>Static word vectors as ONNX: Gather rows of <c>embedding.weight</c>, then the same pooling as BERT (masked mean by default).</summary>
internal static class StaticGraphWriter
{
    public static OnnxGraph Build(Parameter table, PoolingMode pooling, bool normalize, OnnxExportOptions options)
    {
        if (options.Opset is < 14 or > 21) throw new ConfigurationException("opset", $"must be between 14 and 21, found {options.Opset}.");
        if (table.Shape.Length != 2) throw new ModelFormatException(table.Name, $"expected a [vocab, dim] table, found shape [{string.Join(",", table.Shape)}].");
        var g = new OnnxGraph(options.Opset);
        var ids = g.Input("input_ids", OnnxGraph.Int64, "batch", "sequence");
        var mask = g.Input("attention_mask", OnnxGraph.Int64, "batch", "sequence");
        var x = g.Node("Gather", [g.Init(table.Name, table.Value, table.Shape[0], table.Shape[1]), ids]);
        var maskF = g.Node("Cast", [mask], ("to", OnnxGraph.Float));
        PoolingGraph.Outputs(g, x, maskF, table.Shape[1], pooling, normalize, options.IncludePooling);
        return g;
    }
}
