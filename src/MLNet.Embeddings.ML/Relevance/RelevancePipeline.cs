using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The stock ML.NET chains of a relevance stage (see <see cref="SavedPipeline"/> for why stages save as stock chains).
/// Saved form, with the model carried as an embedding stage carries it (<see cref="StageState.SavedLookup"/>):
/// <code>
/// CopyColumns(__text ← Q) → CopyColumns(__doc ← D) → CustomMapping "Key" (__key = 1) → [model lookups → __state] →
/// CustomMapping "Relevance" (__text, __doc, __state → __score) → CopyColumns(OUT ← __score) → DropColumns(__*)
/// </code>
/// </summary>
internal static class RelevancePipeline
{
    static readonly string[] Temporary = [MappingColumns.Text, MappingColumns.Document, MappingColumns.Key, MappingColumns.State, MappingColumns.Score];

    public static ITransformer Saved(RelevanceState state, string output, string query, string document, DataViewSchema schema)
    {
        var ml = new MLContext();
        var prefix = ml.Transforms.CopyColumns(MappingColumns.Text, query)
            .Append(ml.Transforms.CopyColumns(MappingColumns.Document, document))
            .Append(ml.Transforms.CustomMapping(new KeyFactory().GetMapping(), KeyFactory.Contract))
            .Fit(new EmptyDataView(schema));
        var keyed = new EmptyDataView(prefix.GetOutputSchema(schema));
        var stateStages = state.SavedLookup().Fit(keyed); // made once per model, reused by every save
        var suffix = ml.Transforms.CustomMapping(new RelevanceFactory().GetMapping(), RelevanceFactory.Contract)
            .Append(ml.Transforms.CopyColumns(output, MappingColumns.Score))
            .Append(ml.Transforms.DropColumns(Temporary))
            .Fit(new EmptyDataView(stateStages.GetOutputSchema(keyed.Schema)));
        return new TransformerChain<ITransformer>(prefix.Concat(new[] { stateStages }).Concat(suffix).ToArray());
    }

    /// <summary>
    /// Stock transforms around a live (unsaved) mapping, row by row: the row-to-row mapper for PredictionEngine, and
    /// the schema propagation of the estimator (ML.NET 6 keeps SchemaShape's constructors internal).
    /// </summary>
    public static IEstimator<ITransformer> Live(Func<string, string, float> score, string output, string query, string document)
    {
        var ml = new MLContext();
        return ml.Transforms.CopyColumns(MappingColumns.Text, query)
            .Append(ml.Transforms.CopyColumns(MappingColumns.Document, document))
            .Append(ml.Transforms.CustomMapping<PairInput, RelevanceOutput>((i, o) => o.Score = score(i.Query.ToString(), i.Document.ToString()), null))
            .Append(ml.Transforms.CopyColumns(output, MappingColumns.Score))
            .Append(ml.Transforms.DropColumns(MappingColumns.Text, MappingColumns.Document, MappingColumns.Score));
    }

    /// <summary>The input columns plus a Single column <paramref name="output"/> (a same-named input column is hidden).</summary>
    public static DataViewSchema WithScore(DataViewSchema input, string output)
    {
        var b = new DataViewSchema.Builder();
        b.AddColumns(input);
        b.AddColumn(output, NumberDataViewType.Single);
        return b.ToSchema();
    }
}
