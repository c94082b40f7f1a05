// Models made and saved by TensorFlow.js itself, for tensorkit's import test.
//
//   node tfjs_fixture.js out_dir
//
// Writes out_dir/<name>/model.json + model.weights.bin as tf.io.browserDownloads lays them
// out (paths "./model.weights.bin"), and out_dir/expected.json: each model's input and
// TF.js's prediction for it.
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

function seeded(shape, seed) {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

function models() {
  const dense = tf.sequential({name: 'tfjs_dense'});
  dense.add(tf.layers.dense({units: 8, activation: 'relu', inputShape: [6]}));
  dense.add(tf.layers.dropout({rate: 0.2}));
  dense.add(tf.layers.dense({units: 3, activation: 'softmax'}));

  const conv = tf.sequential({name: 'tfjs_conv'});
  conv.add(tf.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', activation: 'relu',
                             inputShape: [8, 8, 1]}));
  conv.add(tf.layers.batchNormalization());
  conv.add(tf.layers.maxPooling2d({poolSize: 2}));
  conv.add(tf.layers.flatten());
  conv.add(tf.layers.dense({units: 10, activation: 'softmax'}));

  const rnn = tf.sequential({name: 'tfjs_rnn'});
  rnn.add(tf.layers.lstm({units: 4, recurrentActivation: 'sigmoid', returnSequences: true,
                          inputShape: [5, 3]}));
  rnn.add(tf.layers.bidirectional({layer: tf.layers.gru({units: 2,
                                                         recurrentActivation: 'sigmoid'})}));
  rnn.add(tf.layers.dense({units: 2}));

  const separable = tf.sequential({name: 'tfjs_separable'});
  separable.add(tf.layers.depthwiseConv2d({kernelSize: 3, depthMultiplier: 2, padding: 'same',
                                           activation: 'tanh', inputShape: [7, 6, 2]}));
  separable.add(tf.layers.separableConv2d({filters: 3, kernelSize: 2, strides: 2,
                                           activation: 'tanh'}));
  // no depthMultiplier here: TF.js's SeparableConv2D leaves it out of the config it saves
  separable.add(tf.layers.separableConv2d({filters: 2, kernelSize: 2, dilationRate: 2,
                                           padding: 'same', useBias: false}));
  separable.add(tf.layers.globalAveragePooling2d({}));

  const a = tf.input({shape: [4], name: 'in_a'});
  const b = tf.input({shape: [4], name: 'in_b'});
  const sum = tf.layers.add().apply([tf.layers.dense({units: 5}).apply(a),
                                     tf.layers.dense({units: 5}).apply(b)]);
  const out = tf.layers.dense({units: 2, activation: 'sigmoid'}).apply(
      tf.layers.concatenate().apply([sum, a]));
  const functional = tf.model({inputs: [a, b], outputs: out, name: 'tfjs_functional'});
  // RNN(cell) and a stack of cells: TF.js's RNN config repeats its cell's keys
  const cells = tf.sequential({name: 'tfjs_cells'});
  cells.add(tf.layers.masking({maskValue: 0, inputShape: [6, 3]}));
  cells.add(tf.layers.rnn({cell: tf.layers.lstmCell({units: 4}), returnSequences: true}));
  cells.add(tf.layers.spatialDropout1d({rate: 0.2}));
  cells.add(tf.layers.gaussianDropout({rate: 0.1}));
  cells.add(tf.layers.alphaDropout({rate: 0.1}));
  cells.add(tf.layers.rnn({cell: [tf.layers.lstmCell({units: 3}),
                                  tf.layers.gruCell({units: 2}),
                                  tf.layers.simpleRNNCell({units: 2})]}));
  return [[dense, [[2, 6]]], [conv, [[2, 8, 8, 1]]], [rnn, [[2, 5, 3]]],
          [separable, [[2, 7, 6, 2]]], [functional, [[2, 4], [2, 4]]], [cells, [[2, 6, 3]]]];
}

// steps of zeros for the models that start with a Masking layer, so the mask is used
function padded(model, x) {
  if (model.layers[0].getClassName() !== 'Masking') return x;
  const keep = tf.ones(x.shape).bufferSync();
  for (let j = 0; j < x.shape[2]; j++) {
    for (const [i, t] of [[0, 4], [0, 5], [1, 1], [1, 2]]) keep.set(0, i, t, j);
  }
  return x.mul(keep.toTensor());
}

async function main() {
  const out = process.argv[2];
  await tf.setBackend('cpu');
  const expected = {};
  let seed = 1;
  for (const [model, shapes] of models()) {
    // random biases and statistics too, so every weight is checked
    model.setWeights(model.getWeights().map((w) => seeded(w.shape, seed++).abs().add(0.1)));
    const dir = path.join(out, model.name);
    fs.mkdirSync(dir, {recursive: true});
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      const json = {
        modelTopology: artifacts.modelTopology, format: artifacts.format,
        generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy,
        weightsManifest: [{paths: ['./model.weights.bin'], weights: artifacts.weightSpecs}],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      fs.writeFileSync(path.join(dir, 'model.weights.bin'), Buffer.from(artifacts.weightData));
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    const xs = shapes.map((s) => padded(model, seeded(s, seed++)));
    const y = model.predict(xs.length === 1 ? xs[0] : xs);
    expected[model.name] = {
      inputs: await Promise.all(xs.map(async (x) => Array.from(await x.data()))),
      input_shapes: shapes, output: Array.from(await y.data()), output_shape: y.shape,
    };
  }
  fs.writeFileSync(path.join(out, 'expected.json'), JSON.stringify(expected));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
