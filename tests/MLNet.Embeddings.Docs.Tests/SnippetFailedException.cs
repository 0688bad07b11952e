namespace MLNet.Embeddings.Docs.Tests;

/// <summary>A snippet threw or returned a non-zero exit code; carries its captured output.</summary>
public sealed class SnippetFailedException(string message, Exception? inner) : Exception(message, inner);
