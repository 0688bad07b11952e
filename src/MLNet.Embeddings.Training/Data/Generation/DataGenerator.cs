using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Data;
using MLNet.Embeddings.Training.Data.Mining;
using Microsoft.Extensions.AI;

namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>
/// Writes training data with a language model behind any <see cref="IChatClient"/> (OpenAI, Azure OpenAI, Ollama, vLLM,
/// llama.cpp's server …): search queries for passages, paraphrases of queries, or hard negatives for rows. One request
/// per input row, at most <see cref="GenerationOptions.MaxConcurrency"/> in flight; replies are parsed, filtered and written
/// in input order, so the output does not depend on timing. Filters, each counted in <see cref="GenerationSummary.Dropped"/>:
/// unparseable replies and refusals; texts outside the length bounds; texts in another script than their source
/// (<c>TextScript</c>: Latin, Han, Cyrillic …); exact and near duplicates (<see cref="NearDuplicateIndex"/>); queries
/// whose own passage does not come back within the top k (BM25 or an embedding model: round-trip consistency); negatives
/// the <see cref="IRelevanceJudge"/> scores above the positive. Every generated row carries
/// <c>"source": {"generator": "llm", "model", "task", "template", "item"}</c> (negatives: <c>"neg_source"</c> with the count added).
/// The output is built in <c>OUTPUT.partial</c> with a <see cref="CommitMarker"/> after every row, so a killed run resumes
/// (<see cref="GenerationOptions.Resume"/>) with no row lost or repeated.
/// </summary>
public static class DataGenerator
{
    /// <summary>Runs the job; see the type's remarks.</summary>
    public static async Task<GenerationSummary> RunAsync(IChatClient client, GenerationOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var template = options.EffectiveTemplate;
        string model = options.Model ?? client.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown";
        string output = Path.GetFullPath(options.Output);
        string partial = output + CommitMarker.PartialSuffix, marker = partial + CommitMarker.ProgressSuffix;
        var summary = new GenerationSummary { Output = output, Task = TaskName(options.Task), Model = model, Template = template.Id };
        if (options.Resume && File.Exists(output) && !File.Exists(partial)) { summary.AlreadyComplete = true; return summary; }

        try { return await RunCoreAsync(client, options, progress, template, model, output, partial, marker, summary, cancellationToken).ConfigureAwait(false); }
        catch (ChatEndpointException) when (!options.Resume && File.Exists(partial) && new FileInfo(partial).Length == 0)
        {
            // wrong URL, key or model before any row was written: leave nothing behind
            File.Delete(partial);
            File.Delete(marker);
            throw;
        }
    }

