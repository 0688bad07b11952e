using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Hub;

/// <summary>
/// The Hub's HTTP protocol as huggingface_hub speaks it (file_download.py, hf_api.py): revision → commit through
/// <c>/api/models/REPO/revision/REV</c>; each file's HEAD on <c>REPO/resolve/COMMIT/FILE</c> (relative redirects followed,
/// an absolute one is the download location) gives X-Linked-Etag / ETag, X-Repo-Commit and X-Linked-Size; the GET
/// follows every redirect, resumes with Range, and is checked against the sha256 that an LFS ETag is. The token goes
/// only to the Hub's own host, never to the storage a redirect points at.
/// </summary>
internal sealed class HubClient : IDisposable
{
    readonly HttpClient _http;
    readonly Uri _endpoint;
    readonly string? _token;
    readonly string _repoId;

    public HubClient(string repoId, ModelResolveOptions options)
    {
        _repoId = repoId;
        _endpoint = new Uri(options.HubEndpoint.TrimEnd('/') + "/");
        _token = options.HubToken;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = options.Timeout,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("mlnet-embeddings/1.0");
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The commit <paramref name="revision"/> points at and the repo's file names.</summary>
    public (string Commit, IReadOnlyList<string> Files) GetRevision(string revision, CancellationToken ct)
    {
        var uri = new Uri(_endpoint, $"api/models/{_repoId}/revision/{Uri.EscapeDataString(revision)}");
        using var response = Send(HttpMethod.Get, uri, followAbsolute: false, range: null, ct);
        Check(response, revision, null);
        using var json = JsonDocument.Parse(response.Content.ReadAsStream(ct));
        string? sha = json.RootElement.TryGetProperty("sha", out var s) ? s.GetString() : null;
        if (sha is null || !HubCache.CommitHash().IsMatch(sha))
            throw new ModelFormatException(_repoId, $"the Hub's answer for revision '{revision}' has no commit sha ({uri}).");
        var files = new List<string>();
        if (json.RootElement.TryGetProperty("siblings", out var siblings))
            foreach (var sibling in siblings.EnumerateArray())
                if (sibling.TryGetProperty("rfilename", out var f) && f.GetString() is { } name) files.Add(name);
        return (sha, files);
    }

    /// <summary>The HEAD of <c>resolve/COMMIT/FILE</c>: ETag, commit, size and where to download from.</summary>
    public HubFileInfo Head(string commit, string file, CancellationToken ct)
    {
        var uri = ResolveUri(commit, file);
        using var response = Send(HttpMethod.Head, uri, followAbsolute: false, range: null, ct);
        bool redirect = (int)response.StatusCode is >= 300 and < 400;
        if (!redirect) Check(response, commit, file);
        string? etag = Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag ?? Header(response, "ETag");
        if (etag is null)
            throw new ModelFormatException($"{_repoId}/{file}", "the Hub sent no ETag for this file; cannot place it in the cache (is HF_ENDPOINT a Hub?).");
        etag = NormalizeEtag(etag);
        long? size = long.TryParse(Header(response, "X-Linked-Size"), out var linked) ? linked : response.Content.Headers.ContentLength;
        var location = redirect && response.Headers.Location is { } l ? new Uri(response.RequestMessage!.RequestUri!, l) : response.RequestMessage!.RequestUri!;
        return new HubFileInfo(etag, Header(response, "X-Repo-Commit"), size, location);
    }

    /// <summary>
    /// Downloads <paramref name="info"/> into <paramref name="incomplete"/>, resuming from what is there (Range), and
    /// checks the size and, for LFS files, the sha256. The caller renames the file into the blobs folder.
    /// </summary>
    public void Download(string file, HubFileInfo info, string incomplete, Action<long, long?> progress, CancellationToken ct)
    {
        long have = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
        if (info.Size is long expected && have > expected) have = 0;
        if (!(info.Size is long full && have == full && have > 0))
        {
            using var response = Send(HttpMethod.Get, info.Location, followAbsolute: true, range: have > 0 ? have : null, ct);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && info.Size == have) { }
            else
            {
                Check(response, "", file);
                if (response.StatusCode != HttpStatusCode.PartialContent) have = 0; // the server sent the whole file
                else if (response.Content.Headers.ContentRange?.From is long from && from != have)
                    throw new ModelFormatException($"{_repoId}/{file}", $"asked to resume at byte {have}, the server answered from byte {from}.");
                using var body = response.Content.ReadAsStream(ct);
                using var output = new FileStream(incomplete, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1 << 16);
                output.SetLength(have);
                output.Seek(have, SeekOrigin.Begin);
                var buffer = new byte[1 << 16];
                progress(have, info.Size);
                for (int n; (n = body.Read(buffer)) > 0;)
                {
                    ct.ThrowIfCancellationRequested();
                    output.Write(buffer, 0, n);
                    have += n;
                    progress(have, info.Size);
                }
            }
        }
        if (info.Size is long size && new FileInfo(incomplete).Length != size)
            throw new ModelFormatException($"{_repoId}/{file}", $"the download stopped at {new FileInfo(incomplete).Length:N0} of {size:N0} bytes; run again to resume.");
        if (info.Etag.Length == 64 && info.Etag.All(char.IsAsciiHexDigitLower))
        {
            string actual;
            using (var f = File.OpenRead(incomplete)) actual = Convert.ToHexString(SHA256.HashData(f)).ToLowerInvariant();
            if (actual != info.Etag)
            {
                File.Delete(incomplete);
                throw new ModelFormatException($"{_repoId}/{file}", $"sha256 of the download is {actual}, the Hub says {info.Etag}; the file was removed, run again.");
            }
        }
    }

