using System.CommandLine;
using System.Globalization;
using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed similarity</c>: encodes a query and a corpus file and prints the top matches, one per line:
/// <c>rank&lt;TAB&gt;score&lt;TAB&gt;index&lt;TAB&gt;text</c> (rank from 1, score under the model's similarity function).
/// </summary>
internal static class SimilarityCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder, word-vector file, or openai:MODEL (a remote API, see --endpoint).", Required = true };
        var query = new Option<string>("--query") { Description = "The query text.", Required = true };
        var corpus = new Option<string>("--corpus") { Description = "Corpus texts: .txt, .jsonl or .csv/.tsv.", Required = true };
        var top = new Option<int>("--top") { Description = "How many matches to print.", DefaultValueFactory = _ => 10 };
        var textColumn = new Option<string?>("--text-column") { Description = "Field (.jsonl) or column (.csv) holding the text; default 'text'." };
        var queryPromptName = new Option<string?>("--query-prompt-name") { Description = "Prompt name for the query only (e.g. query); --prompt-name/--prompt apply to both." };
        var shared = EncodeArguments.Create();
        var command = new Command("similarity", "Rank the texts of a corpus file by similarity to a query.");
        foreach (var o in new Option[] { model, query, corpus, top, textColumn, queryPromptName }) command.Options.Add(o);
        shared.AddTo(command);
        var remote = RemoteArguments.Create();
        remote.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            int k = parseResult.GetValue(top);
            if (k <= 0) throw new ConfigurationException("--top", $"must be at least 1, found {k}.");
            var texts = TextInput.Read(parseResult.GetValue(corpus)!, parseResult.GetValue(textColumn), "--corpus");
            var options = shared.Read(parseResult);
            using var generator = remote.Open(parseResult, parseResult.GetValue(model), "--model");
            if (generator is not null)
            {
                if (parseResult.GetValue(queryPromptName) is not null)
                    throw new ConfigurationException("--query-prompt-name", "names a prompt of a local model; a remote model takes a literal --prompt.");
                var embed = EmbeddingFunctions.FromGenerator(generator, options, cancellationToken);
                var vectors = embed(texts.Append(parseResult.GetValue(query)!).ToList());
                if (texts.Count > 0)
                    Print(SemanticSearch.TopK(vectors[^1], Matrix.FromRows(vectors[..^1]), k, SimilarityFunction.Cosine, cancellationToken), texts);
                RemoteArguments.Report("similarity", generator);
                return Task.FromResult(0);
            }
            var encoder = SentenceEncoder.Load(ModelArgument.Resolve(parseResult.GetValue(model)!, "--model"));
            var truncation = TruncationReport.Start(encoder);
            using (var progress = ProgressLine.For(texts.Count, "encoding corpus"))
            {
                options.Progress = progress is null ? null : new InlineProgress(progress.Report);
                var corpusVectors = encoder.Encode(texts, options, cancellationToken);
                options.Progress = null;
                if (parseResult.GetValue(queryPromptName) is { } qp) { options.PromptName = qp; options.Prompt = null; }
                var queryVector = encoder.Encode(new[] { parseResult.GetValue(query)! }, options, cancellationToken)[0];
                if (texts.Count == 0) return Task.FromResult(0);
                var matrix = Matrix.FromRows(corpusVectors);
                Print(SemanticSearch.TopK(queryVector, matrix, k, encoder.Config.Similarity, cancellationToken), texts);
            }
            truncation.Print("similarity", options.MaxLength);
            return Task.FromResult(0);
        });
        return command;
    }

    static void Print(ScoredIndex[] hits, IReadOnlyList<string> texts)
    {
        var outWriter = Console.Out;
        for (int r = 0; r < hits.Length; r++)
            outWriter.WriteLine(string.Join('\t', (r + 1).ToString(CultureInfo.InvariantCulture),
                hits[r].Score.ToString("F6", CultureInfo.InvariantCulture), hits[r].Index.ToString(CultureInfo.InvariantCulture),
                OneLine(texts[hits[r].Index])));
        outWriter.Flush();
    }

    static string OneLine(string s) => s.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
