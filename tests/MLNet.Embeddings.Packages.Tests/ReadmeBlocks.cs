using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Packages.Tests;

/// <summary>The C# quick starts of README.md (```csharp blocks without compile-only), as they are written.</summary>
public static partial class ReadmeBlocks
{
    /// <summary>A block: its code, whether it uses ML.NET, whether it has top-level statements.</summary>
    public sealed record Block(int Line, string Code)
    {
        public bool UsesMlNet => Code.Contains("using Microsoft.ML;");
        /// <summary>True when the block is a program (top-level statements), false when it declares types only.</summary>
        public bool IsProgram => Code.Split('\n').Select(l => l.Trim())
            .FirstOrDefault(l => l.Length > 0 && !l.StartsWith("using ") && !l.StartsWith("//")) is { } first
            && !DeclarationStart().IsMatch(first);
    }

    public static IReadOnlyList<Block> Read(string readmePath)
    {
        var lines = File.ReadAllLines(readmePath);
        var blocks = new List<Block>();
        for (int i = 0; i < lines.Length; i++)
        {
            var info = lines[i].Trim();
            if (info is not ("```csharp" or "```cs")) continue;
            int start = i + 1, end = start;
            while (end < lines.Length && lines[end].Trim() != "```") end++;
            blocks.Add(new Block(start, string.Join('\n', lines[start..end]) + "\n"));
            i = end;
        }
        return blocks;
    }

    [GeneratedRegex(@"^(public |internal )?(static |sealed |abstract )*(class|record|struct|interface|enum|namespace) ")]
    private static partial Regex DeclarationStart();
}
