using System.CommandLine;
using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>
/// The README's command-line block against the CLI's own command tree: every command of the tree is listed exactly once,
/// every listed command and option exists, and every option a command has is listed with it. A new option that the
/// README does not mention, or a README line for an option that was removed, fails here.
/// </summary>
public class ReadmeUsageTests
{
    static readonly Regex OptionToken = new(@"(?<![\w-])--[a-z0-9][a-z0-9-]*", RegexOptions.Compiled);
    static readonly Regex CommandWord = new(@"^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*$", RegexOptions.Compiled);

    /// <summary>Each README entry: the command paths it names (a|b expands) and the options written in it.</summary>
    static List<(string Path, HashSet<string> Options)> ReadmeEntries()
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        int section = readme.IndexOf("## Command line", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## Command line' section");
        int open = readme.IndexOf("```\n", section, StringComparison.Ordinal);
        int close = readme.IndexOf("\n```", open + 4, StringComparison.Ordinal);
        Assert.True(open >= 0 && close > open, "the '## Command line' section has no ``` block");
        var entries = new List<(string Path, HashSet<string> Options)>();
        var current = new List<string>();
        foreach (var line in readme[(open + 4)..close].Split('\n'))
        {
            if (line.StartsWith("mlnet-embed ", StringComparison.Ordinal) || line.Trim() == "mlnet-embed") { Flush(); current.Add(line); }
            else if (line.Trim().Length > 0)
            {
                Assert.True(current.Count > 0 && char.IsWhiteSpace(line[0]), $"README usage line is neither a command nor an indented continuation: '{line}'");
                current.Add(line);
            }
        }
        Flush();
        return entries;

        void Flush()
        {
            if (current.Count == 0) return;
            string text = string.Join(" ", current);
            current.Clear();
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).TakeWhile(w => CommandWord.IsMatch(w)).ToList();
            var options = OptionToken.Matches(text).Select(m => m.Value).ToHashSet();
            var paths = new List<string> { "" };
            foreach (var word in words)
                paths = paths.SelectMany<string, string>(p => word.Split('|').Select(w => (p + " " + w).Trim())).ToList();
            foreach (var path in paths) entries.Add((path, options));
        }
    }

    /// <summary>Every runnable command of the tree by its path, with the options it takes (help and hidden ones left out).</summary>
    static Dictionary<string, HashSet<string>> TreeCommands()
    {
        var result = new Dictionary<string, HashSet<string>>();
        void Walk(Command command, string path, IEnumerable<Option> inherited)
        {
            var visible = command.Options.Where(o => !o.Hidden && o is not System.CommandLine.Help.HelpOption && o is not VersionOption).ToList();
            var all = inherited.Concat(visible).ToList();
            if (command.Subcommands.Count == 0 || command.Action is not null)
                result[path] = all.Select(o => o.Name).ToHashSet();
            foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
                Walk(sub, (path + " " + sub.Name).Trim(), all.Where(o => o.Recursive));
        }
        var root = CliApp.Build();
        foreach (var sub in root.Subcommands.Where(c => !c.Hidden)) Walk(sub, sub.Name, Array.Empty<Option>());
        return result;
    }

    [Fact]
    public void EveryCommandIsListedExactlyOnce()
    {
        var listed = ReadmeEntries().GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Count());
        var tree = TreeCommands();
        var missing = tree.Keys.Where(k => !listed.ContainsKey(k)).Order().ToList();
        var unknown = listed.Keys.Where(k => !tree.ContainsKey(k)).Order().ToList();
        var twice = listed.Where(kv => kv.Value > 1).Select(kv => kv.Key).Order().ToList();
        Assert.True(missing.Count == 0, "commands missing from README's command-line block: " + string.Join(", ", missing));
        Assert.True(unknown.Count == 0, "README lists commands the CLI does not have: " + string.Join(", ", unknown));
        Assert.True(twice.Count == 0, "README lists these commands more than once: " + string.Join(", ", twice));
    }

    [Fact]
    public void ListedOptionsAreTheCommandsOwn()
    {
        var tree = TreeCommands();
        var problems = new List<string>();
        foreach (var (path, options) in ReadmeEntries())
        {
            if (!tree.TryGetValue(path, out var real)) continue; // reported by EveryCommandIsListedExactlyOnce
            foreach (var o in options.Where(o => !real.Contains(o)).Order()) problems.Add($"'{path}' lists {o}, which it does not have");
            foreach (var o in real.Where(o => !options.Contains(o)).Order()) problems.Add($"'{path}' has {o}, which README does not list");
        }
        Assert.True(problems.Count == 0, "README's command-line block disagrees with the CLI:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void ParserReadsContinuationsAndAlternatives()
    {
        // The block's grammar as the two tests above read it, checked on the live README: 'data clean|validate' names two
        // commands, and continuation lines add their options to the entry above them.
        var entries = ReadmeEntries();
        Assert.Contains(entries, e => e.Path == "data clean");
        Assert.Contains(entries, e => e.Path == "data validate");
        var train = Assert.Single(entries, e => e.Path == "train");
        Assert.Contains("--model", train.Options);
        Assert.Contains("--max-length", train.Options); // on a continuation line
    }
}
