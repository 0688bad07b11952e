using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// HF's <c>Replace</c> normalizer: every non-overlapping match of a literal string or a regular expression,
/// left to right, is replaced by <c>content</c>. As in HF, the matched code points are consumed first and each
/// content code point is an insert, so it takes the span of the match's last code point (an empty match at the
/// very start takes the empty span at the origin).
/// </summary>
internal sealed class ReplaceNormalizer : ITextNormalizer
{
    private readonly string? _literal;
    private readonly Regex? _regex;
    private readonly int[] _content;

    private ReplaceNormalizer(string? literal, Regex? regex, string content)
    {
        _literal = literal;
        _regex = regex;
        _content = content.EnumerateRunes().Select(r => r.Value).ToArray();
    }

    /// <summary>Replaces each occurrence of <paramref name="pattern"/> (compared ordinally).</summary>
    public static ReplaceNormalizer ForString(string pattern, string content) => new(pattern, null, content);

    /// <summary>Replaces each match of <paramref name="pattern"/> (.NET regex syntax, culture-invariant).</summary>
    /// <exception cref="ArgumentException">The pattern does not parse.</exception>
    public static ReplaceNormalizer ForRegex(string pattern, string content)
        => new(null, new Regex(pattern, RegexOptions.CultureInvariant), content);

    /// <inheritdoc />
    public void Normalize(NormalizedText input, NormalizedText output, int origin)
    {
        var t = new AlignedTransform(input, output, origin);
        var text = input.Span;
        if (_regex is not null)
        {
            foreach (var m in _regex.EnumerateMatches(text)) Replace(ref t, text, m.Index, m.Index + m.Length);
        }
        else if (!string.IsNullOrEmpty(_literal))
        {
            for (int at = 0; at <= text.Length - _literal.Length;)
            {
                int i = text[at..].IndexOf(_literal, StringComparison.Ordinal);
                if (i < 0) break;
                Replace(ref t, text, at + i, at + i + _literal.Length);
                at += i + _literal.Length;
            }
        }
        t.CopyTo(input.Length);
    }

    private void Replace(ref AlignedTransform t, ReadOnlySpan<char> text, int start, int end)
    {
        t.CopyTo(start);
        int removed = 0;
        for (int i = start; i < end; i++, removed++)
            if (char.IsHighSurrogate(text[i]) && i + 1 < end && char.IsLowSurrogate(text[i + 1])) i++;
        t.Skip(removed);
        foreach (int cp in _content) t.Push(cp, 1);
    }
}
