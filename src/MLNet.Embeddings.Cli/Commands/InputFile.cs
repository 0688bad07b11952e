namespace MLNet.Embeddings.Cli.Commands;

/// <summary>Checks a path given on the command line before any work, so a missing one is reported with the option
/// that named it: <c>--eval: file not found: missing.jsonl</c>.</summary>
internal static class InputFile
{
    /// <summary>Fails unless <paramref name="path"/> is an existing file; returns it.</summary>
    public static string Require(string path, string option)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(Directory.Exists(path) ? $"{option}: expected a file, found a folder: {path}" : $"{option}: file not found: {path}", path);
        return path;
    }

    /// <summary>Fails unless <paramref name="path"/> is an existing file or folder (a model folder or word-vector file); returns it.</summary>
    public static string RequireFileOrFolder(string path, string option)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"{option}: no such file or folder: {path}", path);
        return path;
    }
}
