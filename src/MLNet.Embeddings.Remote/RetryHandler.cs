using System.Globalization;
using System.Net;

namespace MLNet.Embeddings.Remote;

/// <summary>
/// Sends each request with a per-attempt timeout (reply body included) and repeats it after 408, 429, 5xx, a timeout
/// or a broken connection: Retry-After (seconds or a date) or retry-after-ms when the server sends one, else a doubling
/// wait with jitter. When the retries are spent it throws one <see cref="RemoteEmbeddingException"/> that says why.
/// </summary>
internal sealed class RetryHandler(RemoteEmbeddingOptions options, RemoteUsage usage, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[]? body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        for (int attempt = 0; ; attempt++)
        {
            using var message = Copy(request, body);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            HttpResponseMessage? response = null;
            string failure;
            int? status = null;
            usage.AddRequest();
            try
            {
                response = await base.SendAsync(message, timeout.Token).ConfigureAwait(false);
                await response.Content.LoadIntoBufferAsync(timeout.Token).ConfigureAwait(false);
                if (!Transient(response.StatusCode)) return response;
                status = (int)response.StatusCode;
                failure = $"{status} {response.ReasonPhrase}: {OneLine(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                response?.Dispose();
                response = null;
                failure = $"no complete reply within the timeout of {options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
            if (attempt >= options.MaxRetries)
            {
                response?.Dispose();
                throw new RemoteEmbeddingException(
                    $"{options.Endpoint} (model {options.Model}) failed after {attempt + 1} attempt{(attempt == 0 ? "" : "s")}: {failure}", status);
            }
            var delay = RetryAfter(response) ?? Backoff(attempt);
            response?.Dispose();
            usage.AddRetry(delay);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    static bool Transient(HttpStatusCode code) => code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)code >= 500;

    /// <summary>The wait the server asked for: retry-after-ms (OpenAI, Azure), else Retry-After as seconds or a date.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response is null) return null;
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out double m) && m >= 0)
            return TimeSpan.FromMilliseconds(m);
        if (response.Headers.RetryAfter is { } after)
        {
            if (after.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            if (after.Date is { } date) { var wait = date - DateTimeOffset.UtcNow; return wait < TimeSpan.Zero ? TimeSpan.Zero : wait; }
        }
        return null;
    }

    TimeSpan Backoff(int attempt)
    {
        double seconds = Math.Min(options.MaxRetryDelay.TotalSeconds, options.InitialRetryDelay.TotalSeconds * Math.Pow(2, attempt));
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var header in request.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers) copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
    }

    internal static string OneLine(string text)
    {
        string line = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
