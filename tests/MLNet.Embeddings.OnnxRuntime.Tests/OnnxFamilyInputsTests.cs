using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// The input/output signatures of decoder and encoder exports (tools/fixtures/make_onnx_families_fixture.py):
/// position_ids, no token_type_ids, int32 and int64 ids side by side, empty past key/values, float16 outputs,
/// a pooled sentence_embedding. Each graph's numbers change if an input is fed wrong.
/// </summary>
public sealed class OnnxFamilyInputsTests
{
    sealed record Sequence(int[] Ids, float[] Decoder, float[] Tokens, float[] Pooled);

    static List<Sequence> Expected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(OrtTestEnvironment.Fixture("families", "expected.json")));
        static float[] F(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return doc.RootElement.GetProperty("sequences").EnumerateArray().Select(s => new Sequence(
            s.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
            F(s.GetProperty("decoder")), F(s.GetProperty("tokens")), F(s.GetProperty("pooled")))).ToList();
    }

    static TokenBatch Batch(IEnumerable<Sequence> sequences)
        => TokenBatch.From(sequences.Select(s => new TokenizedText(s.Ids, new int[s.Ids.Length], new (int, int)[s.Ids.Length])).ToList());

    static OnnxOptions Options() => new() { IntraOpThreads = 1 };

    [Fact]
    public void Decoder_export_gets_positions_int32_ids_empty_pasts_and_gives_float_from_float16()
    {
        var expected = Expected();
        using var backbone = OnnxBackbone.Open(OrtTestEnvironment.Fixture("families", "decoder.onnx"), Options());
        Assert.IsNotType<OnnxPooledBackbone>(backbone);
        Assert.Equal("last_hidden_state", backbone.TokenOutput);
        Assert.Equal(4, backbone.HiddenSize);
        Assert.Contains(backbone.Session.Inputs, i => i.Name == "past_key_values.1.value" && i.ElementType == OrtElementType.Float16);
        // A padded batch, then each text alone (no padding): the mask count, the positions and a past length of 0 are in the numbers.
        Reference.Close(expected.SelectMany(s => s.Decoder).ToArray(), backbone.Forward(Batch(expected)), 1e-6f);
        foreach (var s in expected)
            Reference.Close(s.Decoder, backbone.Forward(Batch([s])), 1e-6f);
    }

    [Fact]
    public void Encoder_export_with_a_float16_sentence_embedding_is_used_as_pooled()
    {
        var expected = Expected();
        using var backbone = OnnxBackbone.Open(OrtTestEnvironment.Fixture("families", "encoder_pooled.onnx"), Options());
        var pooled = Assert.IsType<OnnxPooledBackbone>(backbone);
        Assert.Equal(4, pooled.Dimensions);
        Assert.Equal("token_embeddings", pooled.TokenOutput);
        Assert.DoesNotContain(backbone.Session.Inputs, i => i.Name == "token_type_ids");
        var batch = Batch(expected);
        Reference.Close(expected.SelectMany(s => s.Pooled).ToArray(), pooled.ForwardPooled(batch), 1e-6f);
        Reference.Close(expected.SelectMany(s => s.Tokens).ToArray(), pooled.Forward(batch), 1e-6f);
    }

    [Fact]
    public void Without_pooled_output_the_encoder_export_gives_its_token_embeddings()
    {
        var expected = Expected();
        var options = Options();
        options.UsePooledOutput = false;
        using var backbone = OnnxBackbone.Open(OrtTestEnvironment.Fixture("families", "encoder_pooled.onnx"), options);
        Assert.IsNotType<OnnxPooledBackbone>(backbone);
        Reference.Close(expected.SelectMany(s => s.Tokens).ToArray(), backbone.Forward(Batch(expected)), 1e-6f);
    }
}
