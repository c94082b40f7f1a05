// Camera / Microphone: getUserMedia in the page; the raw numbers go to Python as a buffer.
// Failures (denied, no device, no secure context) become a message, never a hang.
function explain(err, what) {
  const name = err && err.name;
  if (name === "NotAllowedError" || name === "SecurityError")
    return `Permission to use the ${what} was denied. Allow it for this page (the icon in the address bar) and click again.`;
  if (name === "NotFoundError" || name === "OverconstrainedError")
    return `No ${what} was found. Plug one in (or check it is not used by another program) and click again.`;
  if (name === "NotReadableError") return `The ${what} is busy or failed to start: close other programs using it.`;
  if (name === "Timeout") return `The ${what} did not start within 15 s (an unanswered permission prompt?).`;
  return `Could not open the ${what}: ${err && err.message ? err.message : err}`;
}

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((_, reject) =>
    setTimeout(() => reject({ name: "Timeout" }), ms))]);
}

async function open(constraints, what) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
    throw { name: "x", message: `this page cannot use the ${what}: browsers allow it only on https or localhost pages.` };
  return withTimeout(navigator.mediaDevices.getUserMedia(constraints), 15000);
}

function camera({ model, el, status, fail }) {
  const start = document.createElement("button"), shoot = document.createElement("button");
  start.textContent = "Start camera"; start.className = "tk-start";
  shoot.textContent = "Capture"; shoot.className = "tk-capture"; shoot.disabled = true;
  const video = document.createElement("video"), canvas = document.createElement("canvas");
  video.autoplay = true; video.muted = true; video.playsInline = true;
  el.querySelector(".tk-bar").append(start, shoot);
  el.append(video, canvas);
  let stream = null;
  start.addEventListener("click", async () => {
    try {
      stream = await open({ video: true }, "camera");
      video.srcObject = stream;
      await video.play();
      shoot.disabled = false;
      status("camera on: click Capture");
    } catch (err) { fail(explain(err, "camera")); }
  });
  shoot.addEventListener("click", () => {
    const w = model.get("width"), h = model.get("height");
    canvas.width = w; canvas.height = h;
    const vw = video.videoWidth, vh = video.videoHeight, scale = Math.min(vw / w, vh / h);
    const sw = w * scale, sh = h * scale;            // the largest centred crop of w:h
    canvas.getContext("2d").drawImage(video, (vw - sw) / 2, (vh - sh) / 2, sw, sh, 0, 0, w, h);
    const pixels = canvas.getContext("2d").getImageData(0, 0, w, h).data;   // RGBA bytes
    model.send({ width: w, height: h }, undefined, [pixels.buffer]);
    status("sent to Python…");
  });
  return () => { if (stream) stream.getTracks().forEach((t) => t.stop()); };
}

function microphone({ model, el, status, fail }) {
  const rec = document.createElement("button");
  rec.textContent = `Record ${model.get("seconds")} s`; rec.className = "tk-record";
  el.querySelector(".tk-bar").append(rec);
  rec.addEventListener("click", async () => {
    let stream, ctx;
    try {
      stream = await open({ audio: true }, "microphone");
      ctx = new AudioContext();
      const rate = ctx.sampleRate, want = Math.round(model.get("seconds") * rate);
      const source = ctx.createMediaStreamSource(stream);
      const node = ctx.createScriptProcessor(4096, 1, 1);
      const chunks = []; let have = 0;
      rec.disabled = true;
      status("recording…");
      await withTimeout(new Promise((resolve) => {
        node.onaudioprocess = (ev) => {
          if (have >= want) return;
          const data = new Float32Array(ev.inputBuffer.getChannelData(0));
          chunks.push(data); have += data.length;
          if (have >= want) resolve();
        };
        source.connect(node); node.connect(ctx.destination);
      }), 15000 + 1000 * model.get("seconds"));
      const samples = new Float32Array(want);
      let at = 0;
      for (const c of chunks) { const n = Math.min(c.length, want - at); samples.set(c.subarray(0, n), at); at += n; }
      model.send({ rate }, undefined, [samples.buffer]);
      status("sent to Python…");
    } catch (err) { fail(explain(err, "microphone")); }
    finally {
      rec.disabled = false;
      if (stream) stream.getTracks().forEach((t) => t.stop());
      if (ctx) ctx.close();
    }
  });
  return () => {};
}

function render({ model, el }) {
  el.classList.add("tk-widget", "tk-media");
  el.innerHTML = `<div class="tk-bar"></div><div class="tk-message" hidden></div><div class="tk-status"></div>`;
  const msg = el.querySelector(".tk-message"), stat = el.querySelector(".tk-status");
  const status = (text) => { stat.textContent = text; };
  const fail = (text) => {
    msg.hidden = false; msg.textContent = text;
    model.send({ error: text });
  };
  const fromPython = () => {
    if (model.get("status")) status(`captured: ${model.get("status")}`);
    msg.hidden = !model.get("error"); msg.textContent = model.get("error");
  };
  model.on("change:status", fromPython);
  model.on("change:error", fromPython);
  const kind = model.get("kind") === "camera" ? camera : microphone;
  const cleanup = kind({ model, el, status, fail });
  fromPython();
  return () => { cleanup(); model.off("change:status", fromPython); model.off("change:error", fromPython); };
}

export default { render };
