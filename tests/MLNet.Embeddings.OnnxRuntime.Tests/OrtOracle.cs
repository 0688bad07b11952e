using Ort = Microsoft.ML.OnnxRuntime;
using OrtTensors = Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// The official ONNX Runtime .NET API (Microsoft.ML.OnnxRuntime 1.32.0, InferenceSession) on an ONNX file: an
/// oracle independent of our own binding. Runs a padded batch and returns each text's token vectors, unpadded.
/// </summary>
internal sealed class OrtOracle : IDisposable
{
    readonly Ort.InferenceSession _session;

    public OrtOracle(string onnxPath, int threads = 1)
    {
        var options = new Ort.SessionOptions { IntraOpNumThreads = threads };
        _session = new Ort.InferenceSession(onnxPath, options);
    }

    public void Dispose() => _session.Dispose();

    /// <summary>last_hidden_state for each text, [length × hidden] row-major, padding removed.</summary>
    public List<float[]> TokenStates(IReadOnlyList<TokenizedText> texts)
    {
        int batch = texts.Count, max = texts.Max(t => t.Length);
        var ids = new OrtTensors.DenseTensor<long>([batch, max]);
        var mask = new OrtTensors.DenseTensor<long>([batch, max]);
        var types = new OrtTensors.DenseTensor<long>([batch, max]);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < texts[b].Length; t++)
            {
                ids[b, t] = texts[b].Ids[t];
                mask[b, t] = 1;
                types[b, t] = texts[b].TypeIds[t];
            }
        var inputs = new List<Ort.NamedOnnxValue>
        {
            Ort.NamedOnnxValue.CreateFromTensor("input_ids", ids),
            Ort.NamedOnnxValue.CreateFromTensor("attention_mask", mask),
            Ort.NamedOnnxValue.CreateFromTensor("token_type_ids", types),
        };
        using var results = _session.Run(inputs, ["last_hidden_state"]);
        var output = results.First().AsTensor<float>();
        int hidden = output.Dimensions[2];
        var result = new List<float[]>(batch);
        for (int b = 0; b < batch; b++)
        {
            var states = new float[texts[b].Length * hidden];
            for (int t = 0; t < texts[b].Length; t++)
                for (int d = 0; d < hidden; d++) states[t * hidden + d] = output[b, t, d];
            result.Add(states);
        }
        return result;
    }
}
