using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tokenization.WordPiece;

namespace MLNet.Embeddings.Tests.Hub;

/// <summary>
/// Models by Hub name against a loopback Hub (<see cref="FakeHub"/>) serving a tiny random BERT in the
/// sentence-transformers layout: the huggingface_hub cache layout, no request for a cached name, resume with Range,
/// a hand-made Python cache used offline, gated / missing repos, pickled-only repos and hostile file names.
/// </summary>
public sealed class HubModelSourceTests : IDisposable
{
    static readonly string[] Texts = { "the quick brown fox", "jumps over the lazy dog", "" };
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-hub-tests-" + Guid.NewGuid().ToString("N"));
    readonly FakeHub _hub = new();
    readonly string _model;

    public HubModelSourceTests()
    {
        _model = Path.Combine(_dir, "source-model");
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        vocab.AddRange("the quick brown fox jumps over lazy dog".Split(' '));
        var tokenizer = WordPieceTokenizer.FromVocabulary(vocab);
        var config = new BertConfig { VocabSize = vocab.Count, HiddenSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 128, MaxPositionEmbeddings = 64 };
        new SentenceEncoder(tokenizer, BertBackbone.Create(config, seed: 3), new SentenceEncoderConfig { Normalize = true, MaxSeqLength = 64 }).Save(_model);
        _hub.AddFolder("tiny-org/tiny-bert", _model);
    }

