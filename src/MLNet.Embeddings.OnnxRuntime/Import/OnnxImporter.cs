using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Tokenization.WordPiece;

namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>
/// Imports a BERT-family ONNX export (for example all-MiniLM-L6-v2's <c>model.onnx</c>) into a trainable
/// Hugging Face / sentence-transformers folder: safetensors under the Hugging Face names, an inferred and checked
/// config.json, the WordPiece tokenizer from vocab.txt, and the pooling / normalise modules. The folder loads with
/// <see cref="SentenceEncoder.Load"/> (the managed backbone, which can fine-tune it) and in Python sentence-transformers.
/// </summary>
public static class OnnxImporter
{
    /// <summary>Reads <paramref name="onnxPath"/> and maps its graph onto Hugging Face BERT tensors and a config.</summary>
    /// <exception cref="ModelFormatException">The file is not readable ONNX, or the graph cannot be mapped (the message names the node or tensor).</exception>
    public static ImportedBert ReadBert(string onnxPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        var model = OnnxModelReader.Read(onnxPath);
        var imported = BertGraphMapper.Map(model, onnxPath);
        _ = new BertBackbone(imported.Config, imported.Tensors, onnxPath); // checks every tensor's presence and shape against the config
        return imported;
    }

    /// <summary>
    /// Converts <paramref name="onnxPath"/> + <paramref name="vocabPath"/> into a sentence-transformers folder at
    /// <paramref name="outputFolder"/>. A new folder is written beside it first and renamed into place; an existing
    /// folder has each file replaced atomically.
    /// </summary>
    /// <exception cref="ModelFormatException">The ONNX file or the vocabulary is missing or cannot be mapped.</exception>
    public static OnnxImportResult Convert(string onnxPath, string vocabPath, string outputFolder, OnnxImportOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(vocabPath);
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        options ??= new OnnxImportOptions();
        if (options.MaxSeqLength is <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"MaxSeqLength must be positive, found {options.MaxSeqLength}.");
        var imported = ReadBert(onnxPath);
        cancellationToken.ThrowIfCancellationRequested();
        var backbone = new BertBackbone(imported.Config, imported.Tensors, onnxPath);
        int maxLength = Math.Min(options.MaxSeqLength ?? backbone.MaxPositions, backbone.MaxPositions);
        var tokenizer = WordPieceTokenizer.FromVocabFile(vocabPath, new WordPieceOptions { Lowercase = options.Lowercase, ModelMaxLength = maxLength });
        if (tokenizer.VocabSize != imported.Config.VocabSize)
            throw new ModelFormatException(vocabPath, $"vocabulary has {tokenizer.VocabSize} tokens, the model's word embeddings have {imported.Config.VocabSize} rows.");
        var config = new SentenceEncoderConfig
        {
            Pooling = options.Pooling,
            Normalize = options.Normalize,
            MaxSeqLength = maxLength,
            Prompts = new Dictionary<string, string>(options.Prompts),
            DoLowerCase = false, // the tokenizer lower-cases; sentence-transformers' do_lower_case would do it a second time
            ModelId = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputFolder))),
        };
        var encoder = new SentenceEncoder(tokenizer, backbone, config);
        cancellationToken.ThrowIfCancellationRequested();

        string full = Path.GetFullPath(outputFolder);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            encoder.Save(full);
            return new OnnxImportResult(full, imported);
        }
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            encoder.Save(temp);
            if (Directory.Exists(full)) Directory.Delete(full); // empty
            Directory.Move(temp, full);
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
        return new OnnxImportResult(full, imported);
    }
}
