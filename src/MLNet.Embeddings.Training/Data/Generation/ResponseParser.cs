using System.Text.Json;
using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>Turns a model's reply into the list of texts it wrote: a JSON array of strings (also inside a code fence or
/// an object like <c>{"queries": [...]}</c>), else a numbered or bulleted list; recognises refusals.</summary>
internal static partial class ResponseParser
{
    public enum Outcome { Parsed, ParseFailure, Refusal }

    static readonly string[] RefusalStarts =
    [
        "i'm sorry", "i am sorry", "sorry,", "i can't", "i cannot", "i can not", "i won't", "i will not", "i'm unable", "i am unable",
        "as an ai", "i apologize", "i must decline", "抱歉", "对不起", "我不能", "我无法",
    ];

    public static Outcome Parse(string? reply, out List<string> texts)
    {
        texts = [];
        string text = (reply ?? "").Trim();
        if (text.Length == 0) return Outcome.ParseFailure;
        int open = text.IndexOf('['), close = text.LastIndexOf(']');
        if (open >= 0 && close > open && TryArray(text[open..(close + 1)], texts)) return Outcome.Parsed;
        texts.Clear();
        if (IsRefusal(text)) return Outcome.Refusal;
        foreach (var line in text.Split('\n'))
        {
            var m = ListItem().Match(line);
            if (m.Success && m.Groups[1].Value.Trim().Length > 0) texts.Add(Unquote(m.Groups[1].Value.Trim()));
        }
        return texts.Count > 0 ? Outcome.Parsed : Outcome.ParseFailure;
    }

    public static bool IsRefusal(string text)
    {
        string t = text.TrimStart().ToLowerInvariant().Replace('\u2019', '\'');
        return RefusalStarts.Any(s => t.StartsWith(s, StringComparison.Ordinal));
    }

    static bool TryArray(string json, List<string> texts)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return false;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.String) texts.Add(e.GetString()!.Trim());
                else if (e.ValueKind == JsonValueKind.Object && e.EnumerateObject().FirstOrDefault(p => p.Value.ValueKind == JsonValueKind.String) is { Value.ValueKind: JsonValueKind.String } p)
                    texts.Add(p.Value.GetString()!.Trim());
            }
            return texts.Count > 0;
        }
        catch (JsonException) { return false; }
    }

    static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1].Trim() : s;

    [GeneratedRegex(@"^\s*(?:\d+[.)]|[-*•])\s+(.+)$")]
    private static partial Regex ListItem();
}
