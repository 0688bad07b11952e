using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MLNet.Embeddings.Tests.Hub;

/// <summary>
/// A loopback server that speaks the part of the Hugging Face Hub protocol huggingface_hub uses:
/// <c>/api/models/REPO/revision/REV</c> (sha + siblings), <c>REPO/resolve/REV/FILE</c> (HEAD and GET; regular files
/// answered with ETag = git blob id; LFS files with X-Linked-Etag = sha256, X-Linked-Size and a 302 to a "CDN" on
/// another host name), X-Repo-Commit, X-Error-Code, Range/206, 401 for a gated repo without the token, 404s, and a
/// renamed repo answered with a relative 307. Every request is logged.
/// </summary>
internal sealed class FakeHub : IDisposable
{
    readonly HttpListener _listener = new();
    readonly ConcurrentDictionary<string, Repo> _repos = new();
    readonly ConcurrentDictionary<string, byte[]> _cdn = new();
    readonly Task _loop;

    public sealed class Repo
    {
        public required string Commit { get; init; }
        public Dictionary<string, byte[]> Files { get; } = new();
        public HashSet<string> Lfs { get; } = new();
        public bool Gated { get; init; }
        /// <summary>Extra names listed in siblings (e.g. hostile ones) that resolve to these bytes.</summary>
        public Dictionary<string, string> Branches { get; } = new() { ["main"] = "" };
        /// <summary>A file whose CDN bytes differ from what its X-Linked-Etag promises.</summary>
        public string? Corrupt { get; set; }
    }

    public sealed record Request(string Method, string Host, string Path, string? Range, string? Authorization);

    public FakeHub()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Prefixes.Add($"http://localhost:{Port}/");
        _listener.Start();
        _loop = Task.Run(Loop);
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";
    public string Token { get; set; } = "hf_good_token";
    public ConcurrentQueue<Request> Log { get; } = new();
    /// <summary>CDN bytes are written in pieces of this size, with a pause, so a test can stop a download midway.</summary>
    public int ChunkBytes { get; set; } = 4096;
    public int ChunkDelayMs { get; set; }

