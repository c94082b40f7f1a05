// TensorView / BatchView: the tensor's shape picture, and with a batch axis a slider that
// picks the sample (Python draws each picture). ReshapeView: before/after with hover that
// lights up the same element on both sides.
function renderReshape({ model, el }) {
  const draw = () => {
    const msg = model.get("message");
    el.innerHTML = `<div class="tk-bar"><b></b></div>` + (msg ? `<div class="tk-message"></div>` :
      `<div style="display:flex;gap:24px;align-items:flex-start">
        <div>before<div class="tk-before"></div></div><div>after<div class="tk-after"></div></div></div>`);
    el.querySelector("b").textContent = model.get("caption");
    if (msg) { el.querySelector(".tk-message").textContent = msg; return; }
    el.querySelector(".tk-before").innerHTML = model.get("before");
    el.querySelector(".tk-after").innerHTML = model.get("after");
  };
  const light = (k) => el.querySelectorAll("td[data-k]").forEach((td) => {
    td.style.outline = td.dataset.k === k ? "2px solid #000" : "";
  });
  el.addEventListener("mouseover", (ev) => { const td = ev.target.closest("td[data-k]"); if (td) light(td.dataset.k); });
  el.addEventListener("mouseleave", () => light(null));
  draw();
  return () => {};
}

function render({ model, el }) {
  el.classList.add("tk-widget", "tk-tensor");
  if (model.get("before") !== undefined) return renderReshape({ model, el });
  el.style.setProperty("--tk-batch", model.get("batch_color"));
  el.innerHTML = `<div class="tk-overview"></div><div class="tk-stats" style="color:#666"></div>
    <div class="tk-samples"></div>
    <div class="tk-bar tk-slider-bar"><span style="color:${model.get("batch_color")}">sample</span>
      <input type="range" min="0" step="1" class="tk-slider"><span class="tk-index"></span></div>
    <div class="tk-current-sample"></div>`;
  const $ = (s) => el.querySelector(s);
  const slider = $(".tk-slider");
  const draw = () => {
    const count = model.get("count");
    $(".tk-overview").innerHTML = model.get("overview");
    $(".tk-stats").textContent = model.get("stats");
    $(".tk-slider-bar").hidden = count < 2;
    slider.max = Math.max(count - 1, 0);
    slider.value = model.get("index");
    $(".tk-index").textContent = `${model.get("index")} of ${count}`;
    const thumbs = model.get("thumbs");
    $(".tk-samples").innerHTML = thumbs.map((th, i) =>
      `<div class="tk-sample${i === model.get("index") ? " current" : ""}" data-i="${i}">${th}<br>sample ${i}</div>`).join("");
    $(".tk-current-sample").innerHTML = model.get("sample");
  };
  slider.addEventListener("input", () => { model.set("index", Number(slider.value)); model.save_changes(); });
  $(".tk-samples").addEventListener("click", (ev) => {
    const s = ev.target.closest("[data-i]");
    if (s) { model.set("index", Number(s.dataset.i)); model.save_changes(); }
  });
  const names = ["change:sample", "change:index", "change:overview", "change:thumbs"];
  names.forEach((n) => model.on(n, draw));
  draw();
  return () => names.forEach((n) => model.off(n, draw));
}

export default { render };
