namespace MLNet.Embeddings.Models;

/// <summary>How <see cref="ModelResolver"/> finds and downloads a model. Every setting has a default that follows the
/// environment the way the Python tools do (<c>HF_HOME</c>, <c>HF_ENDPOINT</c>, <c>HF_TOKEN</c>, <c>HF_HUB_OFFLINE</c>).</summary>
public sealed class ModelResolveOptions
{
    /// <summary>The weights to fetch (default safetensors, for the managed backend).</summary>
    public ModelWeights Weights { get; set; } = ModelWeights.SafeTensors;
    /// <summary>The ONNX file for <see cref="ModelWeights.Onnx"/>, looked for under <c>onnx/</c> then at the top (default model.onnx).</summary>
    public string OnnxFile { get; set; } = "model.onnx";
    /// <summary>Never touch the network; resolve from the caches only. Default: the <c>HF_HUB_OFFLINE</c> variable (1/true/yes/on).</summary>
    public bool Offline { get; set; } = EnvironmentFlag("HF_HUB_OFFLINE");
    /// <summary>Ask the source for the newest revision of a branch or tag even when one is cached (default false: a cached name makes no request).</summary>
    public bool Refresh { get; set; }
    /// <summary>Download progress; null writes a line per file (and every few seconds) to stderr.</summary>
    public IProgress<ModelDownloadProgress>? Progress { get; set; }
    /// <summary>Where warnings go (e.g. the settings assumed for an unknown package); null writes them to stderr.</summary>
    public Action<string>? Warning { get; set; }
    /// <summary>The Hub's address. Default <c>HF_ENDPOINT</c>, else https://huggingface.co.</summary>
    public string HubEndpoint { get; set; } = Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } e ? e.TrimEnd('/') : "https://huggingface.co";
    /// <summary>The Hub token sent as a Bearer token. Default <c>HF_TOKEN</c>, else the file <c>HF_HOME/token</c> that <c>hf auth login</c> writes.</summary>
    public string? HubToken { get; set; } = Hub.HubCache.DefaultToken();
    /// <summary>The huggingface_hub cache folder. Default <c>HF_HUB_CACHE</c>, else <c>HF_HOME/hub</c> (HF_HOME defaults to <c>~/.cache/huggingface</c>).</summary>
    public string HubCache { get; set; } = Hub.HubCache.DefaultRoot();
    /// <summary>Per-request timeout (default 100 s; a download only times out when no bytes arrive for this long).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    internal void Warn(string message)
    {
        if (Warning is { } w) w(message); else Console.Error.WriteLine("warning: " + message);
    }

    internal static bool EnvironmentFlag(string name) =>
        Environment.GetEnvironmentVariable(name)?.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";
}
