using System.Text.Json;
using MLNet.Embeddings.Tokenization.Normalization;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization.WordPiece;

public sealed partial class WordPieceTokenizer
{
    /// <summary>
    /// Builds a tokenizer from a vocabulary (token i has id i), as HF's <c>BertWordPieceTokenizer</c> does from a
    /// vocab.txt: the special tokens of <paramref name="options"/> that are in the vocabulary are matched verbatim,
    /// and texts get <c>[CLS] … [SEP]</c>. Handy for tests and tiny models.
    /// </summary>
    /// <exception cref="ArgumentException">The unknown, CLS or SEP token is not in the vocabulary.</exception>
    public static WordPieceTokenizer FromVocabulary(IReadOnlyList<string> tokens, WordPieceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        options ??= new WordPieceOptions();
        try
        {
            return Build(tokens, options, [], "vocabulary");
        }
        catch (ModelFormatException ex)
        {
            throw new ArgumentException(ex.Message, nameof(tokens), ex);
        }
    }

    /// <summary>Loads a vocab.txt (one token per line, id = line number) with the default BERT settings and the given casing.</summary>
    public static WordPieceTokenizer FromVocabFile(string path, bool lowercase = true)
        => FromVocabFile(path, new WordPieceOptions { Lowercase = lowercase });

    /// <summary>Loads a vocab.txt (one token per line, id = line number) with the given settings.</summary>
    /// <exception cref="ModelFormatException">The file is missing or lacks the unknown, CLS or SEP token.</exception>
    public static WordPieceTokenizer FromVocabFile(string path, WordPieceOptions options)
        => Build(ReadVocabFile(path), options, [], path);

    /// <summary>
    /// Loads a model folder's tokenizer from vocab.txt with tokenizer_config.json and special_tokens_map.json
    /// (do_lower_case, strip_accents, tokenize_chinese_chars, special tokens, model_max_length, added_tokens_decoder).
    /// </summary>
    public static WordPieceTokenizer FromVocabFolder(string folder)
    {
        string vocabPath = Path.Combine(folder, "vocab.txt");
        var config = TokenizerConfig.Read(folder);
        string Special(string name, string fallback) => config.SpecialTokens.TryGetValue(name, out var t) ? t : fallback;
        var options = new WordPieceOptions
        {
            Lowercase = config.DoLowerCase ?? true,
            StripAccents = config.StripAccents,
            HandleChineseChars = config.TokenizeChineseChars ?? true,
            UnkToken = Special("unk_token", "[UNK]"),
            SepToken = Special("sep_token", "[SEP]"),
            PadToken = Special("pad_token", "[PAD]"),
            ClsToken = Special("cls_token", "[CLS]"),
            MaskToken = Special("mask_token", "[MASK]"),
            AdditionalSpecialTokens = config.AdditionalSpecialTokens.ToArray(),
            ModelMaxLength = config.ModelMaxLength,
        };
        return Build(ReadVocabFile(vocabPath), options, config.AddedTokens, vocabPath);
    }

