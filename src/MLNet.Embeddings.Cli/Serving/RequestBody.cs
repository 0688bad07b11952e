using Microsoft.AspNetCore.Http;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// Reads a request body for a JSON endpoint: a Content-Type other than JSON gets 415, a body over the size limit
/// 413 (checked on Content-Length first, then while reading, so an oversized body is never buffered whole), and
/// the rest goes to <see cref="JsonRequest.Parse"/>.
/// </summary>
internal static class RequestBody
{
    /// <summary>Reads and parses the body of <paramref name="context"/>'s request.</summary>
    public static async Task<JsonRequest> ReadJsonAsync(HttpContext context, long maxBytes, string required)
    {
        var request = context.Request;
        if (request.ContentType is { Length: > 0 } type && !IsJson(type))
            throw new RequestException(415, $"Content-Type must be application/json, found '{type}'");
        if (request.ContentLength > maxBytes)
            throw new RequestException(413, $"request body too large: the limit is {maxBytes} bytes, Content-Length is {request.ContentLength}");
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new RequestException(413, $"request body too large: the limit is {maxBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return JsonRequest.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), required);
    }

    static bool IsJson(string contentType)
    {
        string media = contentType.Split(';', 2)[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }
}
