using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.OnnxRuntime;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// The value of <c>--reranker</c>, <c>--cross-encoder</c> and <c>data score --teacher</c> when it names a cross-encoder:
/// a folder (or model name) runs on the managed engine; an <c>.onnx</c> file (what <c>export</c> writes for a
/// cross-encoder folder, or an optimum export with a <c>logits</c> output) runs on ONNX Runtime, with the tokenizer and
/// config.json of its folder (or of the folder above <c>onnx/</c>).
/// </summary>
internal static class RerankerArgument
{
    /// <summary>Whether <paramref name="value"/> is an ONNX file.</summary>
    public static bool IsOnnxFile(string value) => File.Exists(value) && value.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads the cross-encoder <paramref name="value"/> names; dispose the result when it is <see cref="IDisposable"/>.</summary>
    public static ICrossEncoder Load(string value, string option)
        => IsOnnxFile(value) ? OnnxCrossEncoder.Load(value) : CrossEncoder.Load(ModelArgument.Resolve(value, option));
}
