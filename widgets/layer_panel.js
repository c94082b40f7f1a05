// LayerPanel: one checkbox per layer; a click asks Python to set layer.trainable, and the
// rows and totals come back from the model's summary.
function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}
const num = (n) => Number(n).toLocaleString("en-US");

function render({ model, el }) {
  el.classList.add("tk-widget", "tk-layers");
  const draw = () => {
    const msg = model.get("message");
    if (msg) { el.innerHTML = `<div class="tk-message">${esc(msg)}</div>`; return; }
    const rows = model.get("rows").map((r) =>
      `<tr class="${r.trainable ? "" : "frozen"}" data-name="${esc(r.name)}">` +
      `<td><input type="checkbox" ${r.trainable ? "checked" : ""}></td><td>${esc(r.name)}</td>` +
      `<td>${esc(r.type)}</td><td>${esc(r.output)}</td><td class="num">${num(r.params)}</td></tr>`);
    const t = model.get("totals");
    el.innerHTML = `<div class="tk-bar"><span class="tk-title">Layers of ${esc(model.get("title"))}</span></div>
      <table><thead><tr><th>trainable</th><th>layer</th><th>type</th><th>output</th><th class="num">params</th></tr></thead>
      <tbody>${rows.join("")}</tbody></table>
      <div class="tk-totals">Total params: <b class="tk-total">${num(t.total_params)}</b> ·
        trainable: <b class="tk-trainable">${num(t.trainable_params)}</b> ·
        frozen: <b class="tk-frozen">${num(t.non_trainable_params)}</b></div>`;
  };
  el.addEventListener("change", (ev) => {
    const row = ev.target.closest("tr[data-name]");
    if (row) model.send({ toggle: row.dataset.name, trainable: ev.target.checked });
  });
  const names = ["change:rows", "change:totals", "change:message"];
  names.forEach((n) => model.on(n, draw));
  draw();
  return () => names.forEach((n) => model.off(n, draw));
}

export default { render };
