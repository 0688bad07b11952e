using MLNet.Embeddings.Tokenization.Unigram;

namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>
/// Unigram with Metaspace (XLM-R layout, no normalizer) against Hugging Face tokenizers 0.22.2 on 586 texts. The
/// model was trained by HF on STS-B train sentences; fixture and tokenizer from tools/fixtures/make_unigram_fixture.js.
/// The tests are in <see cref="HfParityTests{TTokenizer}"/>.
/// </summary>
public class UnigramParityTests() : HfParityTests<UnigramTokenizer>("unigram", UnigramTokenizer.FromTokenizerJson);
