using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.Quantization;
using MLNet.Embeddings.Training.Batch;

namespace BatchScoringExample;

/// <summary>
/// A text file → <c>ml.Data.LoadFromTextFile</c> → <c>ml.Transforms.ApplyEmbedding</c> → one cursor over the scored
/// view → JSONL or Parquet (the library's batch writers), one window at a time, into a temp file renamed at the end.
/// Memory holds one window of vectors; the input is never loaded whole.
/// </summary>
public static class BatchScoringJob
{
    /// <summary>../shared/data beside the repository.</summary>
    public static string DataRoot { get; } = Path.GetFullPath(Path.Combine(FindRepoRoot(), "..", "shared", "data"));
    /// <summary>The GloVe file of ../shared/data.</summary>
    public static string DefaultGlove { get; } = Path.Combine(DataRoot, "glove", "glove.6B.100d.top50k.txt");
    /// <summary>Financial-QA-10k.csv of ../shared/data.</summary>
    public static string FinancialQa { get; } = Path.Combine(DataRoot, "financial-qa-10k", "Financial-QA-10k.csv");

    /// <summary>
    /// Scores the input; progress (rows, rows/s) goes to <paramref name="log"/> about once a second. Cancelling stops
    /// between rows, deletes the temp file and leaves an existing output untouched.
    /// </summary>
    public static BatchScoringResult Run(BatchScoringOptions o, TextWriter log, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        string output = Path.GetFullPath(o.OutputPath);
        var format = Path.GetExtension(output).ToLowerInvariant() switch
        {
            ".jsonl" => BatchFormat.Jsonl,
            ".parquet" => BatchFormat.Parquet,
            var e => throw new ArgumentException($"output {output}: write .jsonl or .parquet, not '{e}'.", nameof(o.OutputPath)),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        string input = o.InputPath ?? GenerateInput(Path.Combine(Path.GetDirectoryName(output)!, $"input-{o.Rows}.csv"), o.Rows, log);
        char separator = o.Separator ?? (input.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',');
        var header = ReadHeader(input, separator);
        int text = Array.IndexOf(header, o.TextColumn);
        if (text < 0) throw new FormatException($"{input}, line 1: no column '{o.TextColumn}' in the header ({string.Join(", ", header)}).");
        int id = o.IdColumn is null ? -1 : Array.IndexOf(header, o.IdColumn);

        var ml = new MLContext(seed: 1);
        var columns = new List<TextLoader.Column> { new("Text", DataKind.String, text) };
        if (id >= 0) columns.Add(new TextLoader.Column("Id", DataKind.String, id));
        IDataView data = ml.Data.LoadFromTextFile(input, new TextLoader.Options
        {
            Columns = columns.ToArray(), HasHeader = true, Separators = [separator], AllowQuoting = true, TrimWhitespace = false,
        });
        var embedding = ml.Transforms.ApplyEmbedding("Embedding", "Text", o.ModelPath,
            new ApplyEmbeddingOptions { WindowSize = o.WindowSize, BatchSize = o.BatchSize, MaxLength = o.MaxLength }).Fit(data);
        IDataView scored = embedding.Transform(data);
        var vectorColumn = scored.Schema["Embedding"];
        int dimensions = ((VectorDataViewType)vectorColumn.Type).Size;
        log.WriteLine($"batch: {input} → {output} ({format}, {dimensions} dimensions, window {o.WindowSize})");

        string temp = output + ".tmp-" + Environment.ProcessId;
        long rows = 0;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            using (var writer = EmbeddingWriter.Create(format, stream, EmbeddingPrecision.Float32, null, includeId: id >= 0))
            using (var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name is "Embedding" or "Id")))
            {
                var getVector = cursor.GetGetter<VBuffer<float>>(vectorColumn);
                var getId = id >= 0 ? cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["Id"]) : null;
                var windowRows = new List<BatchRow>(o.WindowSize);
                var windowVectors = new List<float[]>(o.WindowSize);
                VBuffer<float> buffer = default;
                ReadOnlyMemory<char> idValue = default;
                var lastReport = clock.Elapsed;
                while (cursor.MoveNext())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    getVector(ref buffer);
                    getId?.Invoke(ref idValue);
                    var vector = new float[dimensions];
                    buffer.CopyTo(vector);
                    windowRows.Add(new BatchRow(rows, getId is null ? null : idValue.ToString(), ""));
                    windowVectors.Add(vector);
                    rows++;
                    if (windowRows.Count == o.WindowSize) Flush();
                    if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
                    {
                        lastReport = clock.Elapsed;
                        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch: {rows:N0} rows, {rows / clock.Elapsed.TotalSeconds:F0} rows/s"));
                    }
                }
                Flush();
                writer.Complete();

                void Flush()
                {
                    if (windowRows.Count == 0) return;
                    writer.WriteWindow(windowRows, windowVectors);
                    windowRows.Clear();
                    windowVectors.Clear();
                }
            }
            File.Move(temp, output, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        double seconds = clock.Elapsed.TotalSeconds, cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch: {rows:N0} rows written in {seconds:F1} s ({rows / seconds:F0} rows/s, {cpuSeconds:F0} CPU-s)"));
        return new BatchScoringResult(input, output, rows, dimensions, seconds, cpuSeconds);
    }

    /// <summary>
    /// Writes <paramref name="rows"/> rows "id,text" to <paramref name="path"/>: the financial-qa-10K contexts in file
    /// order, repeated (ids r0, r1, …). Read with ML.NET's own loader; written to a temp file and renamed. Reused if present.
    /// </summary>
    public static string GenerateInput(string path, int rows, TextWriter log)
    {
        if (File.Exists(path)) return path;
        if (!File.Exists(FinancialQa)) throw new FileNotFoundException($"missing input {FinancialQa} (see ../shared/data/README.md)", FinancialQa);
        var ml = new MLContext();
        var qa = ml.Data.LoadFromTextFile(FinancialQa, new TextLoader.Options
        {
            Columns = [new TextLoader.Column("context", DataKind.String, 2)], HasHeader = true, Separators = [','], AllowQuoting = true,
        });
        var contexts = qa.GetColumn<string>("context").Where(c => !string.IsNullOrWhiteSpace(c)).ToList();
        string temp = path + ".tmp-" + Environment.ProcessId;
        using (var w = new StreamWriter(temp, false, new UTF8Encoding(false)))
        {
            w.Write("id,text\n");
            for (int i = 0; i < rows; i++)
                w.Write($"r{i},\"{contexts[i % contexts.Count].Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n");
        }
        File.Move(temp, path, overwrite: true);
        log.WriteLine($"batch: generated {path} ({rows:N0} rows from {contexts.Count:N0} financial-qa-10K contexts)");
        return path;
    }

    // The header's field names (quotes stripped); the loader reads the rows.
    static string[] ReadHeader(string path, char separator)
    {
        using var r = new StreamReader(path);
        string line = r.ReadLine() ?? throw new FormatException($"{path}, line 1: empty file, expected a header.");
        return line.Split(separator).Select(f => f.Trim().Trim('"')).ToArray();
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
