using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Cli.Tests.Generation;

/// <summary>
/// An OpenAI-compatible chat-completions server on loopback (HttpListener, the real request and response JSON) that
/// answers deterministically from the prompt: queries are built from the passage's own words (Chinese passages get
/// Chinese queries), paraphrases reorder the query, negatives change the positive's numbers. Faults queued in
/// <see cref="Faults"/> are served one per request: "429" (Retry-After: 1), "500", "slow" (past the client's timeout),
/// "malformed" (not JSON), "empty" (no choices), "refusal" (the API's refusal field), "refusal-text".
/// </summary>
public sealed partial class FakeChatServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly CancellationTokenSource _stop = new();

    public FakeChatServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/v1";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(Loop);
    }

    /// <summary>Base URL to give the client (ends in /v1).</summary>
    public string Url { get; }
    /// <summary>The bearer key required, or null for none.</summary>
    public string? Key { get; set; }
    /// <summary>Models the server knows.</summary>
    public HashSet<string> Models { get; } = ["fake-llm"];
    /// <summary>Faults served one per request, in order.</summary>
    public ConcurrentQueue<string> Faults { get; } = new();
    /// <summary>Delay of every normal reply.</summary>
    public TimeSpan Delay { get; set; }
    /// <summary>Delay of a "slow" fault.</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Answers to use instead of the built-in ones (null from it: built-in).</summary>
    public Func<string, List<string>?>? Custom { get; set; }
    /// <summary>Bodies of the chat requests received, with the time they arrived.</summary>
    public ConcurrentQueue<(DateTime At, JsonNode Body)> Requests { get; } = new();

    async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(context));
        }
    }

    async Task Handle(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            if (context.Request.Url!.AbsolutePath != "/v1/chat/completions") { await Send(response, 404, "{\"error\":\"not found\"}"); return; }
            if (Key is not null && context.Request.Headers["Authorization"] != $"Bearer {Key}")
            {
                await Send(response, 401, "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
                return;
            }
            string text;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) text = await reader.ReadToEndAsync();
            var body = JsonNode.Parse(text)!;
            Requests.Enqueue((DateTime.UtcNow, body));
            string model = body["model"]!.GetValue<string>();
            if (!Models.Contains(model))
            {
                await Send(response, 404, $"{{\"error\":{{\"message\":\"The model `{model}` does not exist or you do not have access to it.\",\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}}}");
                return;
            }
            string prompt = string.Join("\n", body["messages"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()));
            Faults.TryDequeue(out var fault);
            switch (fault)
            {
                case "429":
                    response.Headers["Retry-After"] = "1";
                    await Send(response, 429, "{\"error\":{\"message\":\"Rate limit reached.\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}");
                    return;
                case "500": await Send(response, 500, "{\"error\":{\"message\":\"The server had an error.\",\"type\":\"server_error\"}}"); return;
                case "slow": await Task.Delay(SlowDelay); break;
                case "malformed": await Send(response, 200, "{\"id\":\"chatcmpl-x\",\"choices\":[{\"message\":"); return;
                case "empty": await Send(response, 200, Completion(model, null, null, prompt, empty: true)); return;
                case "refusal": await Send(response, 200, Completion(model, null, "I'm sorry, I can't help with that request.", prompt)); return;
                case "refusal-text": await Send(response, 200, Completion(model, "I'm sorry, but I cannot help with that.", null, prompt)); return;
            }
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay);
            await Send(response, 200, Completion(model, JsonSerializer.Serialize(Custom?.Invoke(prompt) ?? Answer(prompt), new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), null, prompt));
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException) { }
    }

    static async Task Send(HttpListenerResponse response, int status, string json)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(json);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    static string Completion(string model, string? content, string? refusal, string prompt, bool empty = false)
    {
        int promptTokens = Words(prompt).Count, completionTokens = content is null ? 0 : Words(content).Count;
        var message = new JsonObject { ["role"] = "assistant", ["content"] = content, ["refusal"] = refusal };
        var choices = empty ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = "stop" });
        return new JsonObject
        {
            ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["created"] = 1700000000, ["model"] = model, ["choices"] = choices,
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = completionTokens, ["total_tokens"] = promptTokens + completionTokens },
        }.ToJsonString();
    }

    /// <summary>The deterministic reply to a prompt of one of the built-in templates.</summary>
    public static List<string> Answer(string prompt)
    {
        var blocks = Blocks().Matches(prompt).Select(m => m.Groups[1].Value).ToList();
        int n = int.Parse(Count().Match(prompt).Groups[1].Value);
        var result = new List<string>();
        if (prompt.Contains("Relevant passage:"))
        {
            string positive = blocks[1];
            for (int i = 0; i < n; i++)
                result.Add($"In an earlier period, {Digits().Replace(positive, m => ((m.Value[0] - '0' + i + 1) % 10).ToString())}");
            return result;
        }
        if (prompt.Contains("Rewrite the search query"))
        {
            var words = blocks[0].TrimEnd('?', '.').Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] frames = ["{0}?", "tell me about {0}", "looking for {0}", "{0} explained", "details on {0}"];
            for (int i = 0; i < n; i++) result.Add(string.Format(frames[i % frames.Length], string.Join(' ', words.Reverse().Skip(i % 2))));
            return result;
        }
        string passage = blocks[^1];
        if (passage.Any(c => c >= 0x4E00 && c <= 0x9FFF))
        {
            var han = new string(passage.Where(c => c >= 0x4E00 && c <= 0x9FFF).ToArray());
            for (int i = 0; i < n; i++) result.Add(han.Substring(i * 2 % Math.Max(1, han.Length - 6), Math.Min(6, han.Length)) + "是什么");
            return result;
        }
        var content = Words(passage).Where(w => w.Length > 3).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        string[] styles = ["What is {0}?", "{0}", "I need the {0} figures"];
        for (int i = 0; i < n; i++)
        {
            // the passage's first word (its subject) and two more, a different pair for each query
            var pick = content.Take(1).Concat(content.Skip(1 + i * 2 % Math.Max(1, content.Count - 3)).Take(2));
            result.Add(string.Format(styles[i % styles.Length], string.Join(' ', pick)));
        }
        return result;
    }

    static List<string> Words(string text) => Word().Matches(text).Select(m => m.Value).ToList();

    [GeneratedRegex(@"<<<\n(.*?)\n>>>", RegexOptions.Singleline)] private static partial Regex Blocks();
    [GeneratedRegex(@"(?:Write|below) (\d+)")] private static partial Regex Count();
    [GeneratedRegex(@"\d")] private static partial Regex Digits();
    [GeneratedRegex(@"[\p{L}\p{N}]+")] private static partial Regex Word();

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
    }
}
