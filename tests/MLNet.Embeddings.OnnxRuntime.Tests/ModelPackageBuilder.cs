using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// Packs a model package the way the SentenceTransformers.* packages are made: a library DLL whose manifest resources
/// are <c>ID.Resources.model.onnx</c> and <c>ID.Resources.vocab.txt</c>, in a .nupkg with its .nuspec.
/// </summary>
internal static class ModelPackageBuilder
{
    public static string Pack(string feed, string id, string version, string onnx, string vocab)
    {
        Directory.CreateDirectory(feed);
        string path = Path.Combine(feed, $"{id}.{version}.nupkg".ToLowerInvariant());
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var w = new StreamWriter(zip.CreateEntry(id + ".nuspec").Open()))
            w.Write($"""
                <?xml version="1.0" encoding="utf-8"?>
                <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
                  <metadata><id>{id}</id><version>{version}</version><authors>tests</authors><description>A tiny test model.</description></metadata>
                </package>
                """);
        var dll = Assembly(id, [(id + ".Resources.model.onnx", File.ReadAllBytes(onnx)), (id + ".Resources.vocab.txt", File.ReadAllBytes(vocab))]);
        using (var s = zip.CreateEntry($"lib/netstandard2.1/{id}.dll").Open()) s.Write(dll);
        return path;
    }

    /// <summary>A minimal library assembly that embeds <paramref name="resources"/> and has no code.</summary>
    static byte[] Assembly(string name, IReadOnlyList<(string Name, byte[] Data)> resources)
    {
        var metadata = new MetadataBuilder();
        var blob = new BlobBuilder();
        foreach (var (resource, data) in resources)
        {
            metadata.AddManifestResource(ManifestResourceAttributes.Public, metadata.GetOrAddString(resource), default, (uint)blob.Count);
            blob.WriteInt32(data.Length);
            blob.WriteBytes(data);
            blob.Align(8);
        }
        metadata.AddModule(0, metadata.GetOrAddString(name + ".dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        metadata.AddAssembly(metadata.GetOrAddString(name), new Version(1, 0, 0, 0), default, default, default, AssemblyHashAlgorithm.Sha1);
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var pe = new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), new BlobBuilder(), managedResources: blob);
        var output = new BlobBuilder();
        pe.Serialize(output);
        return output.ToArray();
    }
}
