using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace MLNet.Embeddings.Docs.Tests;

/// <summary>Every ```csharp block of README.md and docs/*.md compiles and (unless compile-only) runs.</summary>
public class SnippetTests(ITestOutputHelper output)
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>One case per snippet, named by file and line; found again at every run, so new snippets are picked up.</summary>
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var s in MarkdownSnippets.All(MarkdownSnippets.RepoRoot)) data.Add(s.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void SnippetCompilesAndRuns(string id)
    {
        var snippet = MarkdownSnippets.All(MarkdownSnippets.RepoRoot).Single(s => s.Id == id);
        var assembly = SnippetCompiler.Compile(snippet, out var errors);
        Assert.True(assembly is not null, $"{id} does not compile:\n{errors}");
        if (snippet.CompileOnly) { output.WriteLine($"{id}: compile-only, compiled"); return; }
        if (!snippet.Code.Contains(';') || !HasStatements(snippet)) { output.WriteLine($"{id}: declarations only, compiled"); return; }
        string printed = SnippetCompiler.Run(assembly!, ScratchFolder.Create(MarkdownSnippets.RepoRoot), Timeout);
        output.WriteLine(printed);
    }

    static bool HasStatements(Snippet s) =>
        Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(s.Code).GetCompilationUnitRoot().Members
            .Any(m => m is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax);

    [Fact]
    public void TheReadmeAndDocsHaveSnippetsAndTheQuickStartRuns()
    {
        var all = MarkdownSnippets.All(MarkdownSnippets.RepoRoot);
        // The C# quick start (the ML.NET one comes first in the README): the snippet that uses the embedding generator.
        var quick = all.First(s => s.File == "README.md" && s.Code.Contains("AsEmbeddingGenerator"));
        Assert.False(quick.CompileOnly, "the README quick start must run, not only compile");
        Assert.Contains("using Microsoft.Extensions.AI;", quick.Code);
        Assert.Contains(all, s => s.File.StartsWith("docs/", StringComparison.Ordinal));
    }

    [Fact]
    public void BlocksAreFoundWithTheirLinesAndMarks()
    {
        const string md = "# t\n\n```csharp\nConsole.WriteLine(1);\n```\n\n```bash\nls\n```\n\n1. item\n   ```cs compile-only\n   var x = 1;\n   ```\n~~~~c#\n```\nint y = 2;\n~~~~\n";
        var s = MarkdownSnippets.Parse("x.md", md).ToList();
        Assert.Equal(3, s.Count);
        Assert.Equal(("x.md:4", false, "Console.WriteLine(1);\n"), (s[0].Id, s[0].CompileOnly, s[0].Code));
        Assert.Equal(("x.md:13", true, "var x = 1;\n"), (s[1].Id, s[1].CompileOnly, s[1].Code));
        Assert.Equal(("x.md:16", false, "```\nint y = 2;\n"), (s[2].Id, s[2].CompileOnly, s[2].Code));
        Assert.Throws<FormatException>(() => MarkdownSnippets.Parse("y.md", "```csharp\nint z;\n").ToList());
    }

    [Fact]
    public void ACompileErrorNamesTheMarkdownFileAndLine()
    {
        var broken = new Snippet("docs/x.md", 40, false, "using MLNet.Embeddings;\n\nvar m = SentenceEncoder.Lod(\"a\");\n");
        Assert.Null(SnippetCompiler.Compile(broken, out var errors));
        Assert.Contains("docs/x.md:42:", errors);
        Assert.Contains("CS0117", errors); // 'SentenceEncoder' does not contain a definition for 'Lod'
        // the usings of our libraries are the snippet's own: without them it does not compile
        var noUsing = new Snippet("docs/x.md", 1, false, "var m = SentenceEncoder.Load(\"a\");\n");
        Assert.Null(SnippetCompiler.Compile(noUsing, out errors));
        Assert.Contains("CS0103", errors);
    }

    [Fact]
    public void ASnippetThatThrowsOrWarnsFails()
    {
        var throws = new Snippet("x.md", 1, false, "Console.WriteLine(\"before\");\nthrow new InvalidOperationException(\"boom\");\n");
        var asm = SnippetCompiler.Compile(throws, out var errors);
        Assert.True(asm is not null, errors);
        var ex = Assert.Throws<SnippetFailedException>(() => SnippetCompiler.Run(asm!, Path.GetTempPath(), Timeout));
        Assert.Contains("boom", ex.Message);
        Assert.Contains("before", ex.Message);
        var warns = new Snippet("x.md", 1, false, "string s = null;\nConsole.WriteLine(s);\n"); // CS8600: nullable warning
        Assert.Null(SnippetCompiler.Compile(warns, out errors));
        Assert.Contains("CS8600", errors);
    }
}
