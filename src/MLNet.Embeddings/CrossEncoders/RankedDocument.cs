namespace MLNet.Embeddings.CrossEncoders;

/// <summary>One result of <see cref="CrossEncoder.Rank"/>.</summary>
/// <param name="Index">Position of the document in the list given to Rank.</param>
/// <param name="Score">The cross-encoder's score for (query, document), after the activation.</param>
/// <param name="Document">The document text.</param>
public sealed record RankedDocument(int Index, float Score, string Document);
