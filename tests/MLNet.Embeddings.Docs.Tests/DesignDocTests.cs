using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Docs.Tests;

/// <summary>
/// docs/design.md's "where each stage lives" table and README's Layout block name real places: a file or folder that
/// moves or disappears fails here until the docs follow it.
/// </summary>
public class DesignDocTests
{
    static readonly Regex BacktickedPath = new(@"`((?:src|tests|tools|examples|docs)/[^`\s]+)`", RegexOptions.Compiled);
    static readonly Regex LayoutLine = new(@"^((?:src|tests|tools|examples|docs)/\S*)", RegexOptions.Compiled | RegexOptions.Multiline);

    [Fact]
    public void DesignDocPathsExist()
    {
        string root = MarkdownSnippets.RepoRoot;
        string text = File.ReadAllText(Path.Combine(root, "docs", "design.md"));
        var paths = BacktickedPath.Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(paths.Count >= 20, $"docs/design.md names only {paths.Count} paths; the stage table is expected to name every stage's file");
        var missing = paths.Where(p => !File.Exists(Path.Combine(root, p)) && !Directory.Exists(Path.Combine(root, p))).ToList();
        Assert.True(missing.Count == 0, "docs/design.md names paths that do not exist: " + string.Join(", ", missing));
    }

    [Fact]
    public void ReadmeLayoutNamesEveryProjectAndOnlyRealOnes()
    {
        string root = MarkdownSnippets.RepoRoot;
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        int section = readme.IndexOf("## Layout", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## Layout' section");
        int open = readme.IndexOf("```", section, StringComparison.Ordinal);
        int close = readme.IndexOf("```", open + 3, StringComparison.Ordinal);
        string block = readme[(open + 3)..close];
        var named = LayoutLine.Matches(block).Select(m => m.Groups[1].Value.TrimEnd('/')).ToList();
        var missing = named.Where(p => !Directory.Exists(Path.Combine(root, p)) && !File.Exists(Path.Combine(root, p))).ToList();
        Assert.True(missing.Count == 0, "README's Layout names paths that do not exist: " + string.Join(", ", missing));
        var projects = Directory.GetDirectories(Path.Combine(root, "src")).Select(d => "src/" + Path.GetFileName(d))
            .Where(p => Directory.GetFiles(Path.Combine(root, p), "*.csproj").Length > 0).ToList();
        var unlisted = projects.Where(p => !named.Contains(p)).ToList();
        Assert.True(unlisted.Count == 0, "README's Layout omits these projects: " + string.Join(", ", unlisted));
    }
}
