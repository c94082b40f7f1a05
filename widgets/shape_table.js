// ShapeTable: rows of op, inputs -> output (changed axes highlighted), layer.
function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function outputCell(row, color) {
  const dims = row.dims || row.shape.map(() => null);
  const parts = row.shape.map((n, i) => {
    const text = esc(dims[i] ? `${dims[i]}=${n}` : `${n}`);
    const style = i === 0 && row.batch ? ` style="color:${color}"` : "";
    const cls = row.changed.includes(i) ? ' class="changed"' : "";
    return `<span${cls}${style} data-axis="${i}">${text}</span>`;
  });
  return "(" + parts.join(", ") + (parts.length === 1 ? "," : "") + ")";
}

function render({ model, el }) {
  el.classList.add("tk-widget");
  const bar = document.createElement("label");
  bar.className = "tk-bar";
  const box = document.createElement("input");
  box.type = "checkbox";
  bar.append(box, " show dim labels");
  const table = document.createElement("div");
  el.append(bar, table);
  box.addEventListener("change", () => { model.set("dims", box.checked); model.save_changes(); });
  const draw = () => {
    box.checked = model.get("dims");
    const color = model.get("batch_color");
    const rows = model.get("rows").map((r) =>
      `<tr><td class="op">${esc(r.op)}</td><td>${esc(r.inputs.join(", "))}</td><td>→</td>` +
      `<td class="out">${outputCell(r, color)}</td><td>${esc(r.layer)}</td></tr>`);
    table.innerHTML = '<table class="tk-shapes"><thead><tr><th>op</th><th>inputs</th><th></th>' +
      `<th>output</th><th>layer</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  };
  model.on("change:rows", draw);
  model.on("change:dims", draw);
  draw();
  return () => { model.off("change:rows", draw); model.off("change:dims", draw); };
}

export default { render };
