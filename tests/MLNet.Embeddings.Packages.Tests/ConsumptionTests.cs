using Xunit.Abstractions;

namespace MLNet.Embeddings.Packages.Tests;

/// <summary>
/// Fresh applications that know only the packages: core + ONNX Runtime + TorchSharp (with the README's C# quick start),
/// and ML.NET (fine-tune, classify, save; a second application loads the zip and predicts the same bits).
/// </summary>
[Collection("feed")]
public sealed class ConsumptionTests(PackageFeed feed, ITestOutputHelper log)
{
    const string OnnxRuntimeVersion = "1.32.0", LibTorchVersion = "2.10.0";

    string TinyBert => Path.Combine(feed.RepoRoot, "tests", "MLNet.Embeddings.OnnxRuntime.Tests", "Fixtures", "onnx", "tiny-bert");

    /// <summary>A working folder with the real ../shared beside it, so the README's ../shared/data paths work.</summary>
    string WorkFolder(string name)
    {
        string top = Path.Combine(feed.Root, "run-" + name);
        string work = Path.Combine(top, "work");
        Directory.CreateDirectory(work);
        string shared = Path.GetFullPath(Path.Combine(feed.RepoRoot, "..", "shared"));
        if (Directory.Exists(shared) && !Directory.Exists(Path.Combine(top, "shared"))) Directory.CreateSymbolicLink(Path.Combine(top, "shared"), shared);
        return work;
    }

    IReadOnlyList<ReadmeBlocks.Block> Readme(bool mlNet) =>
        ReadmeBlocks.Read(Path.Combine(feed.RepoRoot, "README.md")).Where(b => b.UsesMlNet == mlNet).ToList();

    /// <summary>Program.cs: the README's program block (at most one per application) as it is, then our checks.</summary>
    static string Program(IReadOnlyList<ReadmeBlocks.Block> blocks, string checks)
    {
        var programs = blocks.Where(b => b.IsProgram).ToList();
        Assert.True(programs.Count <= 1, "more than one README program block for one application: lines " + string.Join(", ", programs.Select(p => p.Line)));
        return (programs.Count == 1 ? programs[0].Code : "") + "\n" + checks + "\n";
    }

    static void AddDeclarations(ConsumerApp app, IReadOnlyList<ReadmeBlocks.Block> blocks)
    {
        foreach (var b in blocks.Where(b => !b.IsProgram)) app.Source($"Readme{b.Line}.cs", b.Code);
    }

    [Fact]
    public void Core_onnx_runtime_and_torchsharp_packages_encode_search_and_train_in_a_fresh_app()
    {
        var readme = Readme(mlNet: false);
        Assert.NotEmpty(readme);
        var app = new ConsumerApp(feed, "CoreApp")
            .Add("MLNet.Embeddings").Add("MLNet.Embeddings.OnnxRuntime").Add("MLNet.Embeddings.TorchSharp")
            .Add("Microsoft.ML.OnnxRuntime", OnnxRuntimeVersion)      // the application picks the ONNX Runtime natives
            .Add("libtorch-cpu-linux-x64", LibTorchVersion)           // and libtorch
            .Source("Program.cs", Program(readme, "PackageChecks.Run(args[0]);"))
            .Source("PackageChecks.cs", AppSources.CoreChecks);
        AddDeclarations(app, readme);
        Assert.DoesNotContain("ProjectReference", app.ProjectFile);
        app.Build();
        string output = app.Run(WorkFolder("core"), TinyBert);
        log.WriteLine(output);
        Assert.Contains("core checks passed", output);
        Assert.Contains("onnx: ", output);
        Assert.Contains("torchsharp: steps 3", output);
    }

    [Fact]
    public void MlNet_package_fine_tunes_saves_and_a_second_app_predicts_identically()
    {
        var readme = Readme(mlNet: true);
        string checks = "PackageChecks.Train(args[0], args[1], args[2]);";
        if (readme.Any(b => b.Code.Contains("class MlNetQuickStart")))
            checks += "\nMlNetQuickStart.Run(PackageChecks.Rows().Select(r => new MlNetQuickStart.Row { Text = r.Text, Label = r.Label }).ToArray());";
        var trainer = new ConsumerApp(feed, "MlTrainApp")
            .Add("MLNet.Embeddings.ML")
            .Source("Program.cs", Program(readme, checks))
            .Source("PackageChecks.cs", AppSources.MlTrain);
        AddDeclarations(trainer, readme);
        var loader = new ConsumerApp(feed, "MlLoadApp")
            .Add("MLNet.Embeddings.ML")
            .Source("Program.cs", "PackageChecks.Load(args[0], args[1]);\n")
            .Source("PackageChecks.cs", AppSources.MlLoad);
        trainer.Build();
        loader.Build();

        string work = WorkFolder("ml");
        // The README's ML.NET quick start names glove.6B.100d.txt in the working folder: the shared GloVe file under that name.
        string glove = Path.GetFullPath(Path.Combine(work, "..", "shared", "data", "glove", "glove.6B.100d.top50k.txt"));
        if (File.Exists(glove)) File.CreateSymbolicLink(Path.Combine(work, "glove.6B.100d.txt"), glove);
        string zip = Path.Combine(work, "tuned.zip"), first = Path.Combine(work, "first.txt"), second = Path.Combine(work, "second.txt");
        string trained = trainer.Run(work, TinyBert, zip, first), loaded = loader.Run(work, zip, second);
        log.WriteLine(trained + loaded);
        Assert.Contains("ml train checks passed", trained);
        Assert.Contains("ml load checks passed", loaded);
        var a = File.ReadAllLines(first);
        Assert.Equal(4, a.Length);
        Assert.Equal(a, File.ReadAllLines(second));   // class and every score, bit for bit
        Assert.True(File.Exists(Path.Combine(work, "model.zip")), "the README quick start did not save model.zip");
    }
}
