using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Loads an ML.NET model zip that holds embedding stages, with errors that name the zip. <c>ml.Model.Load</c> works
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
    /// The loaded chain, flattened, with each saved embedding mapping replaced by a batched stage: <c>Transform</c>
    /// embeds a window of rows per model run (<c>ml.Model.Load</c>'s stock CustomMapping runs the model once per row),
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
        return new TransformerChain<ITransformer>(Flatten(model).Select(t => (ITransformer?)BatchedEmbedStage.TryReplace(t) ?? t).ToArray());
    }

    /// <summary>Finds the lookup stages that map the key column to a model state and resolves each state once.</summary>
    static void CheckStates(MLContext ml, ITransformer model)
    {
        var key = ml.Data.LoadFromEnumerable(new[] { new KeyOutput { Key = KeyFactory.Value } });
        foreach (var t in Flatten(model))
        {
            DataViewSchema output;
            try { output = t.GetOutputSchema(key.Schema); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException) { continue; } // a stage that needs other columns
            if (output.GetColumnOrNull(MappingColumns.State) is not { Type: TextDataViewType }) continue;
            foreach (var state in t.Transform(key).GetColumn<ReadOnlyMemory<char>>(MappingColumns.State))
                SavedState.Resolve(state);
        }
    }

    static IEnumerable<ITransformer> Flatten(ITransformer t)
    {
        if (t is IEnumerable<ITransformer> chain) { foreach (var c in chain) foreach (var x in Flatten(c)) yield return x; }
        else yield return t;
    }
}
