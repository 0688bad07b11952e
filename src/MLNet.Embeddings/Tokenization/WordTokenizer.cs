using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// Word-level tokenizer for static word vectors (GloVe, word2vec, fastText), in the spirit of sentence-transformers'
/// <c>WhitespaceTokenizer</c> used by <c>average_word_embeddings_glove.6B.300d</c>. Rules, per whitespace-separated
/// chunk of the (optionally lower-cased) text:
/// <list type="number">
/// <item>the whole chunk, when it is in the vocabulary (keeps <c>u.s.</c>, <c>e-mail</c>, <c>3.5</c>);</item>
/// <item>else the chunk with leading and trailing punctuation stripped, when that is in the vocabulary;</item>
/// <item>else the stripped chunk split at punctuation into runs of word characters, each kept when in the vocabulary
/// (<c>well-known</c> → <c>well</c>, <c>known</c>).</item>
/// </list>
/// Punctuation means Unicode categories P* and S* (for ASCII exactly Python's <c>string.punctuation</c>). Tokens made
/// only of punctuation are dropped unless <see cref="KeepPunctuation"/> is set (sentence-transformers strips them too);
/// then a punctuation run is kept when in the vocabulary, else each of its characters that is. Unknown words are
/// skipped (no <c>[UNK]</c>); stop words are skipped; there are no special tokens. Without lower-casing, a word missing
/// from the vocabulary is looked up again lower-cased (as sentence-transformers does).
/// </summary>
public sealed class WordTokenizer : ITokenizer
{
    /// <summary>The <c>tokenizer_class</c> written to tokenizer_config.json.</summary>
    public const string ClassName = "WordTokenizer";
    /// <summary>File holding the vocabulary, one word per line in row order.</summary>
    public const string VocabFileName = "vocab.txt";
    /// <summary>File holding the settings.</summary>
    public const string ConfigFileName = "tokenizer_config.json";

    readonly string[] _words;
    readonly Dictionary<string, int> _ids;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    readonly HashSet<string> _stopWords;
    readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _stopLookup;

    /// <summary>
    /// Creates a tokenizer over <paramref name="vocabulary"/> (row <c>i</c> of the embedding table is word <c>i</c>;
    /// for a duplicated word the first row wins).
    /// </summary>
    /// <param name="vocabulary">The words, in row order.</param>
    /// <param name="lowercase">Lower-case the text before lookup (GloVe's vocabulary is lower-case).</param>
    /// <param name="keepPunctuation">Emit punctuation tokens that are in the vocabulary (GloVe has <c>,</c> <c>.</c> …).</param>
    /// <param name="stopWords">Words to skip (none by default, as for sentence-transformers' GloVe models).</param>
    public WordTokenizer(IReadOnlyList<string> vocabulary, bool lowercase = true, bool keepPunctuation = false, IEnumerable<string>? stopWords = null)
    {
        _words = vocabulary.ToArray();
        _ids = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        for (int i = 0; i < _words.Length; i++)
        {
            if (_words[i].AsSpan().IndexOfAny('\n', '\r') >= 0)
                throw new ArgumentException($"Word at row {i} contains a line break.", nameof(vocabulary));
            _ids.TryAdd(_words[i], i);
        }
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _stopWords = new HashSet<string>(stopWords ?? [], StringComparer.Ordinal);
        _stopLookup = _stopWords.GetAlternateLookup<ReadOnlySpan<char>>();
        Lowercase = lowercase;
        KeepPunctuation = keepPunctuation;
    }

    /// <summary>Whether text is lower-cased before lookup.</summary>
    public bool Lowercase { get; }
    /// <summary>Whether punctuation tokens found in the vocabulary are kept.</summary>
    public bool KeepPunctuation { get; }
    /// <summary>Words that are skipped.</summary>
    public IReadOnlySet<string> StopWords => _stopWords;
    /// <summary>The vocabulary in row order.</summary>
    public IReadOnlyList<string> Vocabulary => _words;

    /// <inheritdoc/>
    public int VocabSize => _words.Length;
    /// <summary>0: word tokenizers have no padding token, and packed batches need none.</summary>
    public int PadId => 0;

    /// <inheritdoc/>
    public string? IdToToken(int id) => (uint)id < (uint)_words.Length ? _words[id] : null;

