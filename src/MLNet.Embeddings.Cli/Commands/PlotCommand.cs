using System.CommandLine;
using System.Text.Json;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed plot --model DIR --input FILE [--label-column C] [--text-column C] [--method tsne|umap] --output FILE.svg</c>:
/// embeds the texts of a JSONL (field <c>text</c>, else <c>query</c>, <c>sentence1</c> or <c>anchor</c>) or CSV/TSV file,
/// projects them to 2-D and writes an SVG scatter coloured by the label column (any field the rows have).
/// </summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (or word-vector file).", Required = true };
        var input = new Option<string>("--input") { Description = "JSONL with a text field and the label column, or CSV/TSV with a header.", Required = true };
        var labelColumn = new Option<string?>("--label-column") { Description = "Field or column that colours the points: any field of the rows, e.g. type or a column kept by data import --keep-columns (default: one colour)." };
        var textColumn = new Option<string?>("--text-column") { Description = "Field or column holding the text; an array field (pos) gives its first text. Default: text, else query, sentence1 or anchor, whichever the file has." };
        var method = new Option<string>("--method") { Description = "Projection: tsne or umap.", DefaultValueFactory = _ => "tsne" };
        method.AcceptOnlyFromAmong("tsne", "umap");
        var output = new Option<string>("--output") { Description = "SVG file to write (atomically).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the projection.", DefaultValueFactory = _ => 42 };
        var limit = new Option<int>("--limit") { Description = "Use at most this many rows (the first ones); t-SNE is O(n²).", DefaultValueFactory = _ => 2000 };
        var perplexity = new Option<double>("--perplexity") { Description = "t-SNE perplexity.", DefaultValueFactory = _ => 30 };
        var neighbors = new Option<int>("--neighbors") { Description = "UMAP neighbourhood size.", DefaultValueFactory = _ => 15 };
        var title = new Option<string?>("--title") { Description = "Title on the plot (default: method and file name)." };
        var command = new Command("plot", "Project embeddings to 2-D (t-SNE or UMAP) and draw an SVG scatter coloured by a label.");
        foreach (var o in new Option[] { model, input, labelColumn, textColumn, method, output, seed, limit, perplexity, neighbors, title }) command.Options.Add(o);
        command.SetAction((parseResult, cancellationToken) =>
        {
            string inputPath = parseResult.GetValue(input)!, modelPath = parseResult.GetValue(model)!, outputPath = parseResult.GetValue(output)!;
            string how = parseResult.GetValue(method)!;
            InputFile.Require(inputPath, "--input");
            modelPath = ModelArgument.Resolve(modelPath, "--model");
            int max = parseResult.GetValue(limit);
            if (max < 2) throw new ConfigurationException("--limit", $"expected at least 2, found {max}.");
            string? textField = parseResult.GetValue(textColumn), labelField = parseResult.GetValue(labelColumn);
            bool delimited = Path.GetExtension(inputPath).ToLowerInvariant() is ".csv" or ".tsv";
            if (textField is null && !delimited && LabeledTextReader.DetectTextField(inputPath) is { } detected && detected != "text")
                Console.Error.WriteLine($"plot: texts from field '{detected}' (--text-column to choose another)");
            var (texts, labels) = LabeledTextReader.Read(inputPath, labelField, textField);
            if (texts.Count > max)
            {
                Console.Error.WriteLine($"plot: using the first {max} of {texts.Count} rows (--limit)");
                texts = texts.Take(max).ToList(); labels = labels.Take(max).ToList();
            }
            if (texts.Count < 2) throw new ConfigurationException("--input", $"expected at least 2 rows with text, found {texts.Count}.");

            Console.Error.WriteLine($"plot: encoding {texts.Count} texts with {modelPath}");
            var vectors = SentenceEncoder.Load(modelPath).Encode(texts, cancellationToken: cancellationToken);
            Console.Error.WriteLine($"plot: {how} projection");
            var points = how == "umap"
                ? Umap.Fit(vectors, new UmapOptions { Seed = parseResult.GetValue(seed), Neighbors = parseResult.GetValue(neighbors), Metric = ProjectionMetric.Cosine }, cancellationToken: cancellationToken)
                : Tsne.Fit(vectors, new TsneOptions { Seed = parseResult.GetValue(seed), Perplexity = parseResult.GetValue(perplexity), Metric = ProjectionMetric.Cosine }, cancellationToken: cancellationToken);
            var svg = ScatterPlot.ToSvg(points, labels,
                new ScatterPlotOptions { Title = parseResult.GetValue(title) ?? $"{how}: {Path.GetFileName(inputPath)}" }, tooltips: texts);
            EvaluationOutput.WriteAtomic(outputPath, svg);
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["output"] = outputPath, ["points"] = points.Length, ["labels"] = labels.Distinct().Count(), ["method"] = how,
            }));
            return Task.FromResult(0);
        });
        return command;
    }
}
