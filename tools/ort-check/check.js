#!/usr/bin/env node
// Loads an ONNX model exported by `mlnet-embed export` in the official ONNX Runtime for Node.js
// (onnxruntime-node), runs it on a few token-id sequences and prints every output as JSON on stdout.
//
// usage: node tools/ort-check/check.js MODEL.onnx ['[[101,2023,102],[101,102]]']
//
// onnxruntime-node is looked up with require() (NODE_PATH), then in <repo>/.cache/npm/node_modules.
// Install it without running its install script (the prebuilt CPU binding ships in the package):
//   npm install --ignore-scripts --prefix .cache/npm onnxruntime-node@1.30.0
'use strict';
const path = require('path');

function loadOrt() {
  const places = ['onnxruntime-node', path.join(__dirname, '..', '..', '.cache', 'npm', 'node_modules', 'onnxruntime-node')];
  const errors = [];
  for (const p of places) {
    try { return require(p); } catch (e) { errors.push(`${p}: ${e.message.split('\n')[0]}`); }
  }
  console.error('onnxruntime-node not found:\n  ' + errors.join('\n  ') +
    '\ninstall it with: npm install --ignore-scripts --prefix .cache/npm onnxruntime-node@1.30.0');
  process.exit(2);
}

async function main() {
  const [modelPath, idsJson] = process.argv.slice(2);
  if (!modelPath) { console.error('usage: check.js MODEL.onnx [ids-json]'); process.exit(2); }
  const ort = loadOrt();
  const sequences = idsJson ? JSON.parse(idsJson) : [[101, 1000, 1001, 102], [101, 102]];
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'all' });
  const batch = sequences.length, width = Math.max(...sequences.map(s => s.length));
  const ids = new BigInt64Array(batch * width), mask = new BigInt64Array(batch * width), types = new BigInt64Array(batch * width);
  sequences.forEach((s, i) => s.forEach((id, t) => { ids[i * width + t] = BigInt(id); mask[i * width + t] = 1n; }));
  const all = {
    input_ids: new ort.Tensor('int64', ids, [batch, width]),
    attention_mask: new ort.Tensor('int64', mask, [batch, width]),
    token_type_ids: new ort.Tensor('int64', types, [batch, width]),
  };
  const feeds = {};
  for (const name of session.inputNames) {
    if (!(name in all)) throw new Error(`unexpected model input '${name}'`);
    feeds[name] = all[name];
  }
  const results = await session.run(feeds);
  const outputs = {};
  for (const name of session.outputNames) outputs[name] = { dims: results[name].dims, data: Array.from(results[name].data) };
  console.log(JSON.stringify({ onnxruntime: ort.env.versions?.common ?? null, inputs: session.inputNames, outputs }));
}

main().catch(e => { console.error(e.stack || String(e)); process.exit(1); });
