// TrainingMonitor: progress (epoch, batch, ETA), the loss curves (SVG drawn by Python,
// throttled) and the last epoch's metrics.
function fmtTime(s) {
  if (!s || !isFinite(s)) return "";
  return s < 60 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function render({ model, el }) {
  el.classList.add("tk-widget", "tk-monitor");
  el.innerHTML = `<div class="tk-bar"><span class="tk-status"></span></div>
    <div class="tk-progress"><div></div></div><div class="tk-plot"></div><div class="tk-metrics"></div>`;
  const $ = (s) => el.querySelector(s);
  const draw = () => {
    const epochs = model.get("epochs"), steps = model.get("steps");
    const epoch = model.get("epoch"), batch = model.get("batch"), done = model.get("done");
    const frac = done ? 1 : epochs ? (epoch + (steps ? batch / steps : 0)) / epochs : 0;
    $(".tk-progress > div").style.width = `${Math.min(100, 100 * frac).toFixed(1)}%`;
    $(".tk-status").textContent = done ? `done: ${epochs} epochs` :
      `epoch ${epoch + 1}/${epochs || "?"} · batch ${batch}/${steps || "?"}` +
      (model.get("eta") ? ` · ETA ${fmtTime(model.get("eta"))}` : "");
    $(".tk-plot").innerHTML = model.get("svg");
    const history = model.get("history"), last = history[history.length - 1];
    $(".tk-metrics").textContent = last ? Object.entries(last).filter(([k]) => k !== "epoch")
      .map(([k, v]) => `${k}: ${Number(v).toFixed(4)}`).join(" · ") : "";
    if (model.get("overfit") >= 0)
      $(".tk-metrics").textContent += ` · validation loss rises after epoch ${model.get("overfit") + 1}`;
  };
  const names = ["change:svg", "change:done", "change:batch", "change:epoch"];
  names.forEach((n) => model.on(n, draw));
  draw();
  return () => names.forEach((n) => model.off(n, draw));
}

export default { render };