    /// <inheritdoc/>
    public int? TokenToId(string token) => _ids.TryGetValue(token, out int id) ? id : null;

    /// <summary>Tokenizes <paramref name="text"/>; <paramref name="addSpecialTokens"/> is ignored (there are none).</summary>
    public TokenizedText Encode(string text, int maxLength = 512, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var offsets = new List<(int, int)>();
        Run(text, maxLength, ids, offsets);
        return new TokenizedText(ids.ToArray(), new int[ids.Count], offsets.ToArray());
    }

    /// <summary>The vocabulary words <paramref name="text"/> turns into, for inspection.</summary>
    public IReadOnlyList<string> Tokenize(string text) => Encode(text, int.MaxValue).Ids.Select(i => _words[i]).ToArray();

    const byte Space = 0, Punct = 1, Letter = 2;

    void Run(string text, int maxLength, List<int> ids, List<(int, int)> offsets)
    {
        if (maxLength <= 0 || text.Length == 0) return;
        byte[] kinds = ArrayPool<byte>.Shared.Rent(text.Length);
        char[]? lowered = Lowercase ? ArrayPool<char>.Shared.Rent(text.Length) : null;
        char[] scratch = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            Classify(text, kinds);
            ReadOnlySpan<char> chars = text;
            if (lowered is not null)
            {
                for (int i = 0; i < text.Length; i++) lowered[i] = char.ToLowerInvariant(text[i]);
                chars = lowered.AsSpan(0, text.Length);
            }
            var state = new RunState(this, chars, kinds, scratch, maxLength, ids, offsets);
            int p = 0;
            while (p < text.Length && !state.Full)
            {
                while (p < text.Length && kinds[p] == Space) p++;
                int q = p;
                while (q < text.Length && kinds[q] != Space) q++;
                if (q > p) state.Chunk(p, q);
                p = q;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(kinds);
            if (lowered is not null) ArrayPool<char>.Shared.Return(lowered);
            ArrayPool<char>.Shared.Return(scratch);
        }
    }

