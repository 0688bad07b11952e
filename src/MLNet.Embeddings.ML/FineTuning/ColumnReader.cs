using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>Reads whole columns of an IDataView (for training), with errors that name the column and the row.</summary>
internal static class ColumnReader
{
    public static string[] Texts(IDataView data, string name, string role)
    {
        var col = SchemaChecks.Text(data.Schema, name, role);
        var list = new List<string>();
        using var cursor = data.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(col);
        var v = default(ReadOnlyMemory<char>);
        while (cursor.MoveNext()) { get(ref v); list.Add(v.ToString()); }
        return list.ToArray();
    }

    public static float[] Numbers(IDataView data, string name, string role)
    {
        var col = SchemaChecks.Find(data.Schema, name, role);
        var values = Read(data, col, role);
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
            if (!float.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]) || float.IsNaN(result[i]))
                throw new FormatException($"column '{name}' ({role}), row {i + 1}: expected a number, found '{values[i]}'.");
        return result;
    }

    /// <summary>Any scalar column as invariant text (class labels): text, key (its index), numbers, booleans.</summary>
    public static string[] Labels(IDataView data, string name, string role) => Read(data, SchemaChecks.Find(data.Schema, name, role), role);

    static string[] Read(IDataView data, DataViewSchema.Column col, string role)
    {
        using var cursor = data.GetRowCursor(new[] { col });
        var list = new List<string>();
        switch (col.Type)
        {
            case TextDataViewType: Loop<ReadOnlyMemory<char>>(cursor, col, list, v => v.ToString()); break;
            case KeyDataViewType k when k.RawType == typeof(uint): Loop<uint>(cursor, col, list, v => v.ToString(CultureInfo.InvariantCulture)); break;
            case BooleanDataViewType: Loop<bool>(cursor, col, list, v => v ? "1" : "0"); break;
            case NumberDataViewType when col.Type.RawType == typeof(float): Loop<float>(cursor, col, list, v => v.ToString("R", CultureInfo.InvariantCulture)); break;
            case NumberDataViewType when col.Type.RawType == typeof(double): Loop<double>(cursor, col, list, v => v.ToString("R", CultureInfo.InvariantCulture)); break;
            case NumberDataViewType when col.Type.RawType == typeof(int): Loop<int>(cursor, col, list, v => v.ToString(CultureInfo.InvariantCulture)); break;
            case NumberDataViewType when col.Type.RawType == typeof(long): Loop<long>(cursor, col, list, v => v.ToString(CultureInfo.InvariantCulture)); break;
            default:
                throw new ArgumentOutOfRangeException(role, $"column '{col.Name}' ({role}) must be a scalar text, number, boolean or key, found {col.Type}.");
        }
        return list.ToArray();
    }

    static void Loop<T>(DataViewRowCursor cursor, DataViewSchema.Column col, List<string> list, Func<T, string> format)
    {
        var get = cursor.GetGetter<T>(col);
        T v = default!;
        while (cursor.MoveNext()) { get(ref v); list.Add(format(v)); }
    }
}
