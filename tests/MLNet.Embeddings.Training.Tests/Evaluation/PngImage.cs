using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

/// <summary>A minimal PNG reader (8-bit grey/RGB/RGBA, non-interlaced) for checking screenshots.</summary>
internal sealed class PngImage
{
    public int Width { get; private init; }
    public int Height { get; private init; }
    /// <summary>RGB of every pixel, row-major.</summary>
    public (byte R, byte G, byte B)[] Pixels { get; private init; } = Array.Empty<(byte, byte, byte)>();

    public static PngImage Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        byte[] signature = { 137, 80, 78, 71, 13, 10, 26, 10 };
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(signature), $"{path} is not a PNG file.");
        int pos = 8, width = 0, height = 0, depth = 0, colorType = 0, interlace = 0;
        using var idat = new MemoryStream();
        while (pos < bytes.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(bytes, pos + 4, 4);
            var data = bytes.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data); height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                depth = data[8]; colorType = data[9]; interlace = data[12];
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            pos += 12 + length;
        }
        Assert.True(depth == 8 && interlace == 0 && colorType is 0 or 2 or 6, $"Unsupported PNG: depth {depth}, colour type {colorType}, interlace {interlace}.");
        int channels = colorType switch { 0 => 1, 2 => 3, _ => 4 };
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var buf = raw.ToArray();
        int stride = width * channels;
        var prev = new byte[stride];
        var cur = new byte[stride];
        var pixels = new (byte, byte, byte)[width * height];
        for (int y = 0; y < height; y++)
        {
            int filter = buf[y * (stride + 1)];
            Array.Copy(buf, y * (stride + 1) + 1, cur, 0, stride);
            for (int i = 0; i < stride; i++)
            {
                int a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
                int add = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                };
                cur[i] = (byte)(cur[i] + add);
            }
            for (int x = 0; x < width; x++)
                pixels[y * width + x] = channels == 1 ? (cur[x], cur[x], cur[x]) : (cur[x * channels], cur[x * channels + 1], cur[x * channels + 2]);
            (prev, cur) = (cur, prev);
        }
        return new PngImage { Width = width, Height = height, Pixels = pixels };
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
