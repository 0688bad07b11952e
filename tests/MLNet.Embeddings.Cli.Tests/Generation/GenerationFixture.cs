using System.Text.Json;
using MLNet.Embeddings.Cli.Commands;
using MLNet.Embeddings.Training.Data.Generation;
using Microsoft.Extensions.AI;

namespace MLNet.Embeddings.Cli.Tests.Generation;

/// <summary>Passages for the generation tests and helpers to reach <see cref="FakeChatServer"/> through the official client.</summary>
internal static class GenerationFixture
{
    static readonly string[] Companies = ["Acme", "Borealis", "Cobalt", "Dynamo", "Everest", "Fjord", "Granite", "Helix", "Ionic", "Juniper", "Krypton", "Lumen", "Meridian", "Nimbus", "Orchid", "Pinnacle", "Quasar", "Redwood", "Sierra", "Tundra"];
    static readonly string[] Products = ["turbines", "semiconductors", "insurance", "pharmaceuticals", "satellites", "fertilizer", "furniture", "batteries", "textiles", "software", "shipping", "cement", "vaccines", "elevators", "lighting", "robotics", "bicycles", "chocolate", "lumber", "glassware"];
    static readonly string[] Regions = ["Norway", "Brazil", "Kenya", "Vietnam", "Canada", "Poland", "Chile", "Egypt", "Japan", "Mexico", "Spain", "India", "Peru", "Ghana", "Italy", "Turkey", "Sweden", "Ireland", "Austria", "Morocco"];

    public static string TempDir() => Directory.CreateTempSubdirectory("cli-generate-").FullName;

    public static List<string> Passages(int count) => Enumerable.Range(0, count).Select(i =>
        $"{Companies[i % 20]}{(i >= 20 ? (i / 20).ToString() : "")} sells {Products[(i * 7) % 20]} across {Regions[(i * 3) % 20]} and reported revenue of {100 + i * 13} million dollars in fiscal {2001 + i % 20}, mostly from {Products[(i * 11 + 5) % 20]} contracts.").ToList();

    public static string WritePassages(string dir, IEnumerable<string> passages, string name = "passages.jsonl")
    {
        string path = Path.Combine(dir, name);
        File.WriteAllLines(path, passages.Select(p => JsonSerializer.Serialize(new { text = p }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));
        return path;
    }

    /// <summary>The official OpenAI client (Microsoft.Extensions.AI.OpenAI) as the CLI builds it, with fast retries.</summary>
    public static IChatClient Client(FakeChatServer server, string key = "none", string model = "fake-llm", ChatRetryOptions? retry = null) =>
        GenerateCommand.CreateClient(server.Url, model, key, retry ?? new ChatRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(10) }, out _);
}
