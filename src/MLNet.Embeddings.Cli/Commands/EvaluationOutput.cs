using System.Text;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>File helpers of the eval / plot commands: atomic writes and sibling paths.</summary>
internal static class EvaluationOutput
{
    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to a temp file in the same folder, then moves it over <paramref name="path"/>.</summary>
    public static void WriteAtomic(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The Markdown report that goes with a JSON output: same folder and name, extension .md.</summary>
    public static string MarkdownPath(string outputPath) => Path.ChangeExtension(outputPath, ".md");
}
