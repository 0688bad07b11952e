namespace MLNet.Embeddings.Docs.Tests;

/// <summary>
/// Finds the fenced C# blocks (<c>```csharp</c>, <c>```cs</c>, <c>```c#</c>; an info string holding the word
/// <c>compile-only</c> marks one that is compiled but not run) of README.md and docs/*.md.
/// </summary>
public static class MarkdownSnippets
{
    static readonly string[] Languages = { "csharp", "cs", "c#" };

    /// <summary>The repository root (the folder holding MLNet.Embeddings.sln) above the test binaries.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
            throw new InvalidOperationException("Repository root (MLNet.Embeddings.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The Markdown files whose snippets are tested: README.md and docs/*.md (sorted).</summary>
    public static IEnumerable<string> Files(string root)
    {
        yield return "README.md";
        var docs = Path.Combine(root, "docs");
        if (!Directory.Exists(docs)) yield break;
        foreach (var f in Directory.GetFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            yield return Path.GetRelativePath(root, f).Replace('\\', '/');
    }

    /// <summary>Every C# snippet of every tested file.</summary>
    public static List<Snippet> All(string root) =>
        Files(root).SelectMany(f => Parse(f, File.ReadAllText(Path.Combine(root, f)))).ToList();

    /// <summary>The C# blocks of one Markdown text (fences of three or more backticks or tildes, indented up to 3 spaces).</summary>
    public static IEnumerable<Snippet> Parse(string file, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var (fence, indent, info) = Fence(lines[i]);
            if (fence is null) continue;
            var words = info.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            bool csharp = words.Length > 0 && Languages.Contains(words[0], StringComparer.OrdinalIgnoreCase);
            var body = new List<string>();
            int start = i + 1;
            for (i++; i < lines.Length; i++)
            {
                var (close, _, rest) = Fence(lines[i]);
                if (close is not null && close[0] == fence[0] && close.Length >= fence.Length && rest.Length == 0) break;
                string l = lines[i];
                int strip = 0;
                while (strip < indent && strip < l.Length && l[strip] == ' ') strip++;
                body.Add(l[strip..]);
            }
            if (i >= lines.Length) throw new FormatException($"{file}:{start}: code block opened here is never closed.");
            if (csharp) yield return new Snippet(file, start + 1, words.Contains("compile-only", StringComparer.OrdinalIgnoreCase), string.Join("\n", body) + "\n");
        }
    }

    static (string? Fence, int Indent, string Info) Fence(string line)
    {
        int indent = 0;
        while (indent < line.Length && indent < 4 && line[indent] == ' ') indent++;
        if (indent > 3 || indent >= line.Length || (line[indent] != '`' && line[indent] != '~')) return (null, 0, "");
        char c = line[indent];
        int n = indent;
        while (n < line.Length && line[n] == c) n++;
        if (n - indent < 3) return (null, 0, "");
        return (line[indent..n], indent, line[n..].Trim());
    }
}
