// GraphView: Graphviz SVG (laid out in Python) with hover/click details and layer boxes
// that expand to their ops (click the box) and collapse back (click the layer's frame).
function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function detailsHtml(d) {
  if (!d) return '<span style="color:#888">Hover or click a node.</span>';
  const rows = [["op", `<b>${esc(d.op)}</b>` + (d.frozen ? ' <span class="tk-frozen-tag">(frozen)</span>' : "")]];
  if (d.name) rows.push(["name", esc(d.name)]);
  if (d.layer && d.kind !== "layer") rows.push(["layer", esc(d.layer)]);
  if (d.inputs.length) rows.push([d.inputs.length > 1 ? "inputs" : "input", d.inputs.map(esc).join("<br>")]);
  rows.push(["output", esc(d.output)]);
  if (d.dtype) rows.push(["dtype", esc(d.dtype)]);
  const attrs = Object.entries(d.attrs || {});
  if (attrs.length) rows.push(["attrs", attrs.map(([k, v]) => `${esc(k)}=${esc(JSON.stringify(v))}`).join("<br>")]);
  let params = Number(d.params).toLocaleString("en-US");
  if (d.kind === "layer" && d.trainable_params !== d.params)
    params += ` (${Number(d.trainable_params).toLocaleString("en-US")} trainable)`;
  rows.push(["params", params]);
  if (d.kind === "layer") rows.push(["", "<i>click the box to expand, its frame to collapse</i>"]);
  return `<table class="tk-node-details" data-kind="${d.kind}">` +
    rows.map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join("") + "</table>";
}

function render({ model, el }) {
  el.classList.add("tk-widget");
  el.innerHTML = `
    <div class="tk-bar"><span class="tk-title"></span>
      <button class="tk-expand">expand all</button><button class="tk-collapse">collapse all</button>
      <label><input type="checkbox" class="tk-dims"> dim labels</label></div>
    <div class="tk-message" hidden></div>
    <div class="tk-graph"><div class="tk-svg"></div><div class="tk-details"></div></div>`;
  const $ = (s) => el.querySelector(s);
  const svgBox = $(".tk-svg"), details = $(".tk-details"), message = $(".tk-message");
  const layerById = () => Object.fromEntries(model.get("layers").map((l) => [l.id, l]));

  const show = (id) => { details.innerHTML = detailsHtml(model.get("nodes")[id]); };
  const mark = () => {
    svgBox.querySelectorAll("g.selected").forEach((g) => g.classList.remove("selected"));
    const id = model.get("selected");
    const g = id && svgBox.querySelector(`g[id="${CSS.escape(id)}"]`);
    if (g) g.classList.add("selected");
  };
  const draw = () => {
    $(".tk-title").textContent = model.get("title") ? `Graph: ${model.get("title")}` : "";
    $(".tk-dims").checked = model.get("dims");
    const msg = model.get("message");
    message.hidden = !msg;
    message.textContent = msg;
    svgBox.innerHTML = model.get("svg");
    svgBox.hidden = !model.get("svg");
    mark();
    show(model.get("selected"));
  };
  const target = (ev) => ev.target.closest && ev.target.closest("g.node, g.cluster");
  svgBox.addEventListener("mouseover", (ev) => { const g = target(ev); if (g) show(g.id); });
  svgBox.addEventListener("mouseleave", () => show(model.get("selected")));
  svgBox.addEventListener("click", (ev) => {
    const g = target(ev);
    if (!g) return;
    const id = g.id, expanded = model.get("expanded");
    if (id.startsWith("L")) {                       // a collapsed layer: open it
      const layer = layerById()[id];
      model.set("expanded", [...expanded, layer.name]);
    } else if (id.startsWith("C")) {                // an expanded layer's frame: close it
      const layer = layerById()["L" + id.slice(1)];
      model.set("expanded", expanded.filter((n) => n !== layer.name));
    }
    model.set("selected", id);
    model.save_changes();
    mark();
    show(id);
  });
  $(".tk-expand").addEventListener("click", () => {
    model.set("expanded", model.get("layers").map((l) => l.name)); model.save_changes();
  });
  $(".tk-collapse").addEventListener("click", () => { model.set("expanded", []); model.save_changes(); });
  $(".tk-dims").addEventListener("change", (ev) => { model.set("dims", ev.target.checked); model.save_changes(); });
  const names = ["change:svg", "change:message", "change:selected", "change:title"];
  names.forEach((n) => model.on(n, draw));
  draw();
  return () => names.forEach((n) => model.off(n, draw));
}

export default { render };
