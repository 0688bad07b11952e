// Batch scoring with the ML.NET layer: a large CSV/TSV → ml.Data.LoadFromTextFile → ml.Transforms.ApplyEmbedding →
// JSONL or Parquet, streamed one window (1,024 rows) at a time, progress (rows/s) on stderr, Ctrl+C stops cleanly
// (the temp file is deleted; the output appears only when complete, by rename).
//
//   dotnet run --project examples/BatchScoring -c Release -- [--input file.csv|.tsv] [--text-column text]
//       [--id-column id] [--rows 20000] [--model glove.txt|FOLDER] [--output embeddings.jsonl|.parquet]
//       [--window 1024] [--batch-size 32] [--max-length N]
//
// Without --input, the financial-qa-10K contexts are repeated to --rows rows (input-N.csv next to the output), so it
// runs on a fresh clone. Default output: batch-scoring/embeddings.jsonl under the temp folder; the model: GloVe.
using System.Globalization;
using BatchScoringExample;

string? Arg(string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
int? Int(string name) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;

var o = new BatchScoringOptions { InputPath = Arg("--input") };
if (Arg("--text-column") is { } t) o.TextColumn = t;
if (Arg("--id-column") is { } id) o.IdColumn = id;
if (Arg("--model") is { } m) o.ModelPath = m;
if (Arg("--output") is { } output) o.OutputPath = output;
o.Rows = Int("--rows") ?? o.Rows;
o.WindowSize = Int("--window") ?? o.WindowSize;
o.BatchSize = Int("--batch-size") ?? o.BatchSize;
o.MaxLength = Int("--max-length");

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); Console.Error.WriteLine("batch: stopping (Ctrl+C)…"); };
try
{
    var result = BatchScoringJob.Run(o, Console.Error, cts.Token);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{result.Rows} rows × {result.Dimensions} dimensions → {result.OutputPath} ({result.RowsPerSecond:F0} rows/s, {result.CpuSeconds:F0} CPU-s)"));
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("batch: cancelled; nothing written");
    return 130;
}
