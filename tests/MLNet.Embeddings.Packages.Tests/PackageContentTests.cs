using System.IO.Compression;
using System.Xml.Linq;

namespace MLNet.Embeddings.Packages.Tests;

/// <summary>What each library package holds: lib, XML docs, readme, symbols, metadata and only the right dependencies.</summary>
[Collection("feed")]
public sealed class PackageContentTests(PackageFeed feed)
{
    // Native runtimes are the application's choice: no library package may depend on one.
    static readonly string[] NativeRuntimes = ["Microsoft.ML.OnnxRuntime", "Microsoft.ML.OnnxRuntime.Gpu", "TorchSharp-cpu", "TorchSharp-cuda-linux", "TorchSharp-cuda-windows"];

    [Fact]
    public void Pack_prints_no_warning()
    {
        var warnings = feed.PackOutput.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(warnings.Count == 0, "dotnet pack warned:\n" + string.Join('\n', warnings));
    }

    [Fact]
    public void Every_library_package_holds_lib_xml_docs_readme_symbols_and_its_metadata()
    {
        Assert.Contains("MLNet.Embeddings", feed.Ids);
        foreach (var id in feed.Ids)
        {
            string nupkg = Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg");
            Assert.True(File.Exists(nupkg), nupkg + " was not packed");
            Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), id + ": no symbol package");
            using var zip = ZipFile.OpenRead(nupkg);
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains($"lib/net10.0/{id}.dll", entries);
            Assert.Contains($"lib/net10.0/{id}.xml", entries);
            Assert.Contains("README.md", entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("runtimes/", StringComparison.Ordinal));

            var nuspec = Nuspec(zip, id);
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var meta = nuspec.Root.Element(ns + "metadata")!;
            string Get(string name) => meta.Element(ns + name)?.Value ?? "";
            Assert.Equal(id, Get("id"));
            Assert.Equal(feed.Version, Get("version"));
            Assert.Equal("MIT", Get("license"));
            Assert.Equal("README.md", Get("readme"));
            Assert.NotEqual("Package Description", Get("description"));
            Assert.True(Get("description").Length > 40, id + ": description too short");
            Assert.Contains("embeddings", Get("tags"));
            Assert.NotEqual(id, Get("authors"));
            var repo = meta.Element(ns + "repository");
            Assert.NotNull(repo);
            Assert.StartsWith("https://", repo!.Attribute("url")?.Value ?? "");
            if (Directory.Exists(Path.Combine(feed.RepoRoot, ".git")) || File.Exists(Path.Combine(feed.RepoRoot, ".git")))
                Assert.Matches("^[0-9a-f]{40}$", repo.Attribute("commit")?.Value ?? "");

            // Dependencies: our own packages exactly where the project references them (same version), and no native runtime.
            var deps = meta.Descendants(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
            var csproj = File.ReadAllText(Path.Combine(feed.RepoRoot, "src", id, id + ".csproj"));
            foreach (var other in feed.Ids)
            {
                bool referenced = csproj.Contains($"../{other}/{other}.csproj");
                Assert.True(referenced == deps.ContainsKey(other), $"{id}: dependency on {other} is {deps.ContainsKey(other)}, project reference {referenced}");
                if (referenced) Assert.Equal(feed.Version, deps[other]);
            }
            foreach (var native in NativeRuntimes) Assert.False(deps.ContainsKey(native), $"{id} depends on the native runtime {native}");
            Assert.DoesNotContain(deps.Keys, d => d.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(deps.Keys, d => d.StartsWith("Microsoft.SourceLink", StringComparison.Ordinal) || d.Contains("Analyzers"));
        }
    }

    [Fact]
    public void Engine_packages_reference_only_the_managed_runtime_bindings()
    {
        Assert.Contains("Microsoft.ML.OnnxRuntime.Managed", Dependencies("MLNet.Embeddings.OnnxRuntime"));
        Assert.Contains("TorchSharp", Dependencies("MLNet.Embeddings.TorchSharp"));
        Assert.Contains("Microsoft.ML", Dependencies("MLNet.Embeddings.ML"));
    }

    IReadOnlyCollection<string> Dependencies(string id)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg"));
        var doc = Nuspec(zip, id);
        return doc.Descendants(doc.Root!.Name.Namespace + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
    }

    static XDocument Nuspec(ZipArchive zip, string id)
    {
        using var s = zip.GetEntry(id + ".nuspec")!.Open();
        return XDocument.Load(s);
    }
}