    public static string Sha1Hex(string s) => Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(s))).ToLowerInvariant();
    public static string Sha256Hex(byte[] b) => Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();
    static string GitBlobId(byte[] b) => Convert.ToHexString(SHA1.HashData(Encoding.ASCII.GetBytes($"blob {b.Length}\0").Concat(b).ToArray())).ToLowerInvariant();

    /// <summary>Adds a repo from a folder: *.safetensors and *.onnx are LFS files, the rest regular.</summary>
    public Repo AddFolder(string repoId, string folder, bool gated = false)
    {
        var repo = new Repo { Commit = Sha1Hex(repoId + folder), Gated = gated };
        foreach (var f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(folder, f).Replace('\\', '/');
            repo.Files[rel] = File.ReadAllBytes(f);
            if (rel.EndsWith(".safetensors") || rel.EndsWith(".onnx") || rel.EndsWith(".bin")) repo.Lfs.Add(rel);
        }
        _repos[repoId] = repo;
        return repo;
    }

    public void Rename(string oldId, string newId) => _renamed[oldId] = newId;
    readonly ConcurrentDictionary<string, string> _renamed = new();

    async Task Loop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() =>
            {
                try { Handle(ctx); }
                catch (Exception) { try { ctx.Response.Abort(); } catch (Exception) { } }
            });
        }
    }

    void Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request; var res = ctx.Response;
        string path = req.Url!.AbsolutePath;
        Log.Enqueue(new Request(req.HttpMethod, req.Url.Host, Uri.UnescapeDataString(path), req.Headers["Range"], req.Headers["Authorization"]));
        var parts = path.TrimStart('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (parts is ["cdn", var key] && _cdn.TryGetValue(key, out var blob)) { Serve(ctx, blob, head: req.HttpMethod == "HEAD"); return; }
        if (parts.Length >= 5 && parts[0] == "api" && parts[1] == "models" && parts[4] == "revision")
        {
            string repoId = parts[2] + "/" + parts[3];
            if (_renamed.TryGetValue(repoId, out var renamed))
            {
                res.StatusCode = 307;
                res.Headers["Location"] = $"/api/models/{renamed}" + path[$"/api/models/{repoId}".Length..];
                res.Close();
                return;
            }
            if (!Find(ctx, repoId, out var repo)) return;
            string rev = string.Join("/", parts.Skip(5));
            string? sha = CommitOf(repo, rev);
            if (sha is null) { Error(res, 404, "RevisionNotFound", $"Invalid rev id: {rev}"); return; }
            var body = JsonSerializer.SerializeToUtf8Bytes(new { id = repoId, sha, siblings = repo.Files.Keys.Select(k => new { rfilename = k }) });
            res.ContentType = "application/json";
            res.ContentLength64 = body.Length;
            res.OutputStream.Write(body);
            res.Close();
            return;
        }
        if (parts.Length >= 5 && parts[2] == "resolve")
        {
            string repoId = parts[0] + "/" + parts[1];
            if (_renamed.TryGetValue(repoId, out var moved))
            {
                res.StatusCode = 307;
                res.Headers["Location"] = "/" + moved + path[(repoId.Length + 1)..];
                res.Close();
                return;
            }
            if (!Find(ctx, repoId, out var repo)) return;
            string? sha = CommitOf(repo, parts[3]);
            string file = string.Join("/", parts.Skip(4));
            if (sha is null) { Error(res, 404, "RevisionNotFound", "no such revision"); return; }
            if (!repo.Files.TryGetValue(file, out var bytes)) { Error(res, 404, "EntryNotFound", $"{file} does not exist"); return; }
            res.Headers["X-Repo-Commit"] = sha;
            if (repo.Lfs.Contains(file))
            {
                string sha256 = Sha256Hex(bytes);
                var served = file == repo.Corrupt ? bytes.Select(b => (byte)(b ^ 1)).ToArray() : bytes;
                _cdn[sha256 + file.Replace('/', '_')] = served;
                res.Headers["X-Linked-Etag"] = $"\"{sha256}\"";
                res.Headers["X-Linked-Size"] = bytes.Length.ToString();
                res.Headers["ETag"] = $"\"{GitBlobId(Encoding.ASCII.GetBytes("version https://git-lfs.github.com/spec/v1"))}\"";
                res.StatusCode = 302;
                res.Headers["Location"] = $"http://localhost:{Port}/cdn/{sha256 + file.Replace('/', '_')}";
                res.Close();
                return;
            }
            res.Headers["ETag"] = $"\"{GitBlobId(bytes)}\"";
            Serve(ctx, bytes, head: req.HttpMethod == "HEAD");
            return;
        }
        Error(res, 404, "RepoNotFound", "not found");
    }

    bool Find(HttpListenerContext ctx, string repoId, out Repo repo)
    {
        if (!_repos.TryGetValue(repoId, out repo!)) { Error(ctx.Response, 404, "RepoNotFound", "Repository Not Found"); return false; }
        if (repo.Gated && ctx.Request.Headers["Authorization"] != "Bearer " + Token)
        {
            Error(ctx.Response, 401, "GatedRepo", "Access to this model is restricted.");
            return false;
        }
        return true;
    }

    static string? CommitOf(Repo repo, string rev) => rev == repo.Commit || repo.Branches.ContainsKey(rev) ? repo.Commit : null;

    void Serve(HttpListenerContext ctx, byte[] bytes, bool head)
    {
        var res = ctx.Response;
        long from = 0;
        if (ctx.Request.Headers["Range"] is { } range && range.StartsWith("bytes=") && range.EndsWith("-")
            && long.TryParse(range[6..^1], out from))
        {
            if (from >= bytes.Length) { res.StatusCode = 416; res.Close(); return; }
            res.StatusCode = 206;
            res.Headers["Content-Range"] = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
        }
        res.ContentLength64 = bytes.Length - from;
        if (head) { res.Close(); return; }
        for (long at = from; at < bytes.Length; at += ChunkBytes)
        {
            int n = (int)Math.Min(ChunkBytes, bytes.Length - at);
            res.OutputStream.Write(bytes, (int)at, n);
            res.OutputStream.Flush();
            if (ChunkDelayMs > 0) Thread.Sleep(ChunkDelayMs);
        }
        res.Close();
    }

    static void Error(HttpListenerResponse res, int status, string code, string message)
    {
        res.StatusCode = status;
        res.Headers["X-Error-Code"] = code;
        res.Headers["X-Error-Message"] = message;
        res.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}
