// Load TensorFlow.js Layers models (model.json + shards) with the real @tensorflow/tfjs
// and predict: the tests use it to check that what tensorkit exports computes the same.
//
//   node predict_node.js request.json result.json
//
// request.json: {"models": [{"dir": "/abs/model_dir",
//                            "inputs": [{"shape": [2, 8], "dtype": "float32", "data": [...]}]}]}
// result.json:  {"tfjs_version": "4.22.0", "results": [{"outputs": [{"shape", "data"}],
//                "layers": [{"name", "class_name", "output_shape"}]} or {"error": "..."}]}
//
// Models load through tf.io.http with a fetch that reads the files, so the manifest is
// parsed, the shards fetched and their sizes checked by the same code a browser runs.
// The result goes to a file because TensorFlow.js greets Node users on stdout.
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

const HOST = 'http://tensorkit.invalid/';

function fileFetch(root) {
  return async (url) => {
    const rel = decodeURIComponent(new URL(url).pathname).replace(/^\/+/, '');
    const file = path.join(root, rel);
    if (!fs.existsSync(file)) {
      return new Response('not found', {status: 404, statusText: 'Not Found'});
    }
    return new Response(fs.readFileSync(file), {status: 200});
  };
}

async function predictOne(spec) {
  const model = await tf.loadLayersModel(HOST + 'model.json', {fetchFunc: fileFetch(spec.dir)});
  const inputs = spec.inputs.map((x) => tf.tensor(x.data, x.shape, x.dtype || 'float32'));
  let outs = model.predict(inputs.length === 1 ? inputs[0] : inputs);
  outs = Array.isArray(outs) ? outs : [outs];
  const outputs = [];
  for (const t of outs) {
    outputs.push({shape: t.shape, data: Array.from(await t.data())});
  }
  const layers = model.layers.map((l) => ({
    name: l.name, class_name: l.getClassName(), output_shape: l.outputShape}));
  tf.dispose([...inputs, ...outs]);
  model.dispose();
  return {outputs, layers};
}

async function main() {
  const [requestFile, resultFile] = process.argv.slice(2);
  if (!requestFile || !resultFile) {
    console.error('usage: node predict_node.js request.json result.json');
    process.exit(2);
  }
  await tf.setBackend('cpu');
  const request = JSON.parse(fs.readFileSync(requestFile, 'utf8'));
  const results = [];
  for (const spec of request.models) {
    try {
      results.push(await predictOne(spec));
    } catch (e) {
      results.push({error: `${e.name}: ${e.message}`});
    }
  }
  fs.writeFileSync(resultFile, JSON.stringify({tfjs_version: tf.version.tfjs, results}));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
