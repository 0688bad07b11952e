using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Text cleaning used by <see cref="DatasetCleaner"/>: strip HTML tags, decode entities
/// (<see cref="WebUtility.HtmlDecode(string)"/>), Unicode NFKC, collapse whitespace, optional lowercasing.
/// </summary>
public static partial class TextNormalizer
{
    [GeneratedRegex(@"<(script|style)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"<!--.*?-->|</?[A-Za-z][A-Za-z0-9:-]*(\s[^<>]*)?/?>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    /// <summary>Cleans one text with the given switches.</summary>
    public static string Normalize(string text, CleanOptions options)
    {
        var s = text;
        if (options.StripHtml)
        {
            if (s.Contains('<'))
            {
                s = ScriptOrStyle().Replace(s, " ");
                s = Tag().Replace(s, " ");
            }
            if (s.Contains('&')) s = WebUtility.HtmlDecode(s);
        }
        if (options.UnicodeNfkc && !s.IsNormalized(NormalizationForm.FormKC)) s = s.Normalize(NormalizationForm.FormKC);
        if (options.NormalizeWhitespace) s = CollapseWhitespace(s);
        if (options.Lowercase) s = s.ToLowerInvariant();
        return s;
    }

    /// <summary>Trims and replaces every run of whitespace and control characters by one space; drops zero-width characters.</summary>
    public static string CollapseWhitespace(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c in s)
        {
            if (c is '\u200B' or '\u200C' or '\u200D' or '\uFEFF') continue;
            if (char.IsWhiteSpace(c) || char.IsControl(c)) { space = sb.Length > 0; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The key used for exact duplicate and leakage checks: NFKC, lowercase, whitespace collapsed.</summary>
    public static string Key(string text)
    {
        var s = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        return CollapseWhitespace(s).ToLower(CultureInfo.InvariantCulture);
    }
}
