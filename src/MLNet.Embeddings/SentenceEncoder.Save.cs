using MLNet.Embeddings.Models;

namespace MLNet.Embeddings;

public sealed partial class SentenceEncoder
{
    /// <summary>
    /// Writes the sentence-transformers layout into <paramref name="folder"/> (created if needed): the backbone's
    /// config.json and model.safetensors, the tokenizer's files, modules.json, config_sentence_transformers.json,
    /// sentence_bert_config.json, 1_Pooling/config.json and, when normalising, 2_Normalize/. sentence-transformers in
    /// Python loads the result; <see cref="Load"/> reads it back to an encoder that gives identical vectors.
    /// Each file is written atomically; max_seq_length is written capped at the backbone's position embeddings.
    /// </summary>
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        Backbone.Save(folder);
        Tokenizer.Save(folder);
        bool isStatic = string.Equals(Backbone.ModelType, "static", StringComparison.OrdinalIgnoreCase);
        // max_seq_length never above the position embeddings (Load refuses such a folder; Encode caps there anyway).
        ModelFolder.Write(folder, Config, Backbone.HiddenSize, isStatic, Math.Min(Config.MaxSeqLength, Backbone.MaxPositions));
    }
}
