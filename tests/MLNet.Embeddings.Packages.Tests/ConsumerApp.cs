namespace MLNet.Embeddings.Packages.Tests;

/// <summary>
/// A fresh console application outside the repository (<c>dotnet new console</c>), with a nuget.config that adds the
/// test feed to the machine's default sources, packages added with <c>dotnet add package</c>, then built and run.
/// Restore takes everything already in the global packages folder from there, so only the first restore on a machine
/// needs the network.
/// </summary>
public sealed class ConsumerApp
{
    readonly PackageFeed feed;
    /// <summary>The application folder.</summary>
    public string Folder { get; }
    /// <summary>The application (and assembly) name.</summary>
    public string Name { get; }

    public ConsumerApp(PackageFeed feed, string name)
    {
        this.feed = feed;
        Name = name;
        Folder = Path.Combine(feed.Root, "apps", name);
        Directory.CreateDirectory(Folder);
        Dotnet.Run(Folder, "dotnet", "new", "console", "--force", "--no-update-check");
        File.WriteAllText(Path.Combine(Folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mlnet-embeddings-test-feed" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary><c>dotnet add package ID --version V --no-restore</c>; V defaults to the feed's version.</summary>
    public ConsumerApp Add(string id, string? version = null)
    {
        Dotnet.Run(Folder, "dotnet", "add", "package", id, "--version", version ?? feed.Version, "--no-restore");
        return this;
    }

    /// <summary>Writes a source file into the application.</summary>
    public ConsumerApp Source(string fileName, string code)
    {
        File.WriteAllText(Path.Combine(Folder, fileName), code);
        return this;
    }

    /// <summary>Restores and builds in Release (warnings are not errors in a user's app, but are returned).</summary>
    public string Build() => Dotnet.Run(Folder, "dotnet", "build", "-c", "Release", "--nologo");

    /// <summary>Runs the built application in <paramref name="cwd"/>; returns its output.</summary>
    public string Run(string cwd, params string[] args)
    {
        string dll = Directory.EnumerateFiles(Path.Combine(Folder, "bin", "Release"), Name + ".dll", SearchOption.AllDirectories).First();
        return Dotnet.Run(cwd, "dotnet", [dll, .. args]);
    }

    /// <summary>The PackageReference lines of the project file.</summary>
    public string ProjectFile => File.ReadAllText(Path.Combine(Folder, Name + ".csproj"));
}
