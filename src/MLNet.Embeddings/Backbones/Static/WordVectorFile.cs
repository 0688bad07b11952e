using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace MLNet.Embeddings.Backbones.Static;

/// <summary>The contents of a word-vector file: the words in file order and their vectors, row after row.</summary>
internal sealed record WordVectors(string[] Words, float[] Table, int Dimensions);

/// <summary>
/// Reads GloVe / word2vec / fastText vectors. Text format: one word per line followed by its values, separated by
/// spaces (or tabs), with or without a <c>count dims</c> header line; trailing blanks, CRLF and blank lines are
/// tolerated. Binary format (<c>.bin</c>, word2vec): header <c>count dims\n</c>, then per word its bytes up to a
/// space, <c>dims</c> little-endian float32 values and an optional newline.
/// Lines are parsed as UTF-8 bytes straight from a reused buffer: no string per line or per value.
/// </summary>
internal static class WordVectorFile
{
    const int InitialBuffer = 1 << 20;

    /// <summary>Reads <paramref name="path"/>; <c>.bin</c> files as word2vec binary, anything else as text.</summary>
    public static WordVectors Read(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "word-vector file not found.");
        return Path.GetExtension(path).Equals(".bin", StringComparison.OrdinalIgnoreCase)
            ? ReadBinary(path, cancellationToken)
            : ReadText(path, cancellationToken);
    }

    /// <summary>Reads the text format.</summary>
    public static WordVectors ReadText(string path, CancellationToken cancellationToken = default)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var words = new List<string>();
        float[] table = [];
        int dims = -1, declaredCount = -1, lineNo = 0;
        long rows = 0;

        byte[] buffer = new byte[InitialBuffer];
        int start = 0, end = 0;
        bool eof = false;
        while (true)
        {
            // Find the next newline in buffer[start..end); refill (compacting, growing) when none is there.
            int nl = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (nl < 0 && !eof)
            {
                if (start > 0) { Buffer.BlockCopy(buffer, start, buffer, 0, end - start); end -= start; start = 0; }
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                int n = stream.Read(buffer, end, buffer.Length - end);
                if (n == 0) eof = true; else end += n;
                continue;
            }
            if (nl < 0 && start == end) break;
            int lineLength = nl < 0 ? end - start : nl;
            var line = buffer.AsSpan(start, lineLength);
            start += nl < 0 ? lineLength : lineLength + 1;
            lineNo++;
            if ((lineNo & 0xFFF) == 0) cancellationToken.ThrowIfCancellationRequested();

            line = line.TrimEnd("\r\t "u8);
            if (line.IsEmpty) continue;

            if (dims < 0)
            {
                if (TryHeader(line, out int count, out int headerDims))
                {
                    declaredCount = count; dims = headerDims;
                    table = new float[checked((long)count * dims)];
                    words.Capacity = count;
                    continue;
                }
                dims = CountFields(line) - 1;
                if (dims <= 0) throw new ModelFormatException(path, $"line {lineNo}: expected a word followed by its vector values, found '{Show(line)}'.");
                table = new float[(long)dims * 1024];
            }

            int space = line.IndexOfAny(" \t"u8);
            if (space <= 0) throw new ModelFormatException(path, $"line {lineNo}: expected a word followed by {dims} values, found '{Show(line)}'.");
            if (declaredCount >= 0 && rows == declaredCount)
                throw new ModelFormatException(path, $"line {lineNo}: the header declares {declaredCount} words, but the file has more.");
            if ((rows + 1) * dims > table.Length) Array.Resize(ref table, checked(table.Length * 2));

            ParseValues(path, lineNo, line[(space + 1)..], table.AsSpan((int)(rows * dims), dims));
            words.Add(Encoding.UTF8.GetString(line[..space]));
            rows++;
        }

        if (dims < 0) throw new ModelFormatException(path, "the file holds no word vectors.");
        if (declaredCount >= 0 && rows != declaredCount)
            throw new ModelFormatException(path, $"line {lineNo}: the header declares {declaredCount} words, found {rows}.");
        if (rows == 0) throw new ModelFormatException(path, "the file holds no word vectors.");
        if (table.Length != rows * dims) Array.Resize(ref table, (int)(rows * dims));
        return new WordVectors(words.ToArray(), table, dims);
    }

    /// <summary>Parses exactly <c>destination.Length</c> blank-separated floats from <paramref name="values"/>.</summary>
    static void ParseValues(string path, int lineNo, ReadOnlySpan<byte> values, Span<float> destination)
    {
        int count = 0, i = 0;
        while (true)
        {
            while (i < values.Length && (values[i] == (byte)' ' || values[i] == (byte)'\t')) i++;
            if (i == values.Length) break;
            int j = i;
            while (j < values.Length && values[j] != (byte)' ' && values[j] != (byte)'\t') j++;
            var field = values[i..j];
            if (count < destination.Length)
            {
                if (!TryParseFast(field, out float v) && !float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out v))
                    throw new ModelFormatException(path, $"line {lineNo}: value {count + 1} is not a number: '{Show(field)}'.");
                destination[count] = v;
            }
            count++;
            i = j;
        }
        if (count != destination.Length)
            throw new ModelFormatException(path, $"line {lineNo}: expected {destination.Length} values after the word, found {count}.");
    }

    static readonly float[] PowersOfTen = [1f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    /// <summary>
    /// Clinger's fast path for plain decimals (<c>-0.038194</c>): with at most 7 significant digits the digits form an
    /// integer m &lt; 2^24 and the scale 10^k (k ≤ 10) is exact in float, so one IEEE division m / 10^k is correctly
    /// rounded, the same value float.Parse gives. Anything else (exponents, long mantissas) returns false.
    /// </summary>
    internal static bool TryParseFast(ReadOnlySpan<byte> s, out float value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (s.Length > 0 && (s[0] == (byte)'-' || s[0] == (byte)'+')) { negative = s[0] == (byte)'-'; i = 1; }
        uint m = 0;
        int digits = 0, scale = -1, significant = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d <= 9)
            {
                digits++;
                if (scale >= 0) scale++;
                if (m != 0 || d != 0) significant++;
                m = m * 10 + d;
                if (significant > 7) return false;
            }
            else if (s[i] == (byte)'.' && scale < 0) scale = 0;
            else return false;
        }
        if (digits == 0 || scale > 10) return false;
        float v = scale > 0 ? m / PowersOfTen[scale] : m;
        value = negative ? -v : v;
        return true;
    }

    static bool TryHeader(ReadOnlySpan<byte> line, out int count, out int dims)
    {
        count = dims = 0;
        int space = line.IndexOfAny(" \t"u8);
        if (space <= 0) return false;
        var rest = line[(space + 1)..].TrimStart(" \t"u8);
        return rest.IndexOfAny(" \t"u8) < 0
            && int.TryParse(line[..space], NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out dims)
            && count > 0 && dims > 0;
    }

    static int CountFields(ReadOnlySpan<byte> line)
    {
        int fields = 0; bool inField = false;
        foreach (byte b in line)
        {
            bool blank = b == (byte)' ' || b == (byte)'\t';
            if (!blank && !inField) fields++;
            inField = !blank;
        }
        return fields;
    }

    /// <summary>Reads the word2vec binary format.</summary>
    public static WordVectors ReadBinary(string path, CancellationToken cancellationToken = default)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var stream = new BufferedStream(file, 1 << 20);

        var header = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n') { header.Add((byte)b); if (header.Count > 100) break; }
        var headerSpan = CollectionsMarshal.AsSpan(header).TrimEnd("\r\t "u8);
        if (b != '\n' || !TryHeader(headerSpan, out int count, out int dims))
            throw new ModelFormatException(path, $"line 1: expected the word2vec binary header 'count dims', found '{Show(headerSpan)}'.");

        var words = new string[count];
        var table = new float[checked((long)count * dims)];
        var raw = new byte[dims * sizeof(float)];
        var word = new List<byte>(64);
        long offset = stream.Position;
        for (int i = 0; i < count; i++)
        {
            if ((i & 0xFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            word.Clear();
            offset = stream.Position;
            // Skip the newline (and any blanks) that word2vec writes after each vector, then read up to a space.
            while ((b = stream.ReadByte()) == '\n' || b == '\r' || b == '\t' || (b == ' ' && word.Count == 0)) { }
            while (b >= 0 && b != ' ')
            {
                word.Add((byte)b);
                if (word.Count > 1 << 16)
                    throw new ModelFormatException(path, $"word {i + 1} of {count} (byte offset {offset}): no space after the word within 65536 bytes; not a word2vec binary file?");
                b = stream.ReadByte();
            }
            if (b < 0)
                throw new ModelFormatException(path, $"word {i + 1} of {count} (byte offset {offset}): file is truncated before the word's vector.");
            int got = stream.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (got < raw.Length)
                throw new ModelFormatException(path, $"word {i + 1} of {count} ('{Show(CollectionsMarshal.AsSpan(word))}', byte offset {offset}): file is truncated: expected {raw.Length} bytes of vector, found {got}.");
            var row = table.AsSpan(i * dims, dims);
            if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(raw).CopyTo(row);
            else for (int d = 0; d < dims; d++) row[d] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(d * 4));
            words[i] = Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(word));
        }
        return new WordVectors(words, table, dims);
    }

    /// <summary>A short printable excerpt of some bytes, for error messages.</summary>
    static string Show(ReadOnlySpan<byte> bytes)
    {
        var s = Encoding.UTF8.GetString(bytes.Length > 60 ? bytes[..60] : bytes);
        return bytes.Length > 60 ? s + "…" : s;
    }
}
