namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// A token matched in the raw text before the model sees it (Hugging Face's <c>AddedToken</c>), such as
/// <c>[CLS]</c> or <c>[MASK]</c>: wherever <see cref="Content"/> occurs it becomes <see cref="Id"/>.
/// </summary>
/// <param name="Content">The literal text of the token.</param>
/// <param name="Id">Its id.</param>
/// <param name="Special">Special tokens (<c>[CLS]</c>, <c>[PAD]</c> …) as opposed to added vocabulary.</param>
/// <param name="SingleWord">Match only when not inside a word.</param>
/// <param name="LStrip">Swallow whitespace on the left.</param>
/// <param name="RStrip">Swallow whitespace on the right.</param>
/// <param name="Normalized">Match in the normalised text (e.g. lowercased) instead of the raw text.</param>
public sealed record AddedToken(string Content, int Id, bool Special = true, bool SingleWord = false,
    bool LStrip = false, bool RStrip = false, bool Normalized = false);
