namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Synonym groups for <see cref="DataAugmenter"/>, read from a text file: one group per line, the words of a group
/// separated by commas or tabs (e.g. <c>revenue, sales, turnover</c>); blank lines and lines starting with <c>#</c>
/// are ignored; matching is case-insensitive. Every word of a group is a synonym of every other word in it; a word
/// in several groups gets the union.
/// </summary>
public sealed class Thesaurus
{
    private readonly Dictionary<string, List<string>> _synonyms = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Number of words with at least one synonym.</summary>
    public int Count => _synonyms.Count;

    /// <summary>Adds a group of mutual synonyms.</summary>
    public void AddGroup(IEnumerable<string> words)
    {
        var group = words.Select(w => w.Trim()).Where(w => w.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (group.Count < 2) return;
        foreach (var w in group)
        {
            if (!_synonyms.TryGetValue(w, out var list)) _synonyms[w] = list = new List<string>();
            foreach (var s in group)
                if (!string.Equals(s, w, StringComparison.OrdinalIgnoreCase) && !list.Contains(s, StringComparer.OrdinalIgnoreCase)) list.Add(s);
        }
    }

    /// <summary>Synonyms of <paramref name="word"/> (empty when none).</summary>
    public IReadOnlyList<string> SynonymsOf(string word) => _synonyms.TryGetValue(word, out var l) ? l : [];

    /// <summary>Reads a thesaurus file.</summary>
    public static Thesaurus Load(string path)
    {
        if (!File.Exists(path)) throw new DatasetFormatException(path, 0, null, "thesaurus file not found");
        var t = new Thesaurus();
        int n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            var s = line.Trim();
            if (s.Length == 0 || s.StartsWith('#')) continue;
            var words = s.Split([',', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length < 2) throw new DatasetFormatException(path, n, null, $"expected at least two words separated by commas or tabs, found \"{s}\"");
            t.AddGroup(words);
        }
        return t;
    }
}