    private static async Task<GenerationSummary> RunCoreAsync(IChatClient client, GenerationOptions options, IProgress<long>? progress, PromptTemplate template,
        string model, string output, string partial, string marker, GenerationSummary summary, CancellationToken cancellationToken)
    {
        var items = ReadItems(options);
        var state = new FilterState(options, items);
        var settings = new Dictionary<string, string>
        {
            ["input"] = Path.GetFileName(options.Input), ["task"] = summary.Task, ["template"] = template.Id, ["model"] = model,
            ["per_item"] = options.PerItem.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        long skip = 0, keepBytes = 0, done = 0;
        bool budget = false;
        var counts = new Counts();
        if (options.Resume && File.Exists(partial) && File.Exists(marker))
        {
            var m = CommitMarker.Read(marker, settings);
            (skip, keepBytes) = (m.Rows, m.Bytes);
            counts.Load(m.Counts);
            if (new FileInfo(partial).Length < keepBytes)
                throw new DatasetFormatException(partial, 0, null, $"is shorter than the {keepBytes} bytes its commit marker records; delete it and start over.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await using (var stream = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16))
        {
            stream.SetLength(keepBytes);
            if (keepBytes > 0) Replay(stream, keepBytes, state, partial);
            stream.Position = keepBytes;
            if (keepBytes == 0) CommitMarker.Write(marker, settings, 0, 0, counts.ToDictionary());
            summary.ResumedItems = skip;

            var inFlight = new Queue<(Item Item, Task<Reply> Reply)>();
            long requests = 0;
            done = skip;
            async Task CommitHead()
            {
                var (item, pending) = inFlight.Dequeue();
                var reply = await pending.ConfigureAwait(false);
                var rows = state.Process(item, reply, counts, model, template.Id);
                var bytes = new MemoryStream();
                foreach (var row in rows)
                {
                    bytes.Write(Encoding.UTF8.GetBytes(TrainingDataWriter.ToJson(row)));
                    bytes.WriteByte((byte)'\n');
                    counts.Rows++;
                }
                stream.Write(bytes.GetBuffer(), 0, (int)bytes.Length);
                stream.Flush(flushToDisk: true);
                done = item.Index + 1;
                CommitMarker.Write(marker, settings, done, stream.Position, counts.ToDictionary());
                progress?.Report(done);
            }
            foreach (var item in items.Skip((int)skip))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (options.MaxRequests is { } max && requests >= max) { budget = true; break; }
                while (inFlight.Count >= options.MaxConcurrency) await CommitHead().ConfigureAwait(false);
                if (string.IsNullOrWhiteSpace(item.Source)) { inFlight.Enqueue((item, Task.FromResult(new Reply("", false, false, null)))); continue; }
                requests++;
                counts.Requests++;
                inFlight.Enqueue((item, AskAsync(client, options, template, item, counts, cancellationToken)));
            }
            while (inFlight.Count > 0) await CommitHead().ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        counts.Fill(summary, options);
        summary.Items = done;
        if (budget)
        {
            summary.BudgetReached = true;
            summary.Output = partial;
            return summary;
        }
        File.Move(partial, output, overwrite: true);
        File.Delete(marker);
        return summary;
    }

    /// <summary>The first <paramref name="count"/> prompts a run would send (system and user message), without sending any: <c>--dry-run</c>.</summary>
    public static IReadOnlyList<string> Prompts(GenerationOptions options, int count = 3)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var template = options.EffectiveTemplate;
        return ReadItems(options).Take(count).Select(i => $"[system]\n{template.System}\n[user]\n{Render(template, options, i)}").ToList();
    }

    internal sealed record Item(long Index, string Source, TrainingExample? Row);

    internal sealed record Reply(string? Text, bool Refused, bool Failed, string? Error);

    private static List<Item> ReadItems(GenerationOptions o)
    {
        if (o.Task == GenerationTask.Queries)
            return ReadPassages(o.Input, o.TextColumn ?? "text").Select((text, i) => new Item(i, text, null)).ToList();
        if (!File.Exists(o.Input)) throw new FileNotFoundException($"--input: file not found: {o.Input}", o.Input);
        return TrainingDataReader.Read(o.Input).Select((r, i) => new Item(i, r.Query, r)).ToList();
    }

    /// <summary>Passages: <c>.txt</c> one per line, or <c>.jsonl</c> with the text in <paramref name="column"/>; errors name file, line and field.</summary>
    private static IEnumerable<string> ReadPassages(string path, string column)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--input: file not found: {path}", path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".txt" or ".text") return File.ReadLines(path);
        if (ext is ".jsonl" or ".ndjson")
            return JsonLinesReader.Read(path).Select(row => row.String(column, "field is missing (use --text-column to pick another field)."));
        throw new ConfigurationException("--input", $"unknown extension '{ext}' of {path}; passages are read from .txt (one per line) or .jsonl.");
    }

    internal static string TaskName(GenerationTask task) => task.ToString().ToLowerInvariant();

    private static string Render(PromptTemplate template, GenerationOptions o, Item item)
    {
        string language = TextScript.LanguageHint(TextScript.Of(item.Source));
        return template.Render(new Dictionary<string, string>
        {
            ["n"] = o.PerItem.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["language"] = language,
            ["examples"] = Examples(o, item.Index),
            ["passage"] = item.Source,
            ["query"] = item.Row?.Query ?? "",
            ["positive"] = item.Row?.Pos.FirstOrDefault() ?? "",
        });
    }

    private static string Examples(GenerationOptions o, long index)
    {
        if (o.Examples.Count == 0) return "";
        var sb = new StringBuilder("Examples from the user's data:\n");
        int take = Math.Min(3, o.Examples.Count);
        for (int k = 0; k < take; k++)
        {
            var e = o.Examples[(int)((index * take + k) % o.Examples.Count)];
            string pos = e.Pos.FirstOrDefault() ?? "";
            if (pos.Length > 300) pos = pos[..300] + " …";
            sb.Append(o.Task == GenerationTask.Queries ? $"Passage: {pos}\nQuery: {e.Query}\n" : $"Query: {e.Query}\n");
        }
        return sb.ToString();
    }

    private static async Task<Reply> AskAsync(IChatClient client, GenerationOptions o, PromptTemplate template, Item item, Counts counts, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage>();
        if (template.System.Length > 0) messages.Add(new ChatMessage(ChatRole.System, template.System));
        messages.Add(new ChatMessage(ChatRole.User, Render(template, o, item)));
        var chatOptions = new ChatOptions { Temperature = o.Temperature, Seed = o.Seed };
        if (o.Model is not null) chatOptions.ModelId = o.Model;
        try
        {
            var response = await client.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
            if (response.Usage is { } usage) counts.AddUsage(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0);
            bool refused = response.FinishReason == ChatFinishReason.ContentFilter
                || response.Messages.SelectMany(m => m.Contents).OfType<ErrorContent>().Any();
            return new Reply(response.Text, refused, false, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
        catch (Exception ex) when (Find<ChatEndpointException>(ex) is { } fatal) { throw fatal; }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new Reply(null, false, true, ex.Message);
        }
    }

    private static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException) if (ex is T t) return t;
        return null;
    }

