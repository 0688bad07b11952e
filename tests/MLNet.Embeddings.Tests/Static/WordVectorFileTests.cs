using System.Text;
using MLNet.Embeddings.Backbones.Static;

namespace MLNet.Embeddings.Tests.Static;

public sealed class WordVectorFileTests : IDisposable
{
    readonly string _dir = StaticTestData.TempFolder();
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void ReadsGloveTextWithoutHeader()
    {
        var v = WordVectorFile.Read(Write("g.txt", "the 0.5 -1.25 3e-2\n, 1 2 3\nzoë -0.0 7.5 1E3\n"));
        Assert.Equal(new[] { "the", ",", "zoë" }, v.Words);
        Assert.Equal(3, v.Dimensions);
        Assert.Equal(new[] { 0.5f, -1.25f, 0.03f, 1f, 2f, 3f, -0f, 7.5f, 1000f }, v.Table);
    }

    [Fact]
    public void ReadsHeaderTrailingSpacesCrlfAndBlankLines()
    {
        // fastText .vec style: header, trailing space on each line; Windows line endings; a blank line; no final newline.
        var v = WordVectorFile.Read(Write("f.vec", "3 2\r\nкот 0.1 0.2 \r\n\r\n日本 -1 1 \r\nb\t3\t4"));
        Assert.Equal(new[] { "кот", "日本", "b" }, v.Words);
        Assert.Equal(2, v.Dimensions);
        Assert.Equal(new[] { 0.1f, 0.2f, -1f, 1f, 3f, 4f }, v.Table);
    }

