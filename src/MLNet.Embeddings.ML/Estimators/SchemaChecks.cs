using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>Column look-ups with errors that name the column and list the available ones.</summary>
internal static class SchemaChecks
{
    public static DataViewSchema.Column Text(DataViewSchema schema, string name, string role)
    {
        var col = Find(schema, name, role);
        if (col.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(role, $"column '{name}' ({role}) must be text (String / ReadOnlyMemory<char>), found {col.Type}.");
        return col;
    }

    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string role)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, role);
        if (schema.GetColumnOrNull(name) is { } col) return col;
        throw new ArgumentOutOfRangeException(role, $"column '{name}' ({role}) not found in the input; available columns: {Available(schema)}.");
    }

    public static string Available(DataViewSchema schema) =>
        schema.Count == 0 ? "(none)" : string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})"));

    public static void NoReservedNames(DataViewSchema schema)
    {
        foreach (var c in schema)
            if (c.Name.StartsWith(Mapping.MappingColumns.Prefix, StringComparison.Ordinal) && !c.IsHidden)
                throw new ArgumentOutOfRangeException(nameof(schema), $"column '{c.Name}': names starting with '{Mapping.MappingColumns.Prefix}' are reserved for the saved form of the embedding stages.");
    }

    /// <summary>Checks a text column of a <see cref="SchemaShape"/> (estimators' schema propagation).</summary>
    public static void Text(SchemaShape shape, string name, string role)
    {
        if (shape.FirstOrDefault(c => c.Name == name) is not { Name: not null } col)
            throw new ArgumentOutOfRangeException(role, $"column '{name}' ({role}) not found in the input; available columns: {(shape.Count == 0 ? "(none)" : string.Join(", ", shape.Select(c => $"'{c.Name}'")))}.");
        if (col.Kind != SchemaShape.Column.VectorKind.Scalar || col.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(role, $"column '{name}' ({role}) must be text (String / ReadOnlyMemory<char>), found {col.ItemType}{(col.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}.");
    }

    /// <summary>Checks a float vector column of a <see cref="SchemaShape"/>.</summary>
    public static void FloatVector(SchemaShape shape, string name, string role)
    {
        if (shape.FirstOrDefault(c => c.Name == name) is not { Name: not null } col)
            throw new ArgumentOutOfRangeException(role, $"column '{name}' ({role}) not found in the input; available columns: {(shape.Count == 0 ? "(none)" : string.Join(", ", shape.Select(c => $"'{c.Name}'")))}.");
        if (col.Kind == SchemaShape.Column.VectorKind.Scalar || col.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(role, $"column '{name}' ({role}) must be a vector of Single, found {col.ItemType}{(col.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}.");
    }

    /// <summary>Input columns plus vector columns of <paramref name="dimensions"/> floats (a same-named input column is hidden).</summary>
    public static DataViewSchema WithVectors(DataViewSchema input, IEnumerable<string> outputs, int dimensions)
    {
        var b = new DataViewSchema.Builder();
        b.AddColumns(input);
        foreach (var o in outputs) b.AddColumn(o, new VectorDataViewType(NumberDataViewType.Single, dimensions));
        return b.ToSchema();
    }
}