    private static List<string> ReadVocabFile(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "vocabulary file not found");
        var tokens = new List<string>();
        using var reader = new StreamReader(path);
        while (reader.ReadLine() is { } line) tokens.Add(line.TrimEnd()); // HF trims trailing whitespace
        if (tokens.Count == 0) throw new ModelFormatException(path, "vocabulary is empty");
        return tokens;
    }

    private static WordPieceTokenizer Build(IReadOnlyList<string> tokens, WordPieceOptions options, IReadOnlyList<AddedToken> configured, string source)
    {
        var vocab = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) vocab[tokens[i]] = i;
        int Require(string token, string role) => vocab.TryGetValue(token, out int id) ? id
            : throw new ModelFormatException(source, $"{role} '{token}' is not in the vocabulary");
        int unk = Require(options.UnkToken, "unk_token");
        int cls = Require(options.ClsToken, "cls_token");
        int sep = Require(options.SepToken, "sep_token");
        // As HF's BertWordPieceTokenizer: every special token present in the vocabulary is matched verbatim.
        var added = new List<AddedToken>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in configured)
            if (seen.Add(t.Content)) added.Add(t);
        foreach (var t in new[] { options.UnkToken, options.SepToken, options.ClsToken, options.PadToken, options.MaskToken }.Concat(options.AdditionalSpecialTokens))
            if (vocab.TryGetValue(t, out int id) && seen.Add(t)) added.Add(new AddedToken(t, id));
        var model = new WordPieceModel(vocab, unk, options.ContinuingSubwordPrefix, options.MaxInputCharsPerWord);
        var normalizer = new BertNormalizer(options.CleanText, options.HandleChineseChars, options.StripAccents, options.Lowercase);
        int pad = vocab.TryGetValue(options.PadToken, out int p) ? p : 0;
        return new WordPieceTokenizer(model, normalizer, SpecialTokensTemplate.ClsSep(cls, sep), added, options, pad, null);
    }

    /// <summary>
    /// Loads a Hugging Face tokenizer.json whose model is WordPiece (normalizer BertNormalizer or none,
    /// pre_tokenizer BertPreTokenizer, post_processor TemplateProcessing / BertProcessing or none).
    /// A tokenizer_config.json beside it supplies model_max_length.
    /// </summary>
    /// <exception cref="ModelFormatException">Missing or malformed file, or an unsupported component; names the field.</exception>
    public static WordPieceTokenizer FromTokenizerJson(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (FileNotFoundException ex) { throw new ModelFormatException(path, "file not found", ex); }
        using var doc = JsonFile.Parse(path, text);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, "expected a JSON object");
        var model = JsonFile.Require(root, "model", path, "model");
        string type = JsonFile.String(model, "type", path, "model.type") ?? (JsonFile.Get(model, "continuing_subword_prefix") is not null ? "WordPiece" : "");
        if (type != "WordPiece")
            throw new ModelFormatException(path, $"field 'model.type': expected WordPiece, found '{type}'");

        var vocabElement = JsonFile.Require(model, "vocab", path, "model.vocab");
        if (vocabElement.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(path, $"field 'model.vocab': expected an object of token → id, found {vocabElement.ValueKind}");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in vocabElement.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw new ModelFormatException(path, $"field 'model.vocab': id of '{p.Name}' is not a non-negative integer");
            vocab[p.Name] = id;
        }
        if (vocab.Count == 0) throw new ModelFormatException(path, "field 'model.vocab' is empty");
        string unkToken = JsonFile.String(model, "unk_token", path, "model.unk_token") ?? "[UNK]";
        if (!vocab.TryGetValue(unkToken, out int unk))
            throw new ModelFormatException(path, $"field 'model.unk_token': '{unkToken}' is not in model.vocab");
        string prefix = JsonFile.String(model, "continuing_subword_prefix", path, "model.continuing_subword_prefix") ?? "##";
        int maxChars = (int)(JsonFile.Long(model, "max_input_chars_per_word", path, "model.max_input_chars_per_word") ?? 100);

        var added = new List<AddedToken>();
        if (JsonFile.Get(root, "added_tokens") is { } addedElement)
        {
            if (addedElement.ValueKind != JsonValueKind.Array)
                throw new ModelFormatException(path, "field 'added_tokens': expected an array");
            int i = 0;
            foreach (var e in addedElement.EnumerateArray())
            {
                long id = JsonFile.Long(e, "id", path, $"added_tokens[{i}].id")
                    ?? throw new ModelFormatException(path, $"field 'added_tokens[{i}].id' is missing");
                added.Add(TokenizerConfig.ReadAddedToken(e, (int)id, path, $"added_tokens[{i}]"));
                i++;
            }
        }

        var normalizer = ReadNormalizer(root, path);
        ReadPreTokenizer(root, path);
        var (template, clsToken, sepToken) = SpecialTokensTemplate.Read(root, path, vocab, added);

        string padToken = "[PAD]";
        int pad = vocab.TryGetValue(padToken, out int padId) ? padId : 0;
        if (JsonFile.Get(root, "padding") is { ValueKind: JsonValueKind.Object } padding)
        {
            padToken = JsonFile.String(padding, "pad_token", path, "padding.pad_token") ?? padToken;
            pad = (int)(JsonFile.Long(padding, "pad_id", path, "padding.pad_id") ?? pad);
        }
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var config = TokenizerConfig.Read(folder);
        var options = new WordPieceOptions
        {
            Lowercase = normalizer.Lowercase,
            StripAccents = normalizer.StripAccents,
            CleanText = normalizer.CleanText,
            HandleChineseChars = normalizer.HandleChineseChars,
            UnkToken = unkToken,
            ClsToken = clsToken ?? "[CLS]",
            SepToken = sepToken ?? "[SEP]",
            PadToken = padToken,
            MaskToken = config.SpecialTokens.TryGetValue("mask_token", out var mask) ? mask : "[MASK]",
            ContinuingSubwordPrefix = prefix,
            MaxInputCharsPerWord = maxChars,
            ModelMaxLength = config.ModelMaxLength,
        };
        var wordPiece = new WordPieceModel(vocab, unk, prefix, maxChars);
        return new WordPieceTokenizer(wordPiece, normalizer, template, added, options, pad, text);
    }

    private static BertNormalizer ReadNormalizer(JsonElement root, string path)
    {
        if (JsonFile.Get(root, "normalizer") is not { } n) return new BertNormalizer(false, false, false, false);
        string? type = JsonFile.String(n, "type", path, "normalizer.type");
        if (type != "BertNormalizer")
            throw new ModelFormatException(path, $"field 'normalizer.type': expected BertNormalizer or null, found '{type}'");
        return new BertNormalizer(
            JsonFile.Bool(n, "clean_text", path, "normalizer.clean_text") ?? true,
            JsonFile.Bool(n, "handle_chinese_chars", path, "normalizer.handle_chinese_chars") ?? true,
            JsonFile.Bool(n, "strip_accents", path, "normalizer.strip_accents"),
            JsonFile.Bool(n, "lowercase", path, "normalizer.lowercase") ?? true);
    }

    private static void ReadPreTokenizer(JsonElement root, string path)
    {
        string? type = JsonFile.Get(root, "pre_tokenizer") is { } p ? JsonFile.String(p, "type", path, "pre_tokenizer.type") : null;
        if (type != "BertPreTokenizer")
            throw new ModelFormatException(path, $"field 'pre_tokenizer.type': expected BertPreTokenizer, found '{type ?? "null"}'");
    }
}
