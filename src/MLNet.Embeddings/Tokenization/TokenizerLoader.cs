using System.Text.Json;
using MLNet.Embeddings.Tokenization.Bpe;
using MLNet.Embeddings.Tokenization.Unigram;
using MLNet.Embeddings.Tokenization.WordPiece;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// Finds and loads a model folder's tokenizer: tokenizer.json when present (dispatching on <c>model.type</c>),
/// else vocab.txt with tokenizer_config.json and special_tokens_map.json: a BERT WordPiece tokenizer, or the
/// word-level <see cref="WordTokenizer"/> of static embeddings when tokenizer_class says so.
/// </summary>
public static class TokenizerLoader
{
    /// <summary>Loads tokenizer.json when present, else vocab.txt (+ tokenizer_config.json).</summary>
    /// <exception cref="ModelFormatException">No tokenizer files, a malformed file or an unsupported model type (names file and field).</exception>
    public static ITokenizer Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "model folder not found");
        string json = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(json))
        {
            string type = ModelType(json);
            return type switch
            {
                "WordPiece" => WordPieceTokenizer.FromTokenizerJson(json),
                "BPE" => BpeTokenizer.FromTokenizerJson(json),
                "Unigram" => UnigramTokenizer.FromTokenizerJson(json),
                _ => throw new ModelFormatException(json, $"field 'model.type': '{type}' is not supported (supported: WordPiece, BPE, Unigram)"),
            };
        }
        if (File.Exists(Path.Combine(folder, "vocab.txt")))
            return TokenizerClass(folder) == WordTokenizer.ClassName ? WordTokenizer.Load(folder) : WordPieceTokenizer.FromVocabFolder(folder);
        throw new ModelFormatException(folder, "no tokenizer found: expected tokenizer.json or vocab.txt");
    }

    /// <summary>
    /// The longest input the model folder declares: <c>max_seq_length</c> of sentence_bert_config.json, else
    /// <c>model_max_length</c> of tokenizer_config.json (when set to a real value), else null.
    /// </summary>
    public static int? ReadMaxLength(string folder)
    {
        string st = Path.Combine(folder, "sentence_bert_config.json");
        if (File.Exists(st))
        {
            using var doc = JsonFile.Parse(st);
            if (JsonFile.Long(doc.RootElement, "max_seq_length", st, "max_seq_length") is long m and > 0) return (int)m;
        }
        return File.Exists(Path.Combine(folder, "tokenizer_config.json")) ? TokenizerConfig.Read(folder).ModelMaxLength : null;
    }

    private static string? TokenizerClass(string folder)
    {
        string path = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(path)) return null;
        using var doc = JsonFile.Parse(path);
        return JsonFile.String(doc.RootElement, "tokenizer_class", path, "tokenizer_class");
    }

    private static string ModelType(string path)
    {
        // Reads only as far as model.type needs; the full parse happens in the tokenizer's own loader.
        using var doc = JsonFile.Parse(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, "expected a JSON object");
        var model = JsonFile.Require(root, "model", path, "model");
        if (JsonFile.String(model, "type", path, "model.type") is { } t) return t;
        // Old files omit the type; WordPiece is the one with a continuing_subword_prefix and a max_input_chars_per_word.
        if (JsonFile.Get(model, "max_input_chars_per_word") is not null) return "WordPiece";
        throw new ModelFormatException(path, "field 'model.type' is missing");
    }
}