    /// <summary>Space (char.IsWhiteSpace), punctuation (categories P*, S*) or word character, per UTF-16 unit; surrogate pairs share a kind.</summary>
    static void Classify(string text, byte[] kinds)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { kinds[i] = Space; continue; }
            bool pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            byte kind = CharUnicodeInfo.GetUnicodeCategory(text, i) switch
            {
                UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                    or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                    or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation
                    or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                    or UnicodeCategory.OtherSymbol => Punct,
                _ => Letter,
            };
            kinds[i] = kind;
            if (pair) kinds[++i] = kind;
        }
    }

    /// <summary>The per-call state of one <see cref="Run"/>: the text, its kinds and the output lists.</summary>
    readonly ref struct RunState(WordTokenizer tok, ReadOnlySpan<char> chars, byte[] kinds, char[] scratch, int maxLength, List<int> ids, List<(int, int)> offsets)
    {
        readonly ReadOnlySpan<char> _chars = chars;

        public bool Full => ids.Count >= maxLength;

        public void Chunk(int a, int b)
        {
            if (AllPunct(a, b)) { Punctuation(a, b); return; }
            if (Word(a, b)) return;
            int s = a, e = b;
            while (s < e && kinds[s] == Punct) s++;
            while (e > s && kinds[e - 1] == Punct) e--;
            Punctuation(a, s);
            if ((s != a || e != b) && Word(s, e)) { Punctuation(e, b); return; }
            int p = s;
            while (p < e)
            {
                int q = p;
                byte kind = kinds[p];
                while (q < e && kinds[q] == kind) q++;
                if (kind == Punct) Punctuation(p, q); else Word(p, q);
                p = q;
            }
            Punctuation(e, b);
        }

        bool AllPunct(int a, int b)
        {
            for (int i = a; i < b; i++) if (kinds[i] != Punct) return false;
            return true;
        }

        /// <summary>A punctuation run: the whole run if in the vocabulary, else each character (pair) that is.</summary>
        void Punctuation(int a, int b)
        {
            if (!tok.KeepPunctuation || a == b || Word(a, b)) return;
            if (b - a == 1 || (b - a == 2 && char.IsHighSurrogate(_chars[a]))) return;
            for (int i = a; i < b;)
            {
                int n = char.IsHighSurrogate(_chars[i]) && i + 1 < b ? 2 : 1;
                Word(i, i + n);
                i += n;
            }
        }

        /// <summary>
        /// Looks up chars[a..b): a stop word is consumed without output (true); a known word is emitted (true);
        /// otherwise false. Without lower-casing, a miss is retried lower-cased.
        /// </summary>
        bool Word(int a, int b)
        {
            if (Full) return true;
            var span = _chars[a..b];
            if (tok._stopLookup.Contains(span)) return true;
            if (tok._lookup.TryGetValue(span, out int id)) { Emit(id, a, b); return true; }
            if (tok.Lowercase) return false;
            var lower = scratch.AsSpan(0, span.Length);
            span.ToLowerInvariant(lower);
            if (tok._stopLookup.Contains(lower)) return true;
            if (tok._lookup.TryGetValue(lower, out id)) { Emit(id, a, b); return true; }
            return false;
        }

        void Emit(int id, int a, int b)
        {
            ids.Add(id);
            offsets.Add((a, b));
        }
    }

    /// <summary>Writes <c>vocab.txt</c> (one word per line, row order) and <c>tokenizer_config.json</c> into <paramref name="folder"/>.</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var vocab = new StringBuilder();
        foreach (var w in _words) vocab.Append(w).Append('\n');
        WriteAtomic(Path.Combine(folder, VocabFileName), new UTF8Encoding(false).GetBytes(vocab.ToString()));

        using var ms = new MemoryStream();
        using (var json = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("tokenizer_class", ClassName);
            json.WriteBoolean("do_lower_case", Lowercase);
            json.WriteBoolean("keep_punctuation", KeepPunctuation);
            json.WriteStartArray("stop_words");
            foreach (var s in _stopWords.Order(StringComparer.Ordinal)) json.WriteStringValue(s);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        WriteAtomic(Path.Combine(folder, ConfigFileName), ms.ToArray());
    }

    /// <summary>Loads a tokenizer saved by <see cref="Save"/>: <c>vocab.txt</c> plus, when present, <c>tokenizer_config.json</c>.</summary>
    public static WordTokenizer Load(string folder)
    {
        string vocabPath = Path.Combine(folder, VocabFileName);
        if (!File.Exists(vocabPath)) throw new ModelFormatException(vocabPath, "vocabulary file not found.");
        var text = File.ReadAllText(vocabPath, Encoding.UTF8);
        var lines = text.Split('\n');
        int count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var words = new string[count];
        for (int i = 0; i < count; i++) words[i] = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];

        bool? lowercase = null, keepPunctuation = null;
        List<string>? stopWords = null;
        string configPath = Path.Combine(folder, ConfigFileName);
        if (File.Exists(configPath))
        {
            using var doc = JsonFile.ParseObject(configPath);
            var root = doc.RootElement;
            if (JsonFile.String(configPath, root, "tokenizer_class") is { } cls && cls != ClassName)
                throw new ModelFormatException(configPath, $"field 'tokenizer_class': expected '{ClassName}', found '{cls}'.");
            lowercase = JsonFile.Bool(configPath, root, "do_lower_case");
            keepPunctuation = JsonFile.Bool(configPath, root, "keep_punctuation");
            if (JsonFile.Get(root, "stop_words") is { } sw)
            {
                if (sw.ValueKind != JsonValueKind.Array) throw new ModelFormatException(configPath, $"field 'stop_words' must be a list of strings, found {sw.ValueKind}.");
                stopWords = sw.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String ? e.GetString()!
                    : throw new ModelFormatException(configPath, $"field 'stop_words[{i}]' must be a string, found {e.GetRawText()}.")).ToList();
            }
        }
        return new WordTokenizer(words, lowercase ?? !HasUpperCase(words), keepPunctuation ?? false, stopWords);
    }

    /// <summary>Whether any word has an upper-case letter (then lower-casing the input would lose matches).</summary>
    public static bool HasUpperCase(IEnumerable<string> words)
    {
        foreach (var w in words) foreach (char c in w) if (char.IsUpper(c)) return true;
        return false;
    }

    static void WriteAtomic(string path, byte[] bytes)
    {
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
