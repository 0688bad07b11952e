namespace MLNet.Embeddings.Chunking;

/// <summary>One window of a long text: its number within the text and its character span.</summary>
/// <param name="Number">0-based position of the chunk within its text.</param>
/// <param name="Start">First character of the chunk in the source text.</param>
/// <param name="End">One past the last character (the chunk is <c>source[Start..End]</c>).</param>
/// <param name="Text">The chunk's text, equal to <c>source[Start..End]</c>.</param>
/// <param name="Tokens">Tokens of the chunk (without special tokens).</param>
public sealed record TextChunk(int Number, int Start, int End, string Text, int Tokens);
