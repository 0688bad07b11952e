namespace MLNet.Embeddings.Training.Reranking;

/// <summary>
/// One training unit of a cross-encoder: a query and the documents scored against it. For the listwise and MarginMSE
/// losses the positive is <c>Documents[0]</c>; <see cref="Targets"/> holds labels (BCE) or teacher scores (MarginMSE).
/// </summary>
/// <param name="Query">The query.</param>
/// <param name="Documents">The documents, positive first.</param>
/// <param name="Targets">Per document: the label (BCE), the teacher's score (MarginMSE) or 0 (listwise).</param>
/// <param name="Line">1-based line of the source row (0 when not from a file).</param>
public sealed record RerankerGroup(string Query, string[] Documents, float[] Targets, int Line);
