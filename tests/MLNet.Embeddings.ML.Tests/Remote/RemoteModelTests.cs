using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.Cli.Tests.Remote;
using MLNet.Embeddings.Remote;

namespace MLNet.Embeddings.ML.Tests.Remote;

/// <summary>
/// <c>ApplyEmbedding</c> over a remote model: <c>openai:MODEL</c> against a loopback OpenAI-compatible stub that checks
/// the key and records what it answered, and over an <c>IEmbeddingGenerator</c> instance.
/// </summary>
public sealed class RemoteModelTests
{
    sealed class Row { public string Text { get; set; } = ""; }

    static readonly string[] Texts =
    {
        "the quick brown fox", "hello world", "the city was new", "she said that it was the first time", "people know the university",
        "school", "two years later", "the state of the world", "a quiet morning", "revenue grew by ten percent",
    };

    /// <summary>What the stub answered (text → vector) and the number of texts in each request.</summary>
    sealed class Served
    {
        public readonly ConcurrentDictionary<string, float[]> Vectors = new();
        public readonly ConcurrentQueue<int> Sizes = new();
        public string? LastAuthorization;
    }

    /// <summary>A deterministic vector of <paramref name="dims"/> floats per text (not a function the client could guess).</summary>
    static float[] VectorOf(string text, int dims)
    {
        var rng = new Random(text.Aggregate(17, (h, c) => unchecked(h * 31 + c)));
        return Enumerable.Range(0, dims).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>An /v1/embeddings answer: 401 without <c>Bearer KEY</c>, else a vector of <paramref name="dims"/>(request number) floats per input.</summary>
    static Func<int, HttpContext, Task> Answer(Served served, string key, Func<int, int> dims) => async (n, context) =>
    {
        served.LastAuthorization = context.Request.Headers.Authorization.ToString();
        if (served.LastAuthorization != "Bearer " + key)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("""{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}""");
            return;
        }
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var inputs = body.RootElement.GetProperty("input").EnumerateArray().Select(e => e.GetString()!).ToArray();
        served.Sizes.Enqueue(inputs.Length);
        var data = inputs.Select((t, i) =>
        {
            var v = VectorOf(t, dims(n));
            served.Vectors[t] = v;
            return new { @object = "embedding", index = i, embedding = v };
        });
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { @object = "list", data, model = "stub", usage = new { prompt_tokens = 3 * inputs.Length, total_tokens = 3 * inputs.Length } }));
    };

    /// <summary>A fresh environment variable holding a fresh key (tests run in parallel; each has its own).</summary>
    static (string Variable, string Key) NewKey()
    {
        string variable = "MLNET_ML_REMOTE_KEY_" + Guid.NewGuid().ToString("N"), key = "sk-test-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key);
        return (variable, key);
    }

    static IDataView Data(MLContext ml, IEnumerable<string> texts) => ml.Data.LoadFromEnumerable(texts.Select(t => new Row { Text = t }).ToArray());

    [Fact]
    public async Task AnOpenAIModelEmbedsAWindowPerCallWithTheServersVectorsInRowOrder()
    {
        var served = new Served();
        var (variable, key) = NewKey();
        await using var stub = await StubServer.StartAsync(Answer(served, key, _ => 8));
        var ml = new MLContext();
        var data = Data(ml, Texts);
        var model = ml.Transforms.ApplyEmbedding("E", "Text", "openai:stub-embed", new ApplyEmbeddingOptions
        {
            WindowSize = 4,
            Remote = new RemoteEmbeddingOptions { Endpoint = stub.Endpoint, ApiKeyVariable = variable, MaxBatchSize = 3, MaxConcurrency = 1 },
        }).Fit(data);
        Assert.Equal(8, model.Dimensions);
        var got = model.Transform(data).GetColumn<float[]>("E").ToArray();

        Assert.Equal(Texts.Length, got.Length);
        for (int i = 0; i < Texts.Length; i++) Assert.Equal(served.Vectors[Texts[i]], got[i]);
        Assert.Equal("Bearer " + key, served.LastAuthorization);
        // one probe at Fit, then windows of 4, 4 and 2 rows, each split into requests of at most 3 texts
        Assert.Equal(6, stub.Requests);
        Assert.Equal(new[] { 1, 1, 1, 2, 3, 3 }, served.Sizes.Order().ToArray());
        var remote = Assert.IsType<RemoteEmbeddingGenerator>(model.Generator);
        Assert.Equal(Texts.Length + 1, remote.Usage.Texts);
        Assert.Equal(3 * (Texts.Length + 1), remote.Usage.InputTokens);
        Assert.Throws<InvalidOperationException>(() => model.Encoder);
    }

    [Fact]
    public async Task ASavedPipelineKeepsTheNameEndpointAndVariableNotTheKeyAndReloadsByCallingTheEndpoint()
    {
        var served = new Served();
        var (variable, key) = NewKey();
        await using var stub = await StubServer.StartAsync(Answer(served, key, _ => 8));
        var ml = new MLContext();
        var data = Data(ml, Texts);
        var model = ml.Transforms.ApplyEmbedding("E", "Text", "openai:stub-embed", new ApplyEmbeddingOptions
        {
            // a key given in C# is used but never saved; a reload reads the variable
            Remote = new RemoteEmbeddingOptions { Endpoint = stub.Endpoint, ApiKeyVariable = variable, ApiKey = key },
        }).Fit(data);
        var expected = model.Transform(data).GetColumn<float[]>("E").ToArray();
        Assert.Equal(2, stub.Requests); // the probe and one window

        string dir = Directory.CreateTempSubdirectory("ml-remote-").FullName;
        try
        {
            string zip = Path.Combine(dir, "model.zip");
            ml.Model.Save(model, data.Schema, zip);

            // the key is nowhere in the zip, raw or in any entry; the variable's name, the endpoint and the model name are
            var raw = File.ReadAllBytes(zip);
            var entries = new List<byte[]>();
            using (var archive = ZipFile.OpenRead(zip))
                foreach (var entry in archive.Entries)
                {
                    using var s = entry.Open();
                    using var m = new MemoryStream();
                    s.CopyTo(m);
                    entries.Add(m.ToArray());
                }
            foreach (var bytes in entries.Prepend(raw))
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(key)), "the API key is in the zip");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(key)), "the API key is in the zip (UTF-16)");
            }
            // the entries hold the state text compressed: read it back as ML.NET stored it
            string state = StoredState(zip, data);
            Assert.DoesNotContain(key, state);
            foreach (string kept in new[] { "\"ApiKeyVariable\":\"" + variable + "\"", stub.Endpoint.ToString(), "remote:openai:stub-embed" })
                Assert.Contains(kept, state);

            // the key is read from the variable again at load: a wrong one is refused, naming the variable
            Environment.SetEnvironmentVariable(variable, "sk-wrong");
            var refused = Assert.Throws<RemoteEmbeddingException>(() => EmbeddingModel.Load(new MLContext(), zip, out _));
            Assert.Equal(401, refused.Status);
            Assert.Contains("$" + variable, refused.Message);
            Environment.SetEnvironmentVariable(variable, key);

            int before = stub.Requests;
            var loaded = EmbeddingModel.Load(new MLContext(), zip, out _);
            var again = loaded.Transform(data).GetColumn<float[]>("E").ToArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], again[i]);
            Assert.Equal(before + 2, stub.Requests); // the probe at load and one window: the endpoint is called again, batched

            // ML.NET's own loader gives the same vectors (its stock mapping calls the model once per row)
            var stock = new MLContext().Model.Load(zip, out _).Transform(data).GetColumn<float[]>("E").ToArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], stock[i]);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>The model state text of the saved chain: its stages run up to the lookup that adds the state column.</summary>
    static string StoredState(string zip, IDataView data)
    {
        var ml = new MLContext();
        IDataView view = data;
        foreach (var stage in Flatten(ml.Model.Load(zip, out _)))
        {
            view = stage.Transform(view);
            if (view.Schema.GetColumnOrNull(MLNet.Embeddings.ML.Mapping.MappingColumns.State) is not null)
                return view.GetColumn<ReadOnlyMemory<char>>(MLNet.Embeddings.ML.Mapping.MappingColumns.State).First().ToString();
        }
        throw new InvalidOperationException("no state column in the saved chain");
    }

    static IEnumerable<ITransformer> Flatten(ITransformer t)
    {
        if (t is IEnumerable<ITransformer> chain) { foreach (var c in chain) foreach (var x in Flatten(c)) yield return x; }
        else yield return t;
    }

    static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    [Fact]
    public async Task AGeneratorInstanceEmbedsButSavingItSaysToUseTheName()
    {
        var served = new Served();
        var (_, key) = NewKey();
        await using var stub = await StubServer.StartAsync(Answer(served, key, _ => 8));
        using var generator = RemoteEmbeddingGenerator.Create(new RemoteEmbeddingOptions { Model = "stub-embed", Endpoint = stub.Endpoint, ApiKey = key });
        var ml = new MLContext();
        var data = Data(ml, Texts);
        var model = ml.Transforms.ApplyEmbedding("E", "Text", generator, new ApplyEmbeddingOptions { WindowSize = 5 }).Fit(data);
        var got = model.Transform(data).GetColumn<float[]>("E").ToArray();
        for (int i = 0; i < Texts.Length; i++) Assert.Equal(served.Vectors[Texts[i]], got[i]);
        Assert.Equal(3, stub.Requests); // the probe and two windows of 5
        Assert.Same(generator, model.Generator);

        string zip = Path.Combine(Path.GetTempPath(), "ml-remote-" + Guid.NewGuid().ToString("N") + ".zip");
        var ex = Assert.Throws<ConfigurationException>(() => ml.Model.Save(model, data.Schema, zip));
        Assert.Equal("generator", ex.Setting);
        Assert.Contains("cannot be saved", ex.Message);
        Assert.Contains("openai:MODEL", ex.Message);
        Assert.Contains("ApplyEmbeddingOptions.Remote", ex.Message);
        try { File.Delete(zip); } catch (IOException) { }
    }

    [Fact]
    public async Task AReplyOfAnotherWidthThanTheFirstIsAClearError()
    {
        var served = new Served();
        var (variable, key) = NewKey();
        await using var stub = await StubServer.StartAsync(Answer(served, key, n => n < 2 ? 8 : 16));
        var ml = new MLContext();
        var data = Data(ml, Texts);
        var model = ml.Transforms.ApplyEmbedding("E", "Text", "openai:stub-embed", new ApplyEmbeddingOptions
        {
            WindowSize = 5,
            Remote = new RemoteEmbeddingOptions { Endpoint = stub.Endpoint, ApiKeyVariable = variable },
        }).Fit(data);
        var ex = Assert.ThrowsAny<Exception>(() => model.Transform(data).GetColumn<float[]>("E").ToArray());
        string message = string.Join(" | ", Chain(ex).Select(e => e.Message));
        Assert.Contains("16-dimensional", message);
        Assert.Contains("first reply had 8 dimensions", message);
        Assert.Contains("openai:stub-embed", message);
    }

    static IEnumerable<Exception> Chain(Exception? e) { for (; e is not null; e = e.InnerException) yield return e; }

    [Fact]
    public void ABadEndpointOrMissingKeyIsAClearErrorAtFit()
    {
        var ml = new MLContext();
        var data = Data(ml, Texts);
        // nothing listens on port 1
        var down = Assert.Throws<RemoteEmbeddingException>(() => ml.Transforms.ApplyEmbedding("E", "Text", "openai:m", new ApplyEmbeddingOptions
        {
            Remote = new RemoteEmbeddingOptions { Endpoint = new Uri("http://127.0.0.1:1/v1"), MaxRetries = 0 },
        }).Fit(data));
        Assert.Contains("http://127.0.0.1:1/v1", down.Message);
        Assert.Contains("model m", down.Message);

        var scheme = Assert.Throws<ConfigurationException>(() => ml.Transforms.ApplyEmbedding("E", "Text", "openai:m", new ApplyEmbeddingOptions
        {
            Remote = new RemoteEmbeddingOptions { Endpoint = new Uri("ftp://127.0.0.1/v1") },
        }).Fit(data));
        Assert.Equal("Remote.Endpoint", scheme.Setting);

        string unset = "MLNET_ML_REMOTE_UNSET_" + Guid.NewGuid().ToString("N");
        var noKey = Assert.Throws<ConfigurationException>(() => ml.Transforms.ApplyEmbedding("E", "Text", "openai:text-embedding-3-small", new ApplyEmbeddingOptions
        {
            Remote = new RemoteEmbeddingOptions { ApiKeyVariable = unset },
        }).Fit(data));
        Assert.Equal("Remote.ApiKeyVariable", noKey.Setting);
        Assert.Contains(unset, noKey.Message);
    }

    [Fact]
    public void OptionsOnlyALocalModelAppliesAreRefused()
    {
        var ml = new MLContext();
        var data = Data(ml, Texts);
        var pooling = Assert.Throws<ConfigurationException>(() => ml.Transforms.ApplyEmbedding("E", "Text", new NoCallGenerator(),
            new ApplyEmbeddingOptions { Pooling = MLNet.Embeddings.Pooling.PoolingMode.Cls }).Fit(data));
        Assert.Equal("Pooling", pooling.Setting);
        var backend = Assert.Throws<ConfigurationException>(() => ml.Transforms.ApplyEmbedding("E", "Text", new NoCallGenerator(),
            new ApplyEmbeddingOptions { Backend = EmbeddingBackend.Onnx }).Fit(data));
        Assert.Equal("Backend", backend.Setting);
        var remoteOnLocal = Assert.Throws<ConfigurationException>(() => ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert,
            new ApplyEmbeddingOptions { Remote = new RemoteEmbeddingOptions() }).Fit(data));
        Assert.Equal("Remote", remoteOnLocal.Setting);
    }

    [Fact]
    public void FineTuningARemoteModelIsRefusedNamingTheOption()
    {
        var ex = Assert.Throws<ConfigurationException>(() => new MLContext().Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = "openai:text-embedding-3-small", AnchorColumnName = "Text", PositiveColumnName = "Positive",
        }));
        Assert.Equal("BaseModelPath", ex.Setting);
        Assert.Contains("not be fine-tuned", ex.Message);
    }

    /// <summary>A generator that must not be called (the options are refused first).</summary>
    sealed class NoCallGenerator : Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>
    {
        public Task<Microsoft.Extensions.AI.GeneratedEmbeddings<Microsoft.Extensions.AI.Embedding<float>>> GenerateAsync(IEnumerable<string> values,
            Microsoft.Extensions.AI.EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("called");
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }
}