    public Uri ResolveUri(string revision, string file) =>
        new(_endpoint, $"{_repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    HttpResponseMessage Send(HttpMethod method, Uri uri, bool followAbsolute, long? range, CancellationToken ct)
    {
        for (int hops = 0; ; hops++)
        {
            var request = new HttpRequestMessage(method, uri);
            request.Headers.AcceptEncoding.ParseAdd("identity");
            if (_token is not null && SameOrigin(uri, _endpoint)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            if (range is long from) request.Headers.Range = new RangeHeaderValue(from, null);
            HttpResponseMessage response;
            try { response = _http.Send(request, HttpCompletionOption.ResponseHeadersRead, ct); }
            catch (HttpRequestException e)
            {
                throw new ModelFormatException(_repoId, $"could not reach {uri.GetLeftPart(UriPartial.Authority)} ({e.Message}). " +
                    "Without a network, use a model already in the cache (HF_HUB_OFFLINE=1) or copy a cache made with `mlnet-embed models download` on another machine.", e);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new ModelFormatException(_repoId, $"{uri} did not answer within the timeout.", e);
            }
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location && hops < 10)
            {
                var next = new Uri(uri, location);
                bool relative = !location.IsAbsoluteUri || SameOrigin(next, uri);
                if (relative || followAbsolute)
                {
                    response.Dispose();
                    uri = next;
                    continue;
                }
            }
            return response;
        }
    }

    void Check(HttpResponseMessage response, string revision, string? file)
    {
        if (response.IsSuccessStatusCode) return;
        string what = file is null ? $"{_repoId}@{revision}" : $"{_repoId}/{file}";
        string? code = Header(response, "X-Error-Code");
        string? serverMessage = Header(response, "X-Error-Message");
        string detail = serverMessage is null ? "" : $" (the Hub says: {serverMessage})";
        throw (int)response.StatusCode switch
        {
            401 or 403 => new ModelFormatException(what, (code == "GatedRepo" ? "the repository is gated: accept its conditions on the model page, then " : "the repository is private, gated or does not exist: ")
                + $"set HF_TOKEN to a token that may read it{detail}."),
            404 when code == "RevisionNotFound" => new ModelFormatException(what, $"no revision '{revision}' in this repository{detail}."),
            404 when code == "EntryNotFound" || file is not null => new ModelFormatException(what, $"no such file in this revision{detail}."),
            404 => new ModelFormatException(what, $"no such repository on {_endpoint} (or no such revision){detail}."),
            _ => new ModelFormatException(what, $"the Hub answered {(int)response.StatusCode} {response.ReasonPhrase}{detail}."),
        };
    }

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var v) || response.Content.Headers.TryGetValues(name, out v) ? v.FirstOrDefault() : null;

    static string NormalizeEtag(string etag)
    {
        if (etag.StartsWith("W/", StringComparison.Ordinal)) etag = etag[2..];
        return etag.Trim('"');
    }

    static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;
}
