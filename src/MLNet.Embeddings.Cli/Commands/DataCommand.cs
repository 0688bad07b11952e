using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Mining;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed data</c>: build fine-tuning datasets: import, clean, validate, mine, augment, split, leakage, expand.
/// Every subcommand prints its report as JSON on stdout; progress and messages go to stderr.
/// </summary>
internal static class DataCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var command = new Command("data", "Build fine-tuning datasets: import, clean, validate, mine hard negatives, augment, split, check leakage.");
        command.Subcommands.Add(Import());
        command.Subcommands.Add(Clean());
        command.Subcommands.Add(Validate());
        command.Subcommands.Add(Mine());
        command.Subcommands.Add(Augment());
        command.Subcommands.Add(Split());
        command.Subcommands.Add(Leakage());
        command.Subcommands.Add(Expand());
        command.Subcommands.Add(GenerateCommand.Create());
        command.Subcommands.Add(DataScoreCommand.Create());
        return command;
    }

    private static Option<string> Input() => new("--input") { Description = "Input file (JSONL, or .txt one sentence per line; import: CSV/TSV/JSONL).", Required = true };
    private static Option<string> Output(bool required = true) => new("--output") { Description = "Output JSONL file (written atomically).", Required = required };

    private static void Print(object report) => Console.WriteLine(JsonSerializer.Serialize(report, report.GetType(), Json));

    /// <summary>Rows processed so far on stderr, through <see cref="StatusLine"/> (plain lines every few seconds when redirected).</summary>
    private sealed class RowProgress(string what) : IProgress<long>
    {
        readonly StatusLine _line = StatusLine.ForStderr();
        public void Report(long value) => _line.Update($"{what}: {value:N0} rows");
        public void End() => _line.End();
    }

    private static List<string> Columns(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static Command Import()
    {
        var input = Input();
        var output = Output();
        var query = new Option<string>("--query-column") { Description = "Column that becomes the query (e.g. question).", Required = true };
        var pos = new Option<string>("--pos-column") { Description = "Column(s) that become positives, comma-separated (e.g. context).", Required = true };
        var neg = new Option<string?>("--neg-column") { Description = "Optional column(s) that become negatives, comma-separated." };
        var score = new Option<string?>("--score-column") { Description = "Column with a similarity score (e.g. STS-B's 0-5): writes scored pairs for cosine/cosent and eval." };
        var keep = new Option<string?>("--keep-columns") { Description = "Columns copied into each row as extra fields, comma-separated." };
        var prompt = new Option<string?>("--prompt") { Description = "Instruction written to every row's \"prompt\"." };
        var type = new Option<string?>("--type") { Description = "Task type written to every row's \"type\"." };
        var format = new Option<ImportFormat>("--format") { Description = "Input format (default: from the extension).", DefaultValueFactory = _ => ImportFormat.Auto };
        var noQuotes = new Option<bool>("--no-quotes") { Description = "Treat '\"' as an ordinary character (plain TSV)." };
        var noHeader = new Option<bool>("--no-header") { Description = "The file has no header row; columns are 0-based indices." };
        var c = new Command("import", "Map a CSV/TSV/JSONL table's columns onto training rows {query, pos, neg, prompt, type}.");
        foreach (var o in new Option[] { input, output, query, pos, neg, score, keep, prompt, type, format, noQuotes, noHeader }) c.Options.Add(o);
        c.SetAction(pr =>
        {
            var progress = new RowProgress("import");
            var options = new ImportOptions
            {
                QueryColumn = pr.GetValue(query)!, PosColumns = Columns(pr.GetValue(pos)), NegColumns = Columns(pr.GetValue(neg)),
                ScoreColumn = pr.GetValue(score), KeepColumns = Columns(pr.GetValue(keep)), Prompt = pr.GetValue(prompt), Type = pr.GetValue(type), Format = pr.GetValue(format),
                Quoting = pr.GetValue(noQuotes) ? false : null, HasHeader = !pr.GetValue(noHeader), Progress = progress,
            };
            var report = DatasetImporter.Import(InputFile.Require(pr.GetValue(input)!, "--input"), pr.GetValue(output)!, options);
            progress.End();
            foreach (var p in report.Skipped.Take(20)) Console.Error.WriteLine($"skipped {p}");
            Print(report);
            return 0;
        });
        return c;
    }

    private static Command Clean()
    {
        var input = Input();
        var output = Output(required: false);
        output.Description = "Output JSONL file (written atomically); without it the cleaned rows go to stdout and the report to stderr.";
        var lower = new Option<bool>("--lowercase") { Description = "Lowercase every text." };
        var keepHtml = new Option<bool>("--keep-html") { Description = "Do not strip HTML tags and entities." };
        var noNfkc = new Option<bool>("--no-nfkc") { Description = "Skip Unicode NFKC normalisation." };
        var noExact = new Option<bool>("--keep-duplicates") { Description = "Keep exact duplicates." };
        var noNear = new Option<bool>("--keep-near-duplicates") { Description = "Keep near duplicates." };
        var threshold = new Option<double>("--near-threshold") { Description = "Estimated Jaccard at or above which rows are near duplicates.", DefaultValueFactory = _ => 0.8 };
        var c = new Command("clean", "Strip HTML, normalise Unicode and whitespace, drop empty rows, exact and near duplicates; report what was dropped.");
        foreach (var o in new Option[] { input, output, lower, keepHtml, noNfkc, noExact, noNear, threshold }) c.Options.Add(o);
        c.SetAction(pr =>
        {
            var progress = new RowProgress("clean");
            var options = new CleanOptions
            {
                Lowercase = pr.GetValue(lower), StripHtml = !pr.GetValue(keepHtml), UnicodeNfkc = !pr.GetValue(noNfkc),
                DropExactDuplicates = !pr.GetValue(noExact), DropNearDuplicates = !pr.GetValue(noNear),
                NearDuplicates = new NearDuplicateOptions { Threshold = pr.GetValue(threshold) }, Progress = progress,
            };
            if (pr.GetValue(output) is { } outPath)
            {
                var report = DatasetCleaner.Clean(InputFile.Require(pr.GetValue(input)!, "--input"), outPath, options);
                progress.End();
                Print(report);
                Console.Error.WriteLine($"clean: {report.RowsRead:N0} rows read, {report.RowsWritten:N0} written to {outPath}" +
                    (report.DroppedByReason.Count > 0 ? $", dropped: {string.Join(", ", report.DroppedByReason.Select(kv => $"{kv.Key} {kv.Value:N0}"))}" : ""));
                return 0;
            }
            var rep = new CleanReport();
            options.Progress = null;
            string inPath = InputFile.Require(pr.GetValue(input)!, "--input");
            foreach (var row in DatasetCleaner.Clean(TrainingDataReader.Read(inPath), options, rep))
                Console.Out.WriteLine(TrainingDataWriter.ToJson(row));
            Console.Error.WriteLine(JsonSerializer.Serialize(rep, Json));
            if (rep.RowsRead == 0) throw new DatasetFormatException(inPath, 0, null, "expected training rows, found none (the file is empty).");
            if (rep.RowsWritten == 0) throw new DatasetFormatException(inPath, 0, null, $"every one of the {rep.RowsRead} rows was dropped; nothing written.");
            return 0;
        });
        return c;
    }

    private static Command Validate()
    {
        var input = Input();
        var output = Output(required: false);
        output.Description = "Also write the report (JSON) to this file.";
        var c = new Command("validate", "Check a training file and list every problem with its line; exits 2 when problems are found.");
        c.Options.Add(input);
        c.Options.Add(output);
        c.SetAction(pr =>
        {
            var report = DatasetValidator.Validate(InputFile.Require(pr.GetValue(input)!, "--input"));
            Print(report);
            if (pr.GetValue(output) is { } o) AtomicWrite(o, JsonSerializer.Serialize(report, Json));
            if (!report.IsValid) Console.Error.WriteLine($"{report.ProblemCount} problem(s) in {report.RowsWithProblems} row(s)");
            return report.IsValid ? 0 : 2;
        });
        return c;
    }

    private static void AtomicWrite(string path, string text) => AtomicText.Write(path, w => w.Write(text)); // creates a missing folder

    private static Command Mine()
    {
        var input = Input();
        var output = Output();
        var method = new Option<string>("--method") { Description = "bm25 | dense | hybrid.", DefaultValueFactory = _ => "bm25" };
        var model = new Option<string?>("--model") { Description = "Model folder, or openai:MODEL (a remote API, see --endpoint), for dense, hybrid and teacher scores." };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus file (.txt lines, JSONL {\"text\"}, or training rows); default: the input's positives." };
        var negatives = new Option<int>("--negatives") { Description = "Negatives per row.", DefaultValueFactory = _ => 3 };
        var rangeMin = new Option<int>("--range-min") { Description = "Skip this many best-ranked candidates.", DefaultValueFactory = _ => 0 };
        var rangeMax = new Option<int>("--range-max") { Description = "Last rank considered (1-based).", DefaultValueFactory = _ => 100 };
        var margin = new Option<float?>("--margin") { Description = "Relative margin: keep negatives scoring ≤ positive × (1 − margin)." };
        var absMargin = new Option<float?>("--absolute-margin") { Description = "Absolute margin: keep negatives scoring ≤ positive − margin." };
        var maxScore = new Option<float?>("--max-score") { Description = "Skip candidates scoring above this." };
        var sampling = new Option<string>("--sampling") { Description = "top | random.", DefaultValueFactory = _ => "top" };
        var seed = new Option<int>("--seed") { Description = "Seed for random sampling.", DefaultValueFactory = _ => 42 };
        var teacher = new Option<bool>("--teacher-scores") { Description = "Write pos_scores / neg_scores (cosine) from --model." };
        var keep = new Option<bool>("--keep-negatives") { Description = "Keep existing negatives and append mined ones." };
        var k1 = new Option<float>("--k1") { Description = "BM25 k1.", DefaultValueFactory = _ => 1.2f };
        var b = new Option<float>("--b") { Description = "BM25 b.", DefaultValueFactory = _ => 0.75f };
        var batch = new Option<int>("--batch-size") { Description = "Texts per forward pass when encoding.", DefaultValueFactory = _ => 32 };
        var crossEncoder = new Option<string?>("--cross-encoder") { Description = "Cross-encoder folder, or its exported .onnx file (ONNX Runtime): rescore mined negatives and drop likely false negatives by --margin / --absolute-margin to the positive's score (mines 2× --negatives candidates, keeps the first --negatives survivors)." };
        var c = new Command("mine", "Mine hard negatives with BM25, a dense model, or both (hybrid).");
        foreach (var o in new Option[] { input, output, method, model, corpus, negatives, rangeMin, rangeMax, margin, absMargin, maxScore, sampling, seed, teacher, keep, k1, b, batch, crossEncoder })
            c.Options.Add(o);
        var remote = RemoteArguments.Create();
        remote.AddTo(c);
        c.SetAction(pr =>
        {
            var progress = new RowProgress("mine");
            var options = new MiningOptions
            {
                Method = pr.GetValue(method)!.ToLowerInvariant() switch
                {
                    "bm25" => MiningMethod.Bm25, "dense" => MiningMethod.Dense, "hybrid" => MiningMethod.Hybrid,
                    var m => throw new ArgumentException($"--method: expected bm25, dense or hybrid, found '{m}'"),
                },
                NumNegatives = pr.GetValue(negatives), RangeMin = pr.GetValue(rangeMin), RangeMax = pr.GetValue(rangeMax),
                RelativeMargin = pr.GetValue(margin), AbsoluteMargin = pr.GetValue(absMargin), MaxScore = pr.GetValue(maxScore),
                Sampling = pr.GetValue(sampling)!.ToLowerInvariant() switch
                {
                    "top" => SamplingStrategy.Top, "random" => SamplingStrategy.Random,
                    var s => throw new ArgumentException($"--sampling: expected top or random, found '{s}'"),
                },
                Seed = pr.GetValue(seed), TeacherScores = pr.GetValue(teacher), KeepExistingNegatives = pr.GetValue(keep),
                Bm25 = new Bm25Options { K1 = pr.GetValue(k1), B = pr.GetValue(b) },
                EncodeOptions = new EncodeOptions { BatchSize = pr.GetValue(batch) },
                Progress = progress,
            };
            string inputPath = InputFile.Require(pr.GetValue(input)!, "--input");
            string? corpusPath = pr.GetValue(corpus) is { } cp ? InputFile.Require(cp, "--corpus") : null;
            using var generator = remote.Open(pr, pr.GetValue(model), "--model");
            SentenceEncoder? encoder = generator is null && pr.GetValue(model) is { } dir ? SentenceEncoder.Load(ModelArgument.Resolve(dir, "--model")) : null;
            if (encoder is null && generator is null && (options.Method != MiningMethod.Bm25 || options.TeacherScores))
                throw new ArgumentException($"--method {pr.GetValue(method)}{(options.TeacherScores ? " / --teacher-scores" : "")} needs --model");
            using var judge = pr.GetValue(crossEncoder) is { } ce ? new CrossEncoderJudge(ce, options) : null;
            TruncationReport? truncation = encoder is null ? null : TruncationReport.Start(encoder);
            var summary = generator is not null
                ? HardNegativeMiner.Mine(inputPath, pr.GetValue(output)!, options, generator, corpusPath)
                : HardNegativeMiner.Mine(inputPath, pr.GetValue(output)!, options, encoder, corpusPath);
            progress.End();
            judge?.Apply(pr.GetValue(output)!);
            truncation?.Print("mine");
            RemoteArguments.Report("mine", generator);
            Print(summary);
            if (summary.RowsWithFewerNegatives > 0)
            {
                string causes = string.Join(", ", new[] { "window", "max_score", "margin" }.Select(c => $"{c} {summary.ShortRowsByCause.GetValueOrDefault(c)}"));
                Console.Error.WriteLine($"mine: {summary.RowsWithFewerNegatives} of {summary.Rows} rows got fewer than {options.NumNegatives} negatives " +
                    $"(rows by cause: {causes}; first at line {summary.ShortRows[0].Line}); 'train' fills short rows, see its --negatives");
            }
            return 0;
        });
        return c;
    }

    private static Command Augment()
    {
        var input = Input();
        var output = Output();
        var thesaurus = new Option<string?>("--thesaurus") { Description = "Synonym file: one group per line, words separated by commas or tabs." };
        var ops = new Option<string>("--ops") { Description = "Operations, comma-separated: synonym,insert,swap,delete.", DefaultValueFactory = _ => "synonym,insert,swap,delete" };
        var rate = new Option<double>("--rate") { Description = "Share of words changed (EDA alpha).", DefaultValueFactory = _ => 0.1 };
        var copies = new Option<int>("--copies") { Description = "Augmented copies per operation and row.", DefaultValueFactory = _ => 1 };
        var positives = new Option<bool>("--augment-positives") { Description = "Also augment positives (default: queries only)." };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 42 };
        var c = new Command("augment", "EDA augmentation (synonym, insert, swap, delete); apply to the train split only, after splitting.");
        foreach (var o in new Option[] { input, output, thesaurus, ops, rate, copies, positives, seed }) c.Options.Add(o);
        c.SetAction(pr =>
        {
            var options = new AugmentOptions
            {
                Operations = Columns(pr.GetValue(ops)).Select(s => Enum.TryParse<AugmentOperation>(s, ignoreCase: true, out var op) ? op
                    : throw new ArgumentException($"--ops: unknown operation '{s}' (expected synonym, insert, swap, delete)")).ToList(),
                Rate = pr.GetValue(rate), CopiesPerOperation = pr.GetValue(copies), AugmentPositives = pr.GetValue(positives), Seed = pr.GetValue(seed),
                Thesaurus = pr.GetValue(thesaurus) is { } t ? Thesaurus.Load(InputFile.Require(t, "--thesaurus")) : null,
            };
            if (options.Thesaurus is null && options.Operations.Contains(AugmentOperation.Synonym))
                Console.Error.WriteLine("note: no --thesaurus given; 'synonym' leaves texts unchanged and 'insert' copies words of the text");
            Print(DataAugmenter.Augment(InputFile.Require(pr.GetValue(input)!, "--input"), pr.GetValue(output)!, options));
            return 0;
        });
        return c;
    }

    private static Command Split()
    {
        var input = Input();
        var dir = new Option<string>("--output-dir") { Description = "Folder for train.jsonl, val.jsonl, test.jsonl.", Required = true };
        var ratios = new Option<string>("--ratios") { Description = "Train,val,test fractions.", DefaultValueFactory = _ => "0.8,0.1,0.1" };
        var seed = new Option<int>("--seed") { Description = "Shuffle seed.", DefaultValueFactory = _ => 42 };
        var stratify = new Option<bool>("--stratify") { Description = "Keep the mix of \"type\" values equal across splits." };
        var noNear = new Option<bool>("--no-near-duplicates") { Description = "Group rows by exactly shared texts only." };
        var c = new Command("split", "Split into train/val/test so that no query, positive or near-duplicate text is in two splits.");
        foreach (var o in new Option[] { input, dir, ratios, seed, stratify, noNear }) c.Options.Add(o);
        c.SetAction(pr =>
        {
            var r = Columns(pr.GetValue(ratios)).Select(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new ArgumentException($"--ratios: '{x}' is not a number")).ToArray();
            var options = new SplitOptions { Ratios = r, Seed = pr.GetValue(seed), StratifyByType = pr.GetValue(stratify), GroupNearDuplicates = !pr.GetValue(noNear) };
            DatasetSplitter.CheckRatios(r); // before reading the input
            var report = DatasetSplitter.Split(InputFile.Require(pr.GetValue(input)!, "--input"), pr.GetValue(dir)!, options);
            Print(report);
            long total = report.Rows.Sum();
            var parts = report.Rows.Select((n, i) => $"{n:N0} {Path.GetFileNameWithoutExtension(report.Files[i])}");
            Console.Error.WriteLine($"split: {total:N0} rows → {string.Join(" / ", parts)} in {pr.GetValue(dir)} " +
                $"({report.Groups:N0} groups of rows sharing a text, largest {report.LargestGroup:N0}; {report.NearDuplicateLinks:N0} near-duplicate links)");
            for (int i = 0; i < report.Rows.Length; i++)
                if (report.Rows[i] == 0)
                    Console.Error.WriteLine($"split: warning: {report.Files[i]} has no rows ({report.Groups:N0} groups for {report.Rows.Length} splits; give fewer splits or more data)");
            return 0;
        });
        return c;
    }

    private static Command Leakage()
    {
        var files = new Option<string[]>("--files") { Description = "Two or more dataset files.", Required = true, AllowMultipleArgumentsPerToken = true };
        var negs = new Option<bool>("--include-negatives") { Description = "Also compare negatives." };
        var threshold = new Option<double>("--near-threshold") { Description = "Estimated Jaccard for near duplicates.", DefaultValueFactory = _ => 0.8 };
        var c = new Command("leakage", "Count exact and near-duplicate texts shared between files (e.g. train vs test); exits 2 when any are found.");
        foreach (var o in new Option[] { files, negs, threshold }) c.Options.Add(o);
        c.SetAction(pr =>
        {
            foreach (var f in pr.GetValue(files)!) InputFile.Require(f, "--files");
            var report = LeakageChecker.Check(pr.GetValue(files)!, pr.GetValue(negs), new NearDuplicateOptions { Threshold = pr.GetValue(threshold) });
            Print(report);
            return report.Clean ? 0 : 2;
        });
        return c;
    }

    private static Command Expand()
    {
        var input = Input();
        var output = Output();
        var batch = new Option<int>("--batch-size") { Description = "Rows per batch.", DefaultValueFactory = _ => 32 };
        var symmetric = new Option<bool>("--symmetric") { Description = "Also add the other rows' queries as negatives." };
        var seed = new Option<int?>("--seed") { Description = "Shuffle rows before batching with this seed (default: file order)." };
        var c = new Command("expand", "Make in-batch negatives explicit: each row gets the other rows' positives of its batch as negatives.");
        foreach (var o in new Option[] { input, output, batch, symmetric, seed }) c.Options.Add(o);
        c.SetAction(pr =>
        {
            var rows = TrainingDataReader.Read(InputFile.Require(pr.GetValue(input)!, "--input")).ToList();
            var expanded = InBatchExpansion.Expand(rows, pr.GetValue(batch), pr.GetValue(symmetric), pr.GetValue(seed));
            long n = TrainingDataWriter.WriteAll(pr.GetValue(output)!, expanded);
            Print(new { rows = n, negatives = expanded.Sum(r => (long)r.Neg.Count) });
            return 0;
        });
        return c;
    }
}
