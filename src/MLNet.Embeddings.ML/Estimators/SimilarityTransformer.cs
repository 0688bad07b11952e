using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Adds a float column with the similarity of two float vector columns of equal size (cosine by default; dot;
/// euclidean and manhattan as negative distances, sentence-transformers' convention: higher is more similar).
/// Row by row: scoring is cheap next to embedding. Saved as stock ML.NET transforms around a CustomMapping contract.
/// </summary>
public sealed class SimilarityTransformer : ITransformer
{
    readonly ITransformer _inner;

    internal SimilarityTransformer(string output, string first, string second, SimilarityFunction function, DataViewSchema schema)
    {
        OutputColumnName = output; FirstColumnName = first; SecondColumnName = second; Function = function;
        Check(schema);
        _inner = SavedPipeline.Similarity(function, output, first, second, schema);
    }

    /// <summary>The similarity column.</summary>
    public string OutputColumnName { get; }
    /// <summary>The first vector column.</summary>
    public string FirstColumnName { get; }
    /// <summary>The second vector column.</summary>
    public string SecondColumnName { get; }
    /// <summary>The similarity function.</summary>
    public SimilarityFunction Function { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) { Check(inputSchema); return _inner.GetOutputSchema(inputSchema); }

    /// <inheritdoc />
    public IDataView Transform(IDataView input) { Check(input.Schema); return _inner.Transform(input); }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) { Check(inputSchema); return _inner.GetRowToRowMapper(inputSchema); }

    void ICanSaveModel.Save(ModelSaveContext ctx) => _inner.Save(ctx);

    internal void Check(DataViewSchema schema) => Check(schema, FirstColumnName, SecondColumnName);

    internal static void Check(DataViewSchema schema, string first, string second)
    {
        SchemaChecks.NoReservedNames(schema);
        int a = Size(schema, first, "first column"), b = Size(schema, second, "second column");
        if (a > 0 && b > 0 && a != b)
            throw new ArgumentOutOfRangeException(nameof(second), $"ScoreSimilarity: column '{first}' has {a} dimensions and column '{second}' has {b}; they must be equal.");
    }

    static int Size(DataViewSchema schema, string name, string role)
    {
        var col = SchemaChecks.Find(schema, name, role);
        if (col.Type is not VectorDataViewType { ItemType: var item } v || item != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(role, $"column '{name}' ({role}) must be a vector of Single, found {col.Type}.");
        return v.Size;
    }
}
