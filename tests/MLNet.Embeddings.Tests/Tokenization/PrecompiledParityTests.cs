using MLNet.Embeddings.Tokenization.Unigram;

namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>
/// Unigram with a real SentencePiece <c>Precompiled</c> normalizer (nmt_nfkc charsmap, then Replace " {2,}" → " ")
/// in the XLM-R layout, against Hugging Face tokenizers 0.22.2 on 590 texts: English, accented and decomposed Latin,
/// full-width and half-width forms, CJK, Arabic, emoji with ZWJ sequences, control characters, whitespace runs, a
/// long text and the empty string. Model trained by sentencepiece; fixture and tokenizer from
/// tools/fixtures/make_precompiled_fixture.py. The tests are in <see cref="HfParityTests{TTokenizer}"/>.
/// </summary>
public class PrecompiledParityTests() : HfParityTests<UnigramTokenizer>("precompiled", UnigramTokenizer.FromTokenizerJson);
