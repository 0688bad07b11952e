using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Tests.Models;

public sealed class SafeTensorsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("st-tests-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    string WriteRaw(string header, byte[] data, long? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredLength ?? h.Length));
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static byte[] Floats(params float[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), v[i]);
        return b;
    }

    ModelFormatException Bad(string header, byte[] data, long? declaredLength = null)
    {
        var path = WriteRaw(header, data, declaredLength);
        var ex = Assert.Throws<ModelFormatException>(() => SafeTensors.Read(path));
        Assert.Equal(path, ex.Path);
        Assert.Contains(Path.GetFileName(path), ex.Message);
        return ex;
    }

    [Fact]
    public void ReadsTorchWrittenF32F16Bf16AndInt()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models");
        var tensors = SafeTensors.Read(Path.Combine(dir, "mixed.safetensors"), out var metadata);
        Assert.Equal("pt", metadata["format"]);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "mixed.expected.json")));
        Assert.Equal(expected.RootElement.EnumerateObject().Count(), tensors.Count);
        foreach (var e in expected.RootElement.EnumerateObject())
        {
            var p = tensors[e.Name];
            Assert.Equal(e.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(), p.Shape);
            var values = e.Value.GetProperty("values").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
            Assert.Equal(values, p.Value); // conversions to F32 are exact
        }
    }

    [Fact]
    public void WriteThenReadRoundTripsAndIsDeterministic()
    {
        var rng = new Random(1);
        var a = new Parameter("z.weight", new[] { 2, 3 }, Enumerable.Range(0, 6).Select(_ => (float)rng.NextDouble()).ToArray());
        var b = new Parameter("a.bias", new[] { 3 }, new[] { 1f, -2f, float.Epsilon });
        var s = new Parameter("scalar", Array.Empty<int>(), new[] { 7f });
        var e = new Parameter("empty", new[] { 0, 4 }, Array.Empty<float>());
        var p1 = Path.Combine(_dir, "one.safetensors");
        var p2 = Path.Combine(_dir, "two.safetensors");
        var meta = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode" };
        SafeTensors.Write(p1, new[] { a, b, s, e }, meta);
        SafeTensors.Write(p2, new[] { e, s, b, a }, meta);
        Assert.Equal(File.ReadAllBytes(p1), File.ReadAllBytes(p2));

        var bytes = File.ReadAllBytes(p1);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);

        var back = SafeTensors.Read(p1, out var meta2);
        Assert.Equal(new[] { "a.bias", "empty", "scalar", "z.weight" }.OrderBy(x => x, StringComparer.Ordinal), back.Keys.OrderBy(x => x, StringComparer.Ordinal));
        Assert.Equal(a.Value, back["z.weight"].Value);
        Assert.Equal(a.Shape, back["z.weight"].Shape);
        Assert.Equal(b.Value, back["a.bias"].Value);
        Assert.Empty(back["scalar"].Shape);
        Assert.Equal(new[] { 0, 4 }, back["empty"].Shape);
        Assert.Equal("ünïcode", meta2["note"]);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void WriteOverwritesAtomicallyAndRejectsDuplicates()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        SafeTensors.Write(path, new[] { new Parameter("x", new[] { 1 }, new[] { 1f }) });
        SafeTensors.Write(path, new[] { new Parameter("x", new[] { 2 }, new[] { 2f, 3f }) });
        Assert.Equal(new[] { 2f, 3f }, SafeTensors.Read(path)["x"].Value);
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, new[]
        {
            new Parameter("x", new[] { 1 }, new[] { 1f }), new Parameter("x", new[] { 1 }, new[] { 1f }),
        }));
        Assert.Equal(new[] { 2f, 3f }, SafeTensors.Read(path)["x"].Value);
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void IgnoresMetadataAndReturnsFileOrder()
    {
        var path = WriteRaw("{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", Floats(1, 2));
        var t = SafeTensors.Read(path);
        Assert.Equal(new[] { "a", "b" }, t.Keys);
        Assert.Equal(1f, t["a"].Value[0]);
        Assert.Equal(2f, t["b"].Value[0]);
    }

    [Fact]
    public void HeaderLengthLongerThanFile()
    {
        var ex = Bad("{}", Array.Empty<byte>(), declaredLength: 1000);
        Assert.Contains("header length 1000", ex.Message);
    }

    [Fact]
    public void FileShorterThanLengthPrefix()
    {
        var path = Path.Combine(_dir, "tiny.safetensors");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        var ex = Assert.Throws<ModelFormatException>(() => SafeTensors.Read(path));
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void BadJson()
    {
        var ex = Bad("{\"a\": {\"dtype\": ", Array.Empty<byte>());
        Assert.Contains("not valid JSON", ex.Message);
    }

    [Fact]
    public void HeaderNotAnObject()
    {
        Assert.Contains("JSON object", Bad("[1,2]", Array.Empty<byte>()).Message);
    }

    [Fact]
    public void UnsupportedDtypeIsNamed()
    {
        var ex = Bad("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]);
        Assert.Contains("'w'", ex.Message);
        Assert.Contains("F8_E4M3", ex.Message);
    }

    [Fact]
    public void OffsetsOutOfRangeMeanTruncated()
    {
        var ex = Bad("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", Floats(1, 2));
        Assert.Contains("'w'", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void OverlappingOffsets()
    {
        var ex = Bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", Floats(1, 2, 3));
        Assert.Contains("overlap", ex.Message);
        Assert.Contains("'b'", ex.Message);
    }

    [Fact]
    public void OffsetsNotMatchingDtypeTimesShape()
    {
        var ex = Bad("{\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", new byte[16]);
        Assert.Contains("'w'", ex.Message);
        Assert.Contains("needs 8", ex.Message);
    }

    [Fact]
    public void NegativeOrReversedOffsets()
    {
        Assert.Contains("data_offsets", Bad("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", new byte[8]).Message);
    }

    [Fact]
    public void MissingFieldsAndBadShape()
    {
        Assert.Contains("dtype", Bad("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]).Message);
        Assert.Contains("shape", Bad("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]).Message);
        Assert.Contains("shape", Bad("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]).Message);
        Assert.Contains("data_offsets", Bad("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]).Message);
    }

    [Fact]
    public void DuplicateTensorName()
    {
        var ex = Bad("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", Floats(1, 2));
        Assert.Contains("twice", ex.Message);
    }

    [Fact]
    public void ConvertsF16AndBf16()
    {
        var data = new byte[2 * 3 + 2 * 2];
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(0), (Half)1.5f);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2), (Half)(-0.25f));
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(4), Half.PositiveInfinity);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), (ushort)(BitConverter.SingleToInt32Bits(3.0f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8), (ushort)(BitConverter.SingleToInt32Bits(-0.5f) >> 16));
        var path = WriteRaw("{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]}}", data);
        var t = SafeTensors.Read(path);
        Assert.Equal(new[] { 1.5f, -0.25f, float.PositiveInfinity }, t["h"].Value);
        Assert.Equal(new[] { 3f, -0.5f }, t["b"].Value);
    }

    [Fact]
    public void MissingFile()
    {
        var path = Path.Combine(_dir, "nope.safetensors");
        Assert.Equal(path, Assert.Throws<ModelFormatException>(() => SafeTensors.Read(path)).Path);
    }
}
