using System.Text;

namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>
/// A prompt for one <see cref="GenerationTask"/>: an id (written into every generated row), a system message and a user
/// message with placeholders <c>{{n}}</c>, <c>{{language}}</c>, <c>{{examples}}</c>, <c>{{passage}}</c>, <c>{{query}}</c>
/// and <c>{{positive}}</c>. The file format: optional header lines (<c>id: NAME</c>), then a line <c>[system]</c> and the
/// system text, then a line <c>[user]</c> and the user text. The defaults (<c>queries-v1</c>, <c>paraphrases-v1</c>,
/// <c>negatives-v1</c>) are embedded in the library; an override file without an <c>id:</c> line takes its file name as id.
/// </summary>
public sealed class PromptTemplate
{
    /// <summary>Creates a template.</summary>
    public PromptTemplate(string id, string system, string user)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("a template needs an id", nameof(id));
        if (string.IsNullOrWhiteSpace(user)) throw new ArgumentException("a template needs a user message", nameof(user));
        Id = id; System = system; User = user;
    }

    /// <summary>The id written into each generated row's <c>source</c>.</summary>
    public string Id { get; }

    /// <summary>The system message (may be empty).</summary>
    public string System { get; }

    /// <summary>The user message with placeholders.</summary>
    public string User { get; }

    /// <summary>The template shipped with the library for <paramref name="task"/>.</summary>
    public static PromptTemplate Default(GenerationTask task)
    {
        string name = $"MLNet.Embeddings.Training.Data.Generation.Templates.{task.ToString().ToLowerInvariant()}.txt";
        using var stream = typeof(PromptTemplate).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded template {name} is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd(), name, task.ToString().ToLowerInvariant());
    }

    /// <summary>Reads an override file (see the type's remarks for the format).</summary>
    public static PromptTemplate Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"template file not found: {path}", path);
        return Parse(File.ReadAllText(path), path, Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Parses template text; <paramref name="source"/> names it in errors, <paramref name="defaultId"/> is used without an <c>id:</c> line.</summary>
    public static PromptTemplate Parse(string text, string source, string defaultId)
    {
        string id = defaultId;
        var system = new StringBuilder();
        var user = new StringBuilder();
        StringBuilder? current = null;
        int lineNo = 0;
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            lineNo++;
            string line = raw.TrimEnd();
            if (line == "[system]") { current = system; continue; }
            if (line == "[user]") { current = user; continue; }
            if (current is null)
            {
                if (line.StartsWith("id:", StringComparison.Ordinal)) id = line[3..].Trim();
                else if (line.Length > 0) throw new DatasetFormatException(source, lineNo, null, $"expected 'id: NAME', '[system]' or '[user]' before the prompt text, found '{line}'.");
                continue;
            }
            current.Append(raw.TrimEnd('\r')).Append('\n');
        }
        if (user.ToString().Trim().Length == 0) throw new DatasetFormatException(source, lineNo, null, "the template has no '[user]' section (the prompt sent for each item).");
        return new PromptTemplate(id, system.ToString().Trim(), user.ToString().Trim());
    }

    /// <summary>The user message with every <c>{{name}}</c> replaced by its value (unknown names stay as they are).</summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var sb = new StringBuilder(User);
        foreach (var (key, value) in values) sb.Replace("{{" + key + "}}", value);
        return sb.ToString();
    }
}
