namespace MLNet.Embeddings.Training.Classification;

/// <summary>
/// One row of a sequence-classification set: a text (JSONL <c>text</c>) or a pair (<c>sentence1</c>, <c>sentence2</c>),
/// and its label (a string or an integer in the file, kept as text).
/// </summary>
/// <param name="Text">The text, or the pair's first text.</param>
/// <param name="Second">The pair's second text; null for a single text.</param>
/// <param name="Label">The label; null when the row has none (allowed only for prediction).</param>
/// <param name="Line">1-based line in the source file (0 when not from a file).</param>
public sealed record LabelledText(string Text, string? Second, string? Label, int Line = 0);
