using System.Text;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>Writes a text file through a temporary file in the same folder, renamed over the target only on success.</summary>
internal static class AtomicText
{
    public static void Write(string path, Action<TextWriter> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false), 1 << 16))
            {
                write(writer);
                writer.Flush();
                ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