    /// <summary>Reads back the rows an interrupted run committed, so the duplicate filters know them.</summary>
    private static void Replay(FileStream stream, long bytes, FilterState state, string path)
    {
        stream.Position = 0;
        var buffer = new byte[bytes];
        stream.ReadExactly(buffer);
        using var reader = new StringReader(Encoding.UTF8.GetString(buffer));
        foreach (var row in TrainingDataReader.Read(reader, path)) state.Remember(row);
    }

    /// <summary>Running totals, kept in the commit marker so a resumed run reports the whole job.</summary>
    internal sealed class Counts
    {
        long _in, _out;
        public long Requests, Failed, Generated, Kept, Rows;
        public readonly SortedDictionary<string, long> Dropped = new(StringComparer.Ordinal);

        public void AddUsage(long input, long output) { Interlocked.Add(ref _in, input); Interlocked.Add(ref _out, output); }

        public void Drop(string reason) => Dropped[reason] = Dropped.GetValueOrDefault(reason) + 1;

        public Dictionary<string, long> ToDictionary()
        {
            var d = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["requests"] = Requests, ["failed_requests"] = Failed, ["generated"] = Generated, ["kept"] = Kept, ["rows"] = Rows,
                ["input_tokens"] = Interlocked.Read(ref _in), ["output_tokens"] = Interlocked.Read(ref _out),
            };
            foreach (var (k, v) in Dropped) d["dropped_" + k] = v;
            return d;
        }

        public void Load(IReadOnlyDictionary<string, long> d)
        {
            Requests = d.GetValueOrDefault("requests"); Failed = d.GetValueOrDefault("failed_requests"); Generated = d.GetValueOrDefault("generated");
            Kept = d.GetValueOrDefault("kept"); Rows = d.GetValueOrDefault("rows");
            _in = d.GetValueOrDefault("input_tokens"); _out = d.GetValueOrDefault("output_tokens");
            foreach (var (k, v) in d) if (k.StartsWith("dropped_", StringComparison.Ordinal)) Dropped[k["dropped_".Length..]] = v;
        }

        public void Fill(GenerationSummary s, GenerationOptions o)
        {
            s.Requests = Requests; s.FailedRequests = Failed; s.Generated = Generated; s.Kept = Kept; s.Rows = Rows;
            s.InputTokens = Interlocked.Read(ref _in); s.OutputTokens = Interlocked.Read(ref _out);
            s.Dropped = new SortedDictionary<string, long>(Dropped, StringComparer.Ordinal);
            if (o.PricePer1KTokens is { } price) s.Cost = (s.InputTokens + s.OutputTokens) / 1000.0 * price;
        }
    }
}