    [Fact]
    public void GrowsPastInitialCapacityAndBuffer()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 3000; i++) sb.Append("w").Append(i).Append(' ').Append(i).Append(' ').Append(-i * 0.5).Append('\n');
        sb.Append("long").Append(string.Concat(Enumerable.Repeat(" 1", 2))).Append('\n');
        var v = WordVectorFile.Read(Write("many.txt", sb.ToString()));
        Assert.Equal(3001, v.Words.Length);
        Assert.Equal("w2999", v.Words[2999]);
        Assert.Equal(2999f, v.Table[2 * 2999]);
        Assert.Equal(-1499.5f, v.Table[2 * 2999 + 1]);
    }

    [Fact]
    public void LinesLongerThanTheReadBufferAreRead()
    {
        const int dims = 400_000; // ~1.6 MB per line, beyond the 1 MiB read buffer
        var line = "w" + string.Concat(Enumerable.Repeat(" 0.25", dims - 1)) + " 9\n";
        var v = WordVectorFile.Read(Write("wide.txt", line + line.Replace("w ", "v ")));
        Assert.Equal(new[] { "w", "v" }, v.Words);
        Assert.Equal(dims, v.Dimensions);
        Assert.Equal(9f, v.Table[dims - 1]);
        Assert.Equal(0.25f, v.Table[dims]);
    }

    [Fact]
    public void WrongNumberOfValuesNamesFileAndLine()
    {
        var path = Write("bad.txt", "a 1 2 3\nb 1 2 3\nc 1 2\n");
        var e = Assert.Throws<ModelFormatException>(() => WordVectorFile.Read(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("expected 3 values", e.Message);
        Assert.Contains("found 2", e.Message);
    }

    [Fact]
    public void NonNumericValueNamesLineAndValue()
    {
        var path = Write("bad.txt", "2 2\na 1 2\nb 1 x7\n");
        var e = Assert.Throws<ModelFormatException>(() => WordVectorFile.Read(path));
        Assert.Contains("bad.txt", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'x7'", e.Message);
    }

    [Fact]
    public void HeaderCountMismatchIsReported()
    {
        var e = Assert.Throws<ModelFormatException>(() => WordVectorFile.Read(Write("h.txt", "3 2\na 1 2\nb 1 2\n")));
        Assert.Contains("declares 3 words, found 2", e.Message);
    }

    static byte[] Binary(string header, params (string Word, float[] Vec)[] rows)
    {
        var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes(header + "\n"));
        foreach (var (w, vec) in rows)
        {
            ms.Write(Encoding.UTF8.GetBytes(w + " "));
            foreach (var x in vec) ms.Write(BitConverter.GetBytes(x));
            ms.WriteByte((byte)'\n');
        }
        return ms.ToArray();
    }

    [Fact]
    public void ReadsWord2VecBinary()
    {
        var path = Path.Combine(_dir, "w.bin");
        File.WriteAllBytes(path, Binary("3 2", ("</s>", [0.25f, -1f]), ("Straße", [3.5f, 1e-7f]), ("x", [float.MaxValue, 0f])));
        var v = WordVectorFile.Read(path);
        Assert.Equal(new[] { "</s>", "Straße", "x" }, v.Words);
        Assert.Equal(new[] { 0.25f, -1f, 3.5f, 1e-7f, float.MaxValue, 0f }, v.Table);
    }

    [Fact]
    public void ReadsWord2VecBinaryWithoutNewlines()
    {
        var ms = new MemoryStream();
        ms.Write("2 1\n"u8);
        ms.Write("a "u8); ms.Write(BitConverter.GetBytes(1.5f));
        ms.Write("b "u8); ms.Write(BitConverter.GetBytes(-2f));
        var path = Path.Combine(_dir, "n.bin");
        File.WriteAllBytes(path, ms.ToArray());
        var v = WordVectorFile.Read(path);
        Assert.Equal(new[] { "a", "b" }, v.Words);
        Assert.Equal(new[] { 1.5f, -2f }, v.Table);
    }

    [Fact]
    public void TruncatedBinaryNamesWord()
    {
        var bytes = Binary("2 3", ("one", [1f, 2f, 3f]), ("two", [4f, 5f, 6f]));
        var path = Path.Combine(_dir, "t.bin");
        File.WriteAllBytes(path, bytes[..^6]); // cut into the last vector
        var e = Assert.Throws<ModelFormatException>(() => WordVectorFile.Read(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("word 2 of 2", e.Message);
        Assert.Contains("'two'", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void BadBinaryHeaderIsReported()
    {
        var path = Path.Combine(_dir, "h.bin");
        File.WriteAllBytes(path, "hello 1.0 2.0\n"u8.ToArray());
        var e = Assert.Throws<ModelFormatException>(() => WordVectorFile.Read(path));
        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void FastFloatPathAgreesWithFloatParse()
    {
        var rng = new Random(11);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        int fast = 0;
        for (int n = 0; n < 200_000; n++)
        {
            int intDigits = rng.Next(0, 5), fracDigits = rng.Next(0, 12);
            var sb = new StringBuilder(rng.Next(3) == 0 ? "-" : "");
            for (int i = 0; i < intDigits; i++) sb.Append((char)('0' + rng.Next(10)));
            if (fracDigits > 0 || intDigits == 0) sb.Append('.');
            for (int i = 0; i < fracDigits; i++) sb.Append((char)('0' + rng.Next(10)));
            var text = sb.ToString();
            bool expectOk = float.TryParse(text, System.Globalization.NumberStyles.Float, inv, out float expected);
            if (WordVectorFile.TryParseFast(Encoding.ASCII.GetBytes(text), out float got))
            {
                fast++;
                Assert.True(expectOk, text);
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(got), $"{text}: {expected:R} vs {got:R}");
            }
        }
        Assert.True(fast > 50_000, $"fast path taken only {fast} times");
        Assert.False(WordVectorFile.TryParseFast("1e5"u8, out _));
        Assert.False(WordVectorFile.TryParseFast("."u8, out _));
        Assert.False(WordVectorFile.TryParseFast("1.2.3"u8, out _));
        Assert.True(WordVectorFile.TryParseFast("-0"u8, out float z) && float.IsNegative(z) && z == 0);
    }

    [Fact]
    public void MissingFileIsModelFormatException()
        => Assert.Throws<ModelFormatException>(() => WordVectorFile.Read(Path.Combine(_dir, "none.txt")));
}
