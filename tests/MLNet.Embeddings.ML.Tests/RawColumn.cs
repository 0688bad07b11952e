using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>Writes / reads a float or float-vector column as raw bits, for bit-for-bit comparisons across processes.</summary>
public static class RawColumn
{
    public static void Write(IDataView data, string name, BinaryWriter w)
    {
        var col = data.Schema[name];
        using var cursor = data.GetRowCursor(new[] { col });
        if (col.Type is VectorDataViewType)
        {
            var get = cursor.GetGetter<VBuffer<float>>(col);
            var v = default(VBuffer<float>);
            while (cursor.MoveNext()) { get(ref v); foreach (var x in v.DenseValues()) w.Write(BitConverter.SingleToInt32Bits(x)); }
        }
        else
        {
            var get = cursor.GetGetter<float>(col);
            float v = 0;
            while (cursor.MoveNext()) { get(ref v); w.Write(BitConverter.SingleToInt32Bits(v)); }
        }
    }

    public static int[] Bits(IDataView data, params string[] names)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
            foreach (var n in names) Write(data, n, w);
        var bytes = ms.ToArray();
        var result = new int[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, result, 0, bytes.Length);
        return result;
    }
}
