using MLNet.Embeddings.Tokenization.Bpe;

namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>
/// Byte-level BPE (RoBERTa layout) against Hugging Face tokenizers 0.22.2 on 587 texts. The tokenizer was trained
/// by HF on STS-B train sentences; fixture and tokenizer from tools/fixtures/make_bpe_fixture.js.
/// The tests are in <see cref="HfParityTests{TTokenizer}"/>.
/// </summary>
public class BpeParityTests() : HfParityTests<BpeTokenizer>("bpe", BpeTokenizer.FromTokenizerJson);
