using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Loads an ML.NET model zip that holds embedding (or relevance) stages, with errors that name the zip. <c>ml.Model.Load</c> works
/// too (after <c>ml.ComponentCatalog.RegisterAssembly</c>), but a truncated zip then gives ML.NET's own
/// <c>FormatException</c> without the file name, and a damaged embedded model is found only at the first row.
/// </summary>
public static class EmbeddingModel
{
    /// <summary>
    /// Registers this assembly's mappings with <paramref name="ml"/>, adds the zip's folder to
    /// <see cref="SavedModelLocator"/>'s search directories, loads the zip and checks every embedded model state in it
    /// (checksum, unpack, model load) at once.
    /// </summary>
    /// <param name="ml">The context to load with.</param>
    /// <param name="path">The model zip written by <c>ml.Model.Save</c>.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <returns>
    /// The loaded chain, flattened, with each saved embedding (or relevance) mapping replaced by a batched stage: <c>Transform</c>
    /// embeds (scores) a window of rows per model run (<c>ml.Model.Load</c>'s stock CustomMapping runs the model once per row),
    /// with the same vectors bit for bit. Saving it writes the same stock stages as the loaded zip; PredictionEngine
    /// uses the stock row-by-row mapping.
    /// </returns>
    /// <exception cref="ModelFormatException">The zip is missing, cannot be read by ML.NET, or an embedded model in it is damaged; the message names the zip.</exception>
    public static ITransformer Load(MLContext ml, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ModelFormatException(full, "the model zip does not exist.");
        ml.ComponentCatalog.RegisterAssembly(typeof(EmbeddingModel).Assembly);
        SavedModelLocator.AddSearchDirectory(Path.GetDirectoryName(full)!);
        ITransformer model;
        try { model = ml.Model.Load(full, out inputSchema); }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or InvalidOperationException or ArgumentException)
        {
            throw new ModelFormatException(full, $"ML.NET cannot read this model zip (truncated, damaged or not a model zip): {e.GetType().Name}: {e.Message}", e);
        }
        try { CheckStates(ml, model); }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ModelFormatException or IOException or FormatException or ConfigurationException)
        {
            throw new ModelFormatException(full, "an embedding model stored in this zip cannot be used: " + e.Message, e);
        }
        return new TransformerChain<ITransformer>(Flatten(model).Select(t => (ITransformer?)BatchedEmbedStage.TryReplace(t) ?? BatchedRelevanceStage.TryReplace(t) ?? t).ToArray());
    }

    /// <summary>
    /// Runs our own stages of the chain (those that read only <c>__mlnetemb_*</c> columns and add only such columns) on
    /// one row holding the key, and resolves every model state they produce: a one-text state from its lookup, a
    /// chunked one after its Assemble stage has unpacked it.
    /// </summary>
    static void CheckStates(MLContext ml, ITransformer model)
    {
        IDataView view = ml.Data.LoadFromEnumerable(new[] { new KeyOutput { Key = KeyFactory.Value } });
        foreach (var t in Flatten(model))
        {
            DataViewSchema output;
            var before = view.Schema.GetColumnOrNull(MappingColumns.State);
            try { output = t.GetOutputSchema(view.Schema); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException) { continue; } // a stage that needs other columns
            if (!OnlyAddsOurs(view.Schema, output)) continue;
            if (IsAssemble(t)) // called here rather than through a cursor, so that its errors come unwrapped
            {
                using var cursor = view.GetRowCursor([view.Schema[MappingColumns.State], view.Schema[MappingColumns.Blob]]);
                ReadOnlyMemory<char> header = default;
                VBuffer<byte> blob = default;
                if (cursor.MoveNext())
                {
                    cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[MappingColumns.State])(ref header);
                    cursor.GetGetter<VBuffer<byte>>(view.Schema[MappingColumns.Blob])(ref blob);
                    ChunkedState.Assemble(header, blob);
                }
            }
            view = t.Transform(view);
            var after = output.GetColumnOrNull(MappingColumns.State);
            if (after is not { Type: TextDataViewType } || before is { } b && b.Index == after.Value.Index) continue; // no new state here
            var text = view.GetColumn<ReadOnlyMemory<char>>(MappingColumns.State).First();
            if (ChunkedState.Header.Is(text.Span) && !IsAssemble(t)) continue; // resolved after its chunks, by the Assemble stage
            SavedState.ResolveAny(text);
        }
    }

    static bool IsAssemble(ITransformer t) => t is CustomMappingTransformer<AssembleInput, StateOutput>;

    /// <summary>True when <paramref name="output"/> keeps every column of <paramref name="input"/> and every new or replaced column is one of ours.</summary>
    static bool OnlyAddsOurs(DataViewSchema input, DataViewSchema output)
    {
        foreach (var c in input)
            if (!c.IsHidden && output.GetColumnOrNull(c.Name) is null) return false; // drops a column
        foreach (var c in output)
            if (!c.IsHidden && !c.Name.StartsWith(MappingColumns.Prefix, StringComparison.Ordinal)
                && !(input.GetColumnOrNull(c.Name) is { } same && same.Type.Equals(c.Type))) return false;
        return output.Count > 0;
    }

    static IEnumerable<ITransformer> Flatten(ITransformer t)
    {
        if (t is IEnumerable<ITransformer> chain) { foreach (var c in chain) foreach (var x in Flatten(c)) yield return x; }
        else yield return t;
    }
}