    public void Dispose()
    {
        _hub.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    string Cache => Path.Combine(_dir, "hf", "hub");

    ModelResolveOptions Options(bool offline = false, string? token = null) => new()
    {
        HubEndpoint = _hub.Endpoint, HubCache = Cache, HubToken = token, Offline = offline,
        Progress = new Progress<ModelDownloadProgress>(_ => { }), Warning = _ => { },
    };

    [Fact]
    public void A_hub_name_downloads_into_the_huggingface_hub_layout_and_gives_the_folder_s_vectors()
    {
        var resolved = ModelResolver.Resolve("tiny-org/tiny-bert", Options());
        string commit = _hub.AddFolder("tiny-org/tiny-bert", _model).Commit;
        string repo = Path.Combine(Cache, "models--tiny-org--tiny-bert");
        Assert.Equal(("hf", "tiny-org/tiny-bert", commit), (resolved.Source, resolved.Id, resolved.Revision));
        Assert.Equal(Path.Combine(repo, "snapshots", commit), resolved.Path);
        Assert.Equal(commit, File.ReadAllText(Path.Combine(repo, "refs", "main")));
        Assert.Equal("tiny-org/tiny-bert@" + commit, resolved.PinnedName);
        // snapshot files are relative links into blobs/, named by ETag (sha256 for LFS files), as huggingface_hub makes them
        var weights = new FileInfo(Path.Combine(resolved.Path, "model.safetensors"));
        string sha256 = FakeHub.Sha256Hex(File.ReadAllBytes(Path.Combine(_model, "model.safetensors")));
        Assert.Equal(Path.Combine("..", "..", "blobs", sha256), weights.LinkTarget);
        Assert.Equal(Path.Combine("..", "..", "..", "blobs"), Path.GetDirectoryName(new FileInfo(Path.Combine(resolved.Path, "1_Pooling", "config.json")).LinkTarget));
        Assert.Empty(Directory.GetFiles(Path.Combine(repo, "blobs"), "*.incomplete"));
        foreach (var f in Directory.EnumerateFiles(_model, "*", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Combine(resolved.Path, Path.GetRelativePath(_model, f))));

        var byName = resolved.Load();
        Assert.Equal(SentenceEncoder.Load(_model).Encode(Texts), byName.Encode(Texts));
        Assert.Equal("tiny-org/tiny-bert@" + commit, byName.SourceName);
        // LFS content came from the "CDN" host after a 302; the HEAD saw the X-Linked-Etag there
        Assert.Contains(_hub.Log, r => r.Host == "localhost" && r.Path.StartsWith("/cdn/") && r.Method == "GET");
    }

    [Fact]
    public void A_cached_name_resolves_again_without_any_request_and_a_pinned_commit_too()
    {
        var first = ModelResolver.Resolve("tiny-org/tiny-bert", Options());
        int requests = _hub.Log.Count;
        Assert.True(requests > 3);
        var second = ModelResolver.Resolve("tiny-org/tiny-bert", Options());
        var pinned = ModelResolver.Resolve("tiny-org/tiny-bert@" + first.Revision, Options());
        Assert.Equal(requests, _hub.Log.Count);
        Assert.Equal(first.Path, second.Path);
        Assert.Equal(first.Path, pinned.Path);
        // Refresh asks for the branch again (one API call) but downloads nothing
        ModelResolver.Resolve("tiny-org/tiny-bert", new ModelResolveOptions { HubEndpoint = _hub.Endpoint, HubCache = Cache, Refresh = true, Progress = new Progress<ModelDownloadProgress>(_ => { }) });
        Assert.Equal(requests + 1, _hub.Log.Count);
    }

    [Fact]
    public void A_download_stopped_midway_resumes_with_Range_to_identical_bytes()
    {
        _hub.ChunkBytes = 4096; _hub.ChunkDelayMs = 2;
        using var cts = new CancellationTokenSource();
        var options = Options();
        long stoppedAt = 0;
        options.Progress = new SyncProgress(p =>
        {
            if (p.File == "model.safetensors" && p.BytesDone >= 40_000 && !cts.IsCancellationRequested) { stoppedAt = p.BytesDone; cts.Cancel(); }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => ModelResolver.Resolve("tiny-org/tiny-bert", options, cts.Token));
        var original = File.ReadAllBytes(Path.Combine(_model, "model.safetensors"));
        string blobs = Path.Combine(Cache, "models--tiny-org--tiny-bert", "blobs");
        var partial = Assert.Single(Directory.GetFiles(blobs, "*.incomplete"));
        long kept = new FileInfo(partial).Length;
        Assert.InRange(kept, 40_000, original.Length - 1);
        Assert.False(File.Exists(Path.Combine(blobs, FakeHub.Sha256Hex(original))));

        _hub.ChunkDelayMs = 0;
        var resolved = ModelResolver.Resolve("tiny-org/tiny-bert", Options());
        Assert.Contains(_hub.Log, r => r.Path.StartsWith("/cdn/") && r.Range == $"bytes={kept}-");
        Assert.Equal(original, File.ReadAllBytes(Path.Combine(resolved.Path, "model.safetensors")));
        Assert.Empty(Directory.GetFiles(blobs, "*.incomplete"));
    }

    [Fact]
    public void A_corrupted_LFS_download_fails_its_sha256_check_and_leaves_no_blob()
    {
        _hub.AddFolder("tiny-org/tiny-bert", _model).Corrupt = "model.safetensors";
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("tiny-org/tiny-bert", Options()));
        Assert.Contains("sha256", e.Message);
        string blobs = Path.Combine(Cache, "models--tiny-org--tiny-bert", "blobs");
        Assert.DoesNotContain(Directory.GetFiles(blobs), f => Path.GetFileName(f).StartsWith(FakeHub.Sha256Hex(File.ReadAllBytes(Path.Combine(_model, "model.safetensors")))));
    }

    [Fact]
    public void A_python_layout_cache_made_by_hand_is_used_offline()
    {
        // huggingface_hub's layout: blobs named by etag, snapshots/COMMIT/* relative links to them, refs/main = COMMIT
        string commit = new string('a', 40);
        string repo = Path.Combine(Cache, "models--py-org--py-model");
        foreach (var f in Directory.EnumerateFiles(_model, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(f);
            string etag = FakeHub.Sha256Hex(bytes);
            Directory.CreateDirectory(Path.Combine(repo, "blobs"));
            File.WriteAllBytes(Path.Combine(repo, "blobs", etag), bytes);
            string link = Path.Combine(repo, "snapshots", commit, Path.GetRelativePath(_model, f));
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, Path.Combine(repo, "blobs", etag)));
        }
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), commit);

        var options = Options(offline: true);
        options.HubEndpoint = "http://127.0.0.1:9"; // nothing listens there; offline must not need it
        var resolved = ModelResolver.Resolve("py-org/py-model", options);
        Assert.Equal(Path.Combine(repo, "snapshots", commit), resolved.Path);
        Assert.Equal(SentenceEncoder.Load(_model).Encode(Texts), resolved.Load().Encode(Texts));
        Assert.Empty(_hub.Log);
        var listed = Assert.Single(new MLNet.Embeddings.Hub.HubModelSource().ListCached(options));
        Assert.Equal(("hf", "py-org/py-model", resolved.Path), (listed.Source, listed.Id, listed.Path));
        Assert.Contains("main", listed.Revision);
        Assert.Equal(Directory.EnumerateFiles(_model, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length), listed.SizeBytes);
    }

    [Fact]
    public void Offline_with_nothing_cached_names_the_repo_the_cache_folder_and_how_to_prefetch()
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("tiny-org/tiny-bert", Options(offline: true)));
        Assert.Contains("tiny-org/tiny-bert", e.Message);
        Assert.Contains(Path.Combine(Cache, "models--tiny-org--tiny-bert"), e.Message);
        Assert.Contains("mlnet-embed models download tiny-org/tiny-bert", e.Message);
        Assert.Empty(_hub.Log);
    }

    [Fact]
    public void A_gated_repo_needs_the_token_which_never_reaches_the_storage_host()
    {
        _hub.AddFolder("gated-org/gated", _model, gated: true);
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("gated-org/gated", Options()));
        Assert.Contains("gated", e.Message);
        Assert.Contains("HF_TOKEN", e.Message);

        var resolved = ModelResolver.Resolve("gated-org/gated", Options(token: _hub.Token));
        Assert.True(File.Exists(Path.Combine(resolved.Path, "model.safetensors")));
        Assert.Contains(_hub.Log, r => r.Path.Contains("/resolve/") && r.Authorization == "Bearer " + _hub.Token);
        Assert.All(_hub.Log.Where(r => r.Path.StartsWith("/cdn/")), r => Assert.Null(r.Authorization));
    }

    [Fact]
    public void Missing_repos_and_revisions_are_404s_named_in_the_error()
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("nobody/nothing", Options()));
        Assert.Contains("nobody/nothing", e.Message);
        Assert.Contains("no such repository", e.Message);
        var r = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("tiny-org/tiny-bert@v9", Options()));
        Assert.Contains("no revision 'v9'", r.Message);
    }

    [Fact]
    public void A_renamed_repo_is_followed_through_its_relative_redirect()
    {
        _hub.Rename("old-org/tiny-bert", "tiny-org/tiny-bert");
        var resolved = ModelResolver.Resolve("old-org/tiny-bert", Options());
        Assert.Contains(_hub.Log, r => r.Path.StartsWith("/api/models/old-org/tiny-bert/"));
        Assert.Contains(_hub.Log, r => r.Path.StartsWith("/old-org/tiny-bert/resolve/"));
        Assert.Contains(_hub.Log, r => r.Path.StartsWith("/tiny-org/tiny-bert/resolve/"));
        Assert.True(File.Exists(Path.Combine(resolved.Path, "model.safetensors")));
    }

    [Fact]
    public void A_repo_with_only_pickled_weights_is_refused_naming_safetensors_and_onnx()
    {
        string pickled = Path.Combine(_dir, "pickled");
        Directory.CreateDirectory(Path.Combine(pickled, "onnx"));
        foreach (var f in new[] { "config.json", "vocab.txt", "tokenizer_config.json" }.Where(f => File.Exists(Path.Combine(_model, f))))
            File.Copy(Path.Combine(_model, f), Path.Combine(pickled, f));
        File.WriteAllBytes(Path.Combine(pickled, "pytorch_model.bin"), new byte[] { 0x80, 0x02 });
        File.WriteAllBytes(Path.Combine(pickled, "onnx", "model.onnx"), new byte[] { 1 });
        _hub.AddFolder("pickle-org/pickled", pickled);
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("pickle-org/pickled", Options()));
        Assert.Contains("pytorch_model.bin", e.Message);
        Assert.Contains("safetensors", e.Message);
        Assert.Contains("onnx/model.onnx", e.Message);
        Assert.DoesNotContain(_hub.Log, r => r.Path.EndsWith("pytorch_model.bin"));
    }

    [Fact]
    public void File_names_from_the_server_that_leave_the_cache_folder_are_refused()
    {
        string hostile = Path.Combine(_dir, "hostile");
        Directory.CreateDirectory(hostile);
        File.WriteAllText(Path.Combine(hostile, "modules.json"), """[{"idx": 0, "name": "0", "path": "../../../../escape", "type": "sentence_transformers.models.Pooling"}]""");
        var repo = _hub.AddFolder("evil-org/evil", hostile);
        repo.Files["../../../../escape/config.json"] = "{}"u8.ToArray();
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("evil-org/evil", Options()));
        Assert.Contains("refused", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "escape")));
        Assert.False(Directory.Exists(Path.Combine(Cache, "escape")));
    }

    [Fact]
    public void SentenceEncoder_Load_takes_a_hub_name_with_HF_HOME_HF_ENDPOINT_and_HF_TOKEN_from_the_environment()
    {
        _hub.AddFolder("gated-org/env", _model, gated: true);
        string[] names = { "HF_HOME", "HF_ENDPOINT", "HF_TOKEN", "HF_HUB_CACHE", "HF_HUB_OFFLINE" };
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("HF_HOME", Path.Combine(_dir, "hf"));
            Environment.SetEnvironmentVariable("HF_ENDPOINT", _hub.Endpoint);
            Environment.SetEnvironmentVariable("HF_TOKEN", _hub.Token);
            Environment.SetEnvironmentVariable("HF_HUB_CACHE", null);
            Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", null);
            var model = SentenceEncoder.Load("gated-org/env");
            Assert.Equal(SentenceEncoder.Load(_model).Encode(Texts), model.Encode(Texts));
            Assert.StartsWith(Path.Combine(Cache, "models--gated-org--env", "snapshots"), model.SourcePath);
            Assert.Equal("gated-org/env", model.Config.ModelId);
            Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
            Environment.SetEnvironmentVariable("HF_ENDPOINT", "http://127.0.0.1:9");
            Assert.Equal(model.SourcePath, SentenceEncoder.Load("gated-org/env").SourcePath);
        }
        finally
        {
            foreach (var (n, v) in saved) Environment.SetEnvironmentVariable(n, v);
        }
    }

    [Fact]
    public void Names_resolve_in_order_local_path_then_prefix_then_hub()
    {
        string local = Path.Combine(_dir, "tiny-org", "tiny-bert");
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        CopyFolder(_model, local);
        string cwd = Directory.GetCurrentDirectory();
        try
        {
            Directory.SetCurrentDirectory(_dir);
            var resolved = ModelResolver.Resolve("tiny-org/tiny-bert", Options());
            Assert.True(resolved.IsLocal);
            Assert.Empty(_hub.Log);
        }
        finally { Directory.SetCurrentDirectory(cwd); }
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("nosuchsource:thing", Options()));
        Assert.Contains("no model source is registered for 'nosuchsource:'", e.Message);
        var hf = ModelResolver.Resolve("hf:tiny-org/tiny-bert", Options());
        Assert.Equal("hf", hf.Source);
        Assert.Throws<ModelFormatException>(() => ModelResolver.Resolve("/no/such/folder", Options()));
    }

    static void CopyFolder(string from, string to)
    {
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }

    sealed class SyncProgress(Action<ModelDownloadProgress> report) : IProgress<ModelDownloadProgress>
    {
        public void Report(ModelDownloadProgress value) => report(value);
    }
}
