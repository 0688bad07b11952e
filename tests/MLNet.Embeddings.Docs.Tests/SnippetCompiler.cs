using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MLNet.Embeddings.Docs.Tests;

/// <summary>
/// Compiles a snippet as a user's console app would (C# latest, nullable on, the implicit usings of
/// <c>dotnet new console</c>, warnings are errors) against the .NET reference assemblies and every library of the
/// solution, and runs its top-level statements.
/// </summary>
public static class SnippetCompiler
{
    /// <summary>The usings a <c>dotnet new console</c> project adds (ImplicitUsings); ours are the snippet's job.</summary>
    public const string ImplicitUsings =
        "global using System;\nglobal using System.Collections.Generic;\nglobal using System.IO;\nglobal using System.Linq;\n" +
        "global using System.Net.Http;\nglobal using System.Threading;\nglobal using System.Threading.Tasks;\n";

    static readonly Lazy<List<MetadataReference>> References = new(LoadReferences);

    /// <summary>Compiles <paramref name="snippet"/>; returns the assembly bytes, or null with the errors as
    /// <c>file:line:column: error CSxxxx: message</c> lines (lines of the Markdown file).</summary>
    public static byte[]? Compile(Snippet snippet, out string errors)
    {
        var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        var code = CSharpSyntaxTree.ParseText(snippet.Code, parse, path: snippet.File);
        var usings = CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "ImplicitUsings.cs");
        bool program = code.GetCompilationUnitRoot().Members.Any(m => m is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax);
        var options = new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: false, generalDiagnosticOption: ReportDiagnostic.Error,
            specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress, // assembly version unification
                ["CS8019"] = ReportDiagnostic.Suppress, // an implicit using the snippet does not need
            });
        var compilation = CSharpCompilation.Create("Snippet_" + Guid.NewGuid().ToString("N"), [usings, code], References.Value, options);
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        var report = new StringBuilder();
        foreach (var d in result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
        {
            var span = d.Location.GetLineSpan();
            int line = span.Path == snippet.File ? snippet.Line + span.StartLinePosition.Line : span.StartLinePosition.Line + 1;
            report.AppendLine($"{span.Path}:{line}:{span.StartLinePosition.Character + 1}: error {d.Id}: {d.GetMessage()}");
        }
        errors = report.ToString();
        return result.Success ? pe.ToArray() : null;
    }

    /// <summary>
    /// Runs a compiled snippet's entry point with <paramref name="workingDirectory"/> as the current folder and
    /// Console output captured; returns the output, or throws what the snippet threw (or a timeout).
    /// </summary>
    public static string Run(byte[] assembly, string workingDirectory, TimeSpan timeout)
    {
        var entry = Assembly.Load(assembly).EntryPoint ?? throw new InvalidOperationException("the snippet has no top-level statements to run");
        var (oldOut, oldErr, oldDir) = (Console.Out, Console.Error, Environment.CurrentDirectory);
        var output = new StringWriter();
        Exception? failure = null;
        object? returned = null;
        Console.SetOut(output); Console.SetError(output);
        Environment.CurrentDirectory = workingDirectory;
        try
        {
            var thread = new Thread(() =>
            {
                try
                {
                    returned = entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
                    if (returned is Task t) { t.GetAwaiter().GetResult(); returned = t.GetType().GetProperty("Result")?.GetValue(t); }
                }
                catch (TargetInvocationException e) { failure = e.InnerException ?? e; }
                catch (Exception e) { failure = e; }
            }) { IsBackground = true };
            thread.Start();
            if (!thread.Join(timeout)) throw new TimeoutException($"the snippet did not finish in {timeout.TotalSeconds:F0} s; output so far:\n{output}");
        }
        finally
        {
            Console.SetOut(oldOut); Console.SetError(oldErr);
            Environment.CurrentDirectory = oldDir;
        }
        if (failure is not null) throw new SnippetFailedException($"{failure.GetType().Name}: {failure.Message}\noutput:\n{output}", failure);
        if (returned is int code && code != 0) throw new SnippetFailedException($"exit code {code}\noutput:\n{output}", null);
        return output.ToString();
    }

    static List<MetadataReference> LoadReferences()
    {
        // The framework's reference assemblies (what `dotnet build` compiles against), else the runtime's own.
        var framework = FrameworkReferenceAssemblies() ??
            ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        var names = new HashSet<string>(framework.Select(Path.GetFileNameWithoutExtension)!, StringComparer.OrdinalIgnoreCase);
        var refs = framework.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        foreach (var dll in Directory.GetFiles(AppContext.BaseDirectory, "*.dll").Order(StringComparer.Ordinal))
        {
            if (names.Contains(Path.GetFileNameWithoutExtension(dll))) continue;
            try { AssemblyName.GetAssemblyName(dll); } catch (BadImageFormatException) { continue; } // native library
            refs.Add(MetadataReference.CreateFromFile(dll));
        }
        return refs;
    }

    static List<string>? FrameworkReferenceAssemblies()
    {
        // <dotnet>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll → <dotnet>/packs/Microsoft.NETCore.App.Ref/<version>/ref/net10.0
        var runtimeDir = new DirectoryInfo(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        var dotnet = runtimeDir.Parent?.Parent?.Parent;
        var packs = dotnet is null ? null : new DirectoryInfo(Path.Combine(dotnet.FullName, "packs", "Microsoft.NETCore.App.Ref"));
        if (packs is null || !packs.Exists) return null;
        string tfm = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        var best = packs.GetDirectories()
            .Select(d => (Dir: d, Version: Version.TryParse(d.Name.Split('-')[0], out var v) ? v : null))
            .Where(x => x.Version is not null && x.Version.Major == Environment.Version.Major && Directory.Exists(Path.Combine(x.Dir.FullName, "ref", tfm)))
            .OrderByDescending(x => x.Version).FirstOrDefault();
        return best.Dir is null ? null : Directory.GetFiles(Path.Combine(best.Dir.FullName, "ref", tfm), "*.dll").ToList();
    }
}
