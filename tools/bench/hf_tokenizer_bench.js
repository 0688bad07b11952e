// Throughput of Hugging Face tokenizers (npm @anush008/tokenizers 0.6.0 = tokenizers 0.22.2) on the texts our
// TokenizerThroughput bench uses: STS-B test sentences (bert-base-uncased tokenizer.json) and the Chinese
// FlagEmbedding sample's queries and positives (bert-base-chinese vocab.txt), and STS-B with the byte-level BPE and Unigram test fixtures.
//   TOKENIZERS_PARALLELISM=false NODE_PATH=/work/main/.cache/npm/node_modules node tools/bench/hf_tokenizer_bench.js
// Prints tokens/s (special tokens included) for encodeBatch (one call for all texts; single-threaded when
// TOKENIZERS_PARALLELISM=false) and for encode awaited one text at a time (includes the N-API round trip).
const t = require('@anush008/tokenizers');
const fs = require('fs');
const path = require('path');
const shared = path.resolve(__dirname, '../../../shared/data');

function stsTexts() {
  return fs.readFileSync(path.join(shared, 'stsbenchmark/sts-test.csv'), 'utf8').split('\n').filter(l => l)
    .flatMap(l => { const f = l.split('\t'); return [f[5], f[6]]; });
}
function zhTexts() {
  return fs.readFileSync(path.join(shared, 'zh/bge_finetune_data_zh.jsonl'), 'utf8').split('\n').filter(l => l)
    .flatMap(l => { const o = JSON.parse(l); return [o.query, o.pos[0]]; });
}
async function chineseTokenizer() {
  const dir = path.join(shared, 'tokenizers/bert-base-chinese');
  const vocab = fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8').split('\n').map(l => l.trimEnd());
  const tok = new t.Tokenizer(await t.WordPiece.fromFile(path.join(dir, 'vocab.txt'), { unkToken: '[UNK]' }));
  tok.setNormalizer(t.bertNormalizer({ lowercase: false }));
  tok.setPreTokenizer(t.bertPreTokenizer());
  tok.setPostProcessor(t.bertProcessing(['[SEP]', vocab.indexOf('[SEP]')], ['[CLS]', vocab.indexOf('[CLS]')]));
  tok.addSpecialTokens(['[UNK]', '[SEP]', '[CLS]', '[PAD]', '[MASK]']);
  return tok;
}
(async () => {
  const uncased = t.Tokenizer.fromFile(path.join(shared, 'tokenizers/bert-base-uncased/tokenizer.json'));
  const sets = [['sts-b test (bert-base-uncased)', uncased, stsTexts()], ['zh sample (bert-base-chinese)', await chineseTokenizer(), zhTexts()],
    ['sts-b test (byte-level BPE fixture)', t.Tokenizer.fromFile(path.resolve(__dirname, '../../tests/MLNet.Embeddings.Tests/Fixtures/Tokenization/bpe/tokenizer.json')), stsTexts()],
    ['sts-b test (Unigram fixture)', t.Tokenizer.fromFile(path.resolve(__dirname, '../../tests/MLNet.Embeddings.Tests/Fixtures/Tokenization/unigram/tokenizer.json')), stsTexts()]];
  for (const [name, tok, texts] of sets) {
    tok.disableTruncation(); tok.disablePadding();
    let tokens = 0;
    for (const e of await tok.encodeBatch(texts)) tokens += e.getLength(); // warm-up, count
    let runs = 0; let t0 = process.hrtime.bigint();
    while (Number(process.hrtime.bigint() - t0) < 3e9) { await tok.encodeBatch(texts); runs++; }
    const batchRate = tokens * runs / (Number(process.hrtime.bigint() - t0) / 1e9);
    runs = 0; t0 = process.hrtime.bigint();
    while (Number(process.hrtime.bigint() - t0) < 3e9) { for (const s of texts) await tok.encode(s); runs++; }
    const singleRate = tokens * runs / (Number(process.hrtime.bigint() - t0) / 1e9);
    console.log(JSON.stringify({ set: name, texts: texts.length, tokens, encodeBatch_tokens_per_s: Math.round(batchRate), encode_tokens_per_s: Math.round(singleRate),
      parallelism: process.env.TOKENIZERS_PARALLELISM ?? 'default' }));
  }
})();
