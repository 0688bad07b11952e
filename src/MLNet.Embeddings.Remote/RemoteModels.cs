namespace MLNet.Embeddings.Remote;

/// <summary>Model names that mean a remote API: <c>openai:MODEL</c>.</summary>
public static class RemoteModels
{
    /// <summary>The prefix of an OpenAI-compatible model name.</summary>
    public const string OpenAIPrefix = "openai:";

    /// <summary>Whether <paramref name="name"/> names a remote model.</summary>
    public static bool IsRemote(string? name) => name is not null && name.StartsWith(OpenAIPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's model name in <c>openai:MODEL</c>.</summary>
    /// <exception cref="ConfigurationException">Not an <c>openai:</c> name, or the model part is empty.</exception>
    public static string ModelOf(string name)
    {
        if (!IsRemote(name)) throw new ConfigurationException("Model", $"expected openai:MODEL, found '{name}'.");
        string model = name[OpenAIPrefix.Length..].Trim();
        return model.Length > 0 ? model : throw new ConfigurationException("Model", $"'{name}' names no model; expected openai:MODEL such as openai:text-embedding-3-small.");
    }
}
