// From documents only to a tuned embedding model: a chat model writes search queries for your passages, the filters
// drop the bad ones, BM25 mines a hard negative per query, the rows are split without leaks, the model is fine-tuned
// and measured on the held-out split before and after. See docs/llm-data.md.
//
//   dotnet run --project examples/DocumentsToModel -c Release -- --endpoint http://localhost:11434/v1 [--llm-model llama3.2]
//       [--api-key-env OPENAI_API_KEY] [--passages file.jsonl] [--limit 300] [--per-item 3] [--model glove.txt|FOLDER]
//       [--out folder] [--epochs 1] [--seed 42]
//
// Defaults: the first 300 financial-qa-10K contexts of ../shared/data and GloVe; outputs under the temp folder.
using System.Globalization;
using DocumentsToModelExample;

string? Arg(string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
int? Int(string name) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;

var o = new DocumentsToModelOptions { Endpoint = Arg("--endpoint") ?? "http://localhost:11434/v1" };
if (Arg("--llm-model") is { } m) o.LlmModel = m;
o.ApiKeyEnv = Arg("--api-key-env");
o.Passages = Arg("--passages");
if (Arg("--model") is { } model) o.Model = model;
if (Arg("--out") is { } outDir) o.OutDir = outDir;
o.Limit = Int("--limit") ?? o.Limit;
o.PerItem = Int("--per-item") ?? o.PerItem;
o.Epochs = Int("--epochs") ?? o.Epochs;
o.Seed = Int("--seed") ?? o.Seed;

var result = await DocumentsToModelJob.RunAsync(o, Console.Error);
Console.WriteLine($"| metric | before | after |\n| --- | ---: | ---: |");
foreach (var name in new[] { "ndcg@10", "mrr@10", "recall@1", "recall@10" })
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {result.Before[name]:F4} | {result.After[name]:F4} |"));
