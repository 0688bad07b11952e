namespace MLNet.Embeddings;

/// <summary>An option or setting has a value that cannot be used; names the setting.</summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigurationException(string setting, string message) : base($"{setting}: {message}") { Setting = setting; }
    /// <summary>The option or field at fault.</summary>
    public string Setting { get; }
}
