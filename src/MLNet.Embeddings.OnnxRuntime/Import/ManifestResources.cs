using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>
/// Reads the manifest resources embedded in a .NET assembly file with System.Reflection.Metadata, without loading
/// (or running) the assembly: each resource is a 4-byte length and its bytes inside the CLI resources directory.
/// </summary>
public static class ManifestResources
{
    /// <summary>The names of the resources embedded in <paramref name="assemblyPath"/>.</summary>
    /// <exception cref="ModelFormatException">The file is missing or is not a .NET assembly.</exception>
    public static IReadOnlyList<string> List(string assemblyPath)
    {
        using var pe = Open(assemblyPath, out var metadata);
        return metadata.ManifestResources.Select(h => metadata.GetString(metadata.GetManifestResource(h).Name)).ToList();
    }

    /// <summary>Copies resource <paramref name="name"/> of <paramref name="assemblyPath"/> to <paramref name="destination"/> atomically (temp file, then rename).</summary>
    /// <exception cref="ModelFormatException">The file is not a .NET assembly or has no such embedded resource.</exception>
    public static void Extract(string assemblyPath, string name, string destination)
    {
        using var pe = Open(assemblyPath, out var metadata);
        foreach (var h in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(h);
            if (metadata.GetString(resource.Name) != name) continue;
            if (!resource.Implementation.IsNil)
                throw new ModelFormatException(assemblyPath, $"resource '{name}' is not embedded in this file (it lives in another file of the assembly).");
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var block = pe.GetSectionData(directory.RelativeVirtualAddress);
            var reader = block.GetReader();
            reader.Offset = checked((int)resource.Offset);
            int length = reader.ReadInt32();
            if (length < 0 || (long)resource.Offset + 4 + length > directory.Size)
                throw new ModelFormatException(assemblyPath, $"resource '{name}': length {length} runs past the resources directory ({directory.Size} bytes).");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
            string temp = destination + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
            unsafe
            {
                using var source = new UnmanagedMemoryStream(reader.CurrentPointer, length);
                using (var output = File.Create(temp)) source.CopyTo(output);
            }
            File.Move(temp, destination, overwrite: true);
            return;
        }
        throw new ModelFormatException(assemblyPath, $"no embedded resource '{name}'; found: {string.Join(", ", List(assemblyPath))}.");
    }

    static PEReader Open(string path, out MetadataReader metadata)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "assembly file not found.");
        var pe = new PEReader(File.OpenRead(path));
        try
        {
            if (!pe.HasMetadata) throw new ModelFormatException(path, "not a .NET assembly (no CLI metadata).");
            metadata = pe.GetMetadataReader();
            return pe;
        }
        catch (BadImageFormatException e)
        {
            pe.Dispose();
            throw new ModelFormatException(path, $"not a .NET assembly: {e.Message}", e);
        }
        catch
        {
            pe.Dispose();
            throw;
        }
    }
}
