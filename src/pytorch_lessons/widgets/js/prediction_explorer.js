// The prediction explorer: a test digit and the ten probabilities the trained model gives it.
// Python (widgets/prediction_explorer.py) ran the model once over the test set with PyTorch and
// stored the digits it holds and their probabilities (packed: zlib-compressed, base64); moving
// the slider or ticking the box only redraws, with or without a kernel.

const W = 450, H = 214;
const BARS = [56, 30, 442, 170];   // left, top, right, bottom
const ZOOM = 6;                    // screen pixels per image pixel

/** A packed array (pack() in Python): base64 -> zlib stream -> bytes, by the browser's own
 * decompressor. */
async function unpack(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function render({ model, el }) {
  const root = widgetRoot("prediction-explorer");
  const indices = model.get("indices"), labels = model.get("labels");
  const predictions = model.get("predictions"), mistakes = model.get("mistakes");
  const height = model.get("height"), width = model.get("width"), classes = model.get("classes");
  const slider = html("input", { type: "range", min: 0, step: 1, value: 0, "aria-label": "which test digit" });
  const readout = html("output", { class: "pl-readout" });
  const only = html("input", { type: "checkbox", "aria-label": "show only the mistakes" });
  only.disabled = mistakes.length === 0;
  const caption = html("div", { class: "pl-caption", role: "status" });
  const note = html("div", { class: "pl-note" });
  root.append(
    html("div", { class: "pl-controls" },
      html("label", {}, "test digit", slider, readout),
      html("label", {}, only, mistakes.length ? `only the mistakes (${mistakes.length})` : "only the mistakes (none here)")),
    caption,
  );
  const canvas = html("canvas", { width, height, class: "pl-digit", role: "img" });
  canvas.style.width = `${width * ZOOM}px`;
  canvas.style.height = `${height * ZOOM}px`;
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" });
  root.append(html("div", { class: "pl-pair" }, canvas, chart), note);
  el.append(root);

  const total = model.get("total"), totalMistakes = model.get("total_mistakes");
  const count = (n) => n.toLocaleString("en-US");
  const which = mistakes.length === totalMistakes
    ? `all ${count(totalMistakes)} of the model's mistakes`
    : `${count(mistakes.length)} of the model's ${count(totalMistakes)} mistakes (the most confident)`;
  note.textContent = `${count(indices.length)} of the ${count(total)} test digits, among them ${which}. ` +
    "Green: the true class (its column shaded); red: a wrong prediction.";

  let pixels, probabilities;
  try {
    pixels = await unpack(model.get("pixels"));
    const permille = new DataView((await unpack(model.get("permille"))).buffer);  // int16, little-endian
    probabilities = indices.map((_, k) =>
      Array.from({ length: classes }, (_, c) => permille.getInt16(2 * (k * classes + c), true) / 1000));
  } catch (error) {
    note.textContent = `The digits could not be unpacked in this browser: ${error.message}`;
    note.classList.add("pl-error");
    return;
  }

  // the bar chart's frame, drawn once; the bars change
  const x = scale(-0.5, classes - 0.5, BARS[0], BARS[2]);
  x.ticks = () => Array.from({ length: classes }, (_, c) => c);
  const y = scale(0, 1, BARS[3], BARS[1]);
  const still = svg("g");
  drawAxes(still, x, y, BARS, { x: "class", y: "probability" });
  const barWidth = 0.7 * (x(1) - x(0));
  // the true class's column, shaded, so that it shows even where its probability is ~0
  const truth = svg("rect", { y: BARS[1], height: BARS[3] - BARS[1], width: x(1) - x(0), class: "pl-truth" });
  const bars = x.ticks().map((c) => svg("rect", { x: x(c) - barWidth / 2, width: barWidth }));
  const values = x.ticks().map((c) => svg("text", { x: x(c), "text-anchor": "middle", class: "pl-tick-label" }));
  const title = svg("text", { x: BARS[0], y: 16, class: "pl-title" }, "the model's probabilities (softmax of its logits)");
  chart.append(still, truth, ...bars, ...values, title);
  const picture = canvas.getContext("2d");
  const image = picture.createImageData(width, height);

  const browsed = () => (only.checked && mistakes.length ? mistakes : indices);

  function draw() {
    const list = browsed();
    const position = Math.min(Number(slider.value), list.length - 1);
    const index = list[position];
    const k = indices.indexOf(index);
    const label = labels[k], prediction = predictions[k], p = probabilities[k];
    const wrong = prediction !== label;
    // the digit, white on black as the model saw it
    const offset = k * width * height;
    for (let i = 0; i < width * height; i++) {
      const v = pixels[offset + i];
      image.data.set([v, v, v, 255], 4 * i);
    }
    picture.putImageData(image, 0, 0);
    canvas.setAttribute("aria-label", `test digit ${index}, labelled ${label}`);
    p.forEach((value, c) => {
      const top = y(value);
      bars[c].setAttribute("y", top);
      bars[c].setAttribute("height", BARS[3] - top);
      bars[c].setAttribute("class", c === label ? "pl-bar pl-true" : c === prediction && wrong ? "pl-bar pl-wrong" : "pl-bar");
      values[c].setAttribute("y", top - 4);
      values[c].textContent = value >= 0.001 ? value.toFixed(3) : "";
    });
    truth.setAttribute("x", x(label - 0.5));
    chart.setAttribute("aria-label", `The model's ten probabilities: ${p.map((v, c) => `${c}: ${v}`).join(", ")}`);
    caption.textContent = `test digit ${index}: label ${label}, predicted ${prediction} ` +
      `with probability ${p[prediction].toFixed(3)}` + (wrong ? " -- a mistake" : "");
    caption.classList.toggle("pl-error", wrong);
    readout.textContent = `${position + 1} of ${list.length}`;
    Object.assign(root.dataset, {
      index, label, prediction, correct: String(!wrong), position, onlyMistakes: String(only.checked),
    });
  }

  function remember() {
    model.set("position", Number(slider.value));
    model.set("only_mistakes", only.checked);
    model.save_changes();
  }

  only.checked = model.get("only_mistakes") && mistakes.length > 0;
  slider.max = browsed().length - 1;
  slider.value = Math.min(Math.max(model.get("position"), 0), browsed().length - 1);
  slider.addEventListener("input", () => { draw(); remember(); });
  only.addEventListener("change", () => {
    // stay on the digit shown if the new list holds it, else start at the list's first
    const shown = Number(root.dataset.index);
    const list = browsed();
    slider.max = list.length - 1;
    slider.value = Math.max(list.indexOf(shown), 0);
    draw();
    remember();
  });
  draw();
}

export default { render };
