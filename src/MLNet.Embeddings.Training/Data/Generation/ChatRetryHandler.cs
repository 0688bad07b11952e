using System.Net;
using System.Net.Sockets;

namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>
/// An HTTP handler for chat APIs that a paid endpoint needs: each try gets <see cref="ChatRetryOptions.Timeout"/>; 408,
/// 429 and 5xx replies and timeouts are retried with exponential backoff (base × 2^retry, ±20 % jitter, capped), and a
/// <c>Retry-After</c> (seconds or a date) or <c>retry-after-ms</c> header sets the wait instead. A refused connection
/// or an unknown host, 401/403 and a 404 (unknown model or no API at the URL) throw <see cref="ChatEndpointException"/>
/// at once. Put it under the <see cref="HttpClient"/> that the chat client (e.g. Microsoft.Extensions.AI.OpenAI) uses.
/// </summary>
public sealed class ChatRetryHandler : DelegatingHandler
{
    private readonly ChatRetryOptions _options;

    /// <summary>Creates the handler over <paramref name="inner"/> (null: a new <see cref="SocketsHttpHandler"/>).</summary>
    public ChatRetryHandler(ChatRetryOptions? options = null, HttpMessageHandler? inner = null) : base(inner ?? new SocketsHttpHandler())
        => _options = options ?? new ChatRetryOptions();

    /// <summary>Raised before each retry with the retry number (1, 2 …), the wait and the reason (e.g. "HTTP 429", "timeout").</summary>
    public event Action<int, TimeSpan, string>? Retrying;

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[]? body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var contentHeaders = request.Content?.Headers.ToList();
        for (int attempt = 0; ; attempt++)
        {
            if (attempt > 0 && body is not null)
            {
                request.Content = new ByteArrayContent(body);
                foreach (var (name, values) in contentHeaders!) request.Content.Headers.TryAddWithoutValidation(name, values);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            HttpResponseMessage response;
            string reason;
            try
            {
                response = await base.SendAsync(request, timeout.Token).ConfigureAwait(false);
                if (!IsRetryable(response.StatusCode))
                {
                    await ThrowIfFatal(request, response, cancellationToken).ConfigureAwait(false);
                    return response;
                }
                reason = $"HTTP {(int)response.StatusCode}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (attempt >= _options.MaxRetries)
                    throw new TimeoutException($"no reply from {request.RequestUri} within {_options.Timeout.TotalSeconds:0.#} s ({attempt + 1} tries).");
                Wait(attempt, null, "timeout", out var delayAfterTimeout);
                await Task.Delay(delayAfterTimeout, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
            {
                throw new ChatEndpointException(ChatEndpointProblem.Unreachable, $"cannot reach {request.RequestUri?.GetLeftPart(UriPartial.Authority)}: {ex.Message}", ex);
            }
            if (attempt >= _options.MaxRetries) return response;
            Wait(attempt, response, reason, out var delay);
            response.Dispose();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Wait(int attempt, HttpResponseMessage? response, string reason, out TimeSpan delay)
    {
        delay = RetryAfter(response) ?? TimeSpan.FromTicks((long)(_options.BaseDelay.Ticks * Math.Pow(2, attempt) * (0.8 + 0.4 * Random.Shared.NextDouble())));
        if (delay > _options.MaxDelay) delay = _options.MaxDelay;
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        Retrying?.Invoke(attempt + 1, delay, reason);
    }

    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response is null) return null;
        if (response.Headers.TryGetValues("retry-after-ms", out var ms) && double.TryParse(ms.FirstOrDefault(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double m))
            return TimeSpan.FromMilliseconds(m);
        var ra = response.Headers.RetryAfter;
        if (ra?.Delta is { } d) return d;
        if (ra?.Date is { } date) return date - DateTimeOffset.UtcNow;
        return null;
    }

    private static bool IsRetryable(HttpStatusCode code) =>
        code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || ((int)code >= 500 && (int)code <= 599 && code != HttpStatusCode.NotImplemented);

    private static async Task ThrowIfFatal(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        int code = (int)response.StatusCode;
        if (code is not (401 or 403 or 404 or 400)) return;
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string detail = ErrorMessage(body);
        // The body was read; put it back for the caller.
        var copy = new StringContent(body, System.Text.Encoding.UTF8);
        foreach (var h in response.Content.Headers) copy.Headers.TryAddWithoutValidation(h.Key, h.Value);
        response.Content = copy;
        bool aboutModel = detail.Contains("model", StringComparison.OrdinalIgnoreCase);
        if (code is 401 or 403)
            throw new ChatEndpointException(ChatEndpointProblem.Unauthorized, $"the server refused the key (HTTP {code}){(detail.Length > 0 ? ": " + detail : "")}.");
        if (code == 404 && aboutModel || code == 400 && aboutModel && detail.Contains("not found", StringComparison.OrdinalIgnoreCase))
            throw new ChatEndpointException(ChatEndpointProblem.UnknownModel, $"the server does not know the model (HTTP {code}){(detail.Length > 0 ? ": " + detail : "")}.");
        if (code == 404)
            throw new ChatEndpointException(ChatEndpointProblem.Unreachable, $"no chat-completions API at {request.RequestUri} (HTTP 404; an OpenAI-compatible URL usually ends in /v1).");
    }

    private static string ErrorMessage(string body)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == System.Text.Json.JsonValueKind.Object && root.TryGetProperty("error", out var e))
            {
                if (e.ValueKind == System.Text.Json.JsonValueKind.String) return e.GetString() ?? "";
                if (e.ValueKind == System.Text.Json.JsonValueKind.Object && e.TryGetProperty("message", out var m)) return m.GetString() ?? "";
            }
        }
        catch (System.Text.Json.JsonException) { }
        return body.Length > 200 ? body[..200] : body;
    }
}
