// The page: load an exported model (model/model.json, or ?model=URL), show its summary,
// turn a webcam photo into the tensor the model takes, showing every shape, and draw the
// probabilities that come out. Preprocessing hints come from the export's metadata
// (tk.export.to_tfjs(model, folder, metadata={"labels": [...], "preprocess": {...}})).
'use strict';

const $ = (id) => document.getElementById(id);
const fmt = (shape) => '(' + shape.map((n) => (n == null ? 'None' : n)).join(', ') +
    (shape.length === 1 ? ',)' : ')');

const state = {model: null, labels: null, preprocess: {}, live: false, busy: false};

function setStatus(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

function showSummary(model) {
  const body = $('summary').querySelector('tbody');
  body.innerHTML = '';
  for (const layer of model.layers) {
    const row = document.createElement('tr');
    const shape = Array.isArray(layer.outputShape[0]) ?
        layer.outputShape.map(fmt).join(', ') : fmt(layer.outputShape);
    row.innerHTML = `<td>${layer.name} (${layer.getClassName()})</td>` +
        `<td class="shape">${shape}</td><td class="num">${layer.countParams()}</td>`;
    body.appendChild(row);
  }
  $('model-name').textContent = `"${model.name}": ${model.countParams()} parameters, ` +
      `input ${fmt(model.inputs[0].shape)}, output ${fmt(model.outputs[0].shape)}`;
  $('model-input').textContent = fmt(model.inputs[0].shape);
}

async function loadModel() {
  const url = new URLSearchParams(location.search).get('model') || 'model/model.json';
  const backend = tf.getBackend();
  let model;
  try {
    model = await tf.loadLayersModel(url);
  } catch (e) {
    setStatus(`Could not load ${url} (${e.message}). Export a model first: ` +
              '`make web`, or tk.export.to_tfjs(model, "web/model").', true);
    return;
  }
  const meta = model.getUserDefinedMetadata() || {};
  state.model = model;
  state.labels = meta.labels || null;
  state.preprocess = meta.preprocess || {};
  showSummary(model);
  setStatus(`Model loaded (TensorFlow.js ${tf.version.tfjs}, ${backend} backend).`);
}

// (1, H, W, 3) photo -> what the model takes, one step (and shape) at a time
function toModelInput(video) {
  const steps = [];
  const want = state.model.inputs[0].shape;                 // e.g. [null, 8, 8, 1] or [null, 64]
  const p = state.preprocess;
  const x = tf.tidy(() => {
    let t = tf.browser.fromPixels(video).expandDims(0);     // (H, W, 3) -> (1, H, W, 3)
    steps.push(['photo from the camera, a batch of one', t.shape]);
    $('input-shape').textContent = fmt(t.shape);
    if (p.crop_square !== false) {
      const [, h, w] = t.shape;
      const side = Math.min(h, w);
      t = t.slice([0, Math.floor((h - side) / 2), Math.floor((w - side) / 2), 0],
                  [1, side, side, 3]);
      steps.push(['centre square cropped', t.shape]);
    }
    const image = want.length === 4 ? want : [null, ...(p.image_shape || [])];
    const [height, width, channels] = image.slice(1);
    if (height && width) {
      t = tf.image.resizeBilinear(t, [height, width], true);
      steps.push([`resized to the model's ${height}x${width}`, t.shape]);
    }
    t = t.div(255);                                         // pixels 0..255 -> 0..1
    if ((channels || p.channels) === 1) {
      t = t.mean(-1, true);                                 // (1, h, w, 3) -> (1, h, w, 1)
      steps.push(['grey: the mean of red, green and blue', t.shape]);
    }
    if (p.invert) {
      t = tf.sub(1, t);                                     // dark ink on paper -> bright ink
      steps.push(['inverted (the training digits are bright ink on black)', t.shape]);
    }
    if (p.stretch) {
      const lo = t.min();
      const hi = t.max();
      t = t.sub(lo).div(tf.maximum(hi.sub(lo), 1e-6));      // the full range 0..1
      steps.push(['contrast stretched to 0..1', t.shape]);
    }
    if (want.length === 2) {
      t = t.reshape([1, want[1]]);                          // (1, h, w, c) -> (1, h*w*c)
      steps.push(['flattened, as the model takes', t.shape]);
    }
    return t;
  });
  return {x, steps};
}

async function drawSeen(x) {
  const img = tf.tidy(() => {
    let t = x.rank === 2 ? x.reshape(state.preprocess.image_shape || [8, 8, 1]) : x.squeeze([0]);
    return t.shape[2] === 1 ? t.tile([1, 1, 3]) : t;
  });
  $('seen').width = img.shape[1];
  $('seen').height = img.shape[0];
  await tf.browser.toPixels(img.clipByValue(0, 1), $('seen'));
  img.dispose();
}

function showSteps(steps) {
  $('steps').innerHTML = '';
  for (const [what, shape] of steps) {
    const li = document.createElement('li');
    li.innerHTML = `<span class="shape">${fmt(shape)}</span> ${what}`;
    $('steps').appendChild(li);
  }
}

function showProbabilities(probs, shape) {
  $('output-shape').textContent = fmt(shape);
  const list = $('predictions');
  list.innerHTML = '';
  const best = probs.indexOf(Math.max(...probs));
  probs.forEach((p, i) => {
    const label = state.labels ? state.labels[i] : String(i);
    const li = document.createElement('li');
    li.className = i === best ? 'top' : '';
    li.innerHTML = `<span>${label}</span><div class="bar"><span style="width:` +
        `${(100 * p).toFixed(1)}%"></span></div><span>${(100 * p).toFixed(1)}%</span>`;
    list.appendChild(li);
  });
  $('prediction').textContent = state.labels ? state.labels[best] : String(best);
}

async function classify() {
  if (!state.model || state.busy) return;
  const video = $('camera');
  if (!video.videoWidth) return;
  state.busy = true;
  try {
    const {x, steps} = toModelInput(video);
    steps.push(['into the model', x.shape]);
    showSteps(steps);
    await drawSeen(x);
    const y = state.model.predict(x);
    const out = Array.isArray(y) ? y[0] : y;
    showProbabilities(Array.from(await out.data()), out.shape);
    tf.dispose([x, y]);
  } finally {
    state.busy = false;
  }
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    setStatus('This browser gives the page no camera (open it on http://127.0.0.1 or ' +
              'https).', true);
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({video: true, audio: false});
    $('camera').srcObject = stream;
    await new Promise((resolve) => {
      if ($('camera').readyState >= 2) resolve();
      else $('camera').onloadeddata = () => resolve();
    });
    $('capture').disabled = !state.model;
  } catch (e) {
    setStatus(`No camera: ${e.message}. Allow the camera for this page and reload.`, true);
  }
}

function liveLoop() {
  if (!state.live) return;
  classify().then(() => setTimeout(liveLoop, 200));
}

async function main() {
  await tf.ready();
  await loadModel();
  await startCamera();
  $('capture').addEventListener('click', classify);
  $('live').addEventListener('change', (e) => {
    state.live = e.target.checked;
    liveLoop();
  });
}

main();
