using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML.Mapping;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Builds the stock ML.NET chains our stages save as. ML.NET 6 offers extension code no public way to save and
/// reload a transformer of its own (its loader attributes and save/load contexts are internal); CustomMapping with a
/// <c>[CustomMappingFactoryAttribute]</c> contract is the public route, so each stage is written as stock transforms
/// around such mappings:
/// <code>
/// CopyColumns(__text ← A) → CustomMapping "Key" (__key = 1) → MapValue(__key → __state: the model) →
/// CustomMapping "Embed.N"(__text, __state → __vec) → CopyColumns(EA ← __vec) → … → DropColumns(__*)
/// </code>
/// </summary>
internal static class SavedPipeline
{
    public static ITransformer Embedding(EmbeddingState state, IReadOnlyList<InputOutputColumnPair> columns, DataViewSchema schema, string? savedText = null, IEstimator<ITransformer>? lookup = null)
    {
        var ml = new MLContext();
        _ = VectorContracts.Embedding(ml, state.Dimensions) ?? throw new ConfigurationException("Dimensions",
            $"a {state.Dimensions}-dimensional embedding stage cannot be saved: ML.NET needs a compile-time vector size per saved mapping and the " +
            $"supported sizes are {string.Join(", ", VectorContracts.Sizes)} (choose one with ApplyEmbeddingOptions.Dimensions).");
        // prefix → the lookup (one per model state, reused by every save: ML.NET serialises its value when it is made) → embed stages
        var prefix = ml.Transforms.CopyColumns(MappingColumns.Text, columns[0].InputColumnName)
            .Append(ml.Transforms.CustomMapping(new KeyFactory().GetMapping(), KeyFactory.Contract))
            .Fit(new EmptyDataView(schema));
        var keyed = new EmptyDataView(prefix.GetOutputSchema(schema));
        // tests pass a text (the one-text format, maybe damaged) or stages of their own (damaged chunks)
        var stateStages = (lookup ?? (savedText is null ? state.SavedLookup() : Lookup(ml, savedText))).Fit(keyed);
        IEstimator<ITransformer>? chain = null;
        for (int i = 0; i < columns.Count; i++)
        {
            IEstimator<ITransformer> step = VectorContracts.Embedding(ml, state.Dimensions)!;
            if (i > 0) step = ml.Transforms.CopyColumns(MappingColumns.Text, columns[i].InputColumnName).Append(step);
            step = step.Append(ml.Transforms.CopyColumns(columns[i].OutputColumnName, MappingColumns.Vector));
            chain = chain is null ? step : chain.Append(step);
        }
        var suffix = chain!.Append(ml.Transforms.DropColumns(MappingColumns.Text, MappingColumns.Key, MappingColumns.State, MappingColumns.Vector))
            .Fit(new EmptyDataView(stateStages.GetOutputSchema(keyed.Schema)));
        return new TransformerChain<ITransformer>(prefix.Concat(new[] { stateStages }).Concat(suffix).ToArray());
    }

    /// <summary>
    /// The one-entry lookup (key → state text) of a saved embedding stage. Making it costs ML.NET about 15 bytes of
    /// allocations per character of the text (it serialises the table to bytes for saving; measured, docs/ml.md), so
    /// <see cref="EmbeddingState"/> makes it once per model.
    /// </summary>
    public static IEstimator<ITransformer> Lookup(MLContext ml, string text)
        => ml.Transforms.Conversion.MapValue(MappingColumns.State, new[] { new KeyValuePair<float, string>(KeyFactory.Value, text) }, MappingColumns.Key);

    /// <summary>The same stage row by row, for PredictionEngine: stock transforms around a live (unsaved) mapping.</summary>
    public static IRowToRowMapper LiveRowMapper(EmbeddingState state, IReadOnlyList<InputOutputColumnPair> columns, DataViewSchema schema)
        => Live(state.Encode, state.Dimensions, columns).Fit(new EmptyDataView(schema)).GetRowToRowMapper(schema);

    /// <summary>
    /// Stock transforms around a live mapping of <paramref name="dimensions"/> floats. ML.NET 6 keeps SchemaShape's
    /// constructors internal, so our estimators propagate schemas through this chain's GetOutputSchema.
    /// </summary>
    public static IEstimator<ITransformer> Live(Func<string, float[]> encode, int dimensions, IReadOnlyList<InputOutputColumnPair> columns)
    {
        var ml = new MLContext();
        var output = SchemaDefinition.Create(typeof(LiveVector));
        output[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimensions);
        IEstimator<ITransformer>? chain = null;
        foreach (var c in columns)
        {
            var step = ml.Transforms.CopyColumns(MappingColumns.Text, c.InputColumnName)
                .Append(ml.Transforms.CustomMapping<KeyInput, LiveVector>((i, o) => o.Vector = encode(i.Text.ToString()), null, outputSchemaDefinition: output))
                .Append(ml.Transforms.CopyColumns(c.OutputColumnName, MappingColumns.Vector));
            chain = chain is null ? step : chain.Append(step);
        }
        return chain!.Append(ml.Transforms.DropColumns(MappingColumns.Text, MappingColumns.Vector));
    }

    /// <summary>Output shape of an embedding stage (see <see cref="Live"/>).</summary>
    public static SchemaShape EmbeddingShape(SchemaShape input, int dimensions, IReadOnlyList<InputOutputColumnPair> columns)
    {
        foreach (var c in columns) SchemaChecks.Text(input, c.InputColumnName, "input column");
        return Live(_ => throw new InvalidOperationException("schema only"), dimensions, columns).GetOutputSchema(input);
    }

    public static IEstimator<ITransformer> SimilarityEstimator(SimilarityFunction function, string output, string first, string second)
    {
        var ml = new MLContext();
        return ml.Transforms.CopyColumns(MappingColumns.First, first)
            .Append(ml.Transforms.CopyColumns(MappingColumns.Second, second))
            .Append(SimilarityMapping.Estimator(ml, function))
            .Append(ml.Transforms.CopyColumns(output, MappingColumns.Score))
            .Append(ml.Transforms.DropColumns(MappingColumns.First, MappingColumns.Second, MappingColumns.Score));
    }

    public static ITransformer Similarity(SimilarityFunction function, string output, string first, string second, DataViewSchema schema)
        => SimilarityEstimator(function, output, first, second).Fit(new EmptyDataView(schema));
}
