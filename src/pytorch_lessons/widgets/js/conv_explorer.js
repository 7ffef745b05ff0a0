// The convolution explorer: an image, a kernel, a stride and a padding, and the feature map
// F.conv2d makes of them. Python (widgets/conv_explorer.py) convolved the image once with every
// preset kernel at every stride and padding; choosing one only redraws. A kernel typed in is
// convolved by PyTorch in the notebook's kernel.

const ZOOM = 6;            // screen pixels per image pixel
const MAX_SIDE = 36;       // the largest picture: 28 + 2 · 4 padding (or a 1 × 1 kernel's map)
// Blue (negative), white (zero), red (positive), as matplotlib's RdBu_r: the sign shows.
const DIVERGING = [[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]];

/** A stored map (base64 bytes, int8 or uint8, and a scale) as numbers, row by row. */
function decode(stored) {
  const bytes = Uint8Array.from(atob(stored.data), (c) => c.charCodeAt(0));
  const ints = stored.dtype === "int8" ? new Int8Array(bytes.buffer) : bytes;
  const values = Float32Array.from(ints, (q) => q * stored.scale + stored.low);
  return { values, height: stored.shape[0], width: stored.shape[1] };
}

/** The colour of ``t`` in -1..1 on the diverging scale. */
function diverging(t) {
  const x = (Math.max(-1, Math.min(1, t)) + 1) * 2;  // 0..4 across the five stops
  const i = Math.min(3, Math.floor(x));
  const f = x - i;
  return DIVERGING[i].map((a, c) => Math.round(a + f * (DIVERGING[i + 1][c] - a)));
}

/** The numbers a kernel cell shows: two decimals at most, no "-0". */
function kernelText(value) {
  const text = String(+value.toFixed(2));
  return text === "-0" ? "0" : text;
}

function render({ model, el }) {
  const presets = model.get("presets");
  const strides = model.get("strides");
  const paddings = model.get("paddings");
  const image = decode(model.get("image"));
  const imageLow = model.get("image").low;
  const imageHigh = imageLow + 255 * model.get("image").scale;
  const cache = new Map();
  const presetMap = (k, s, p) => {
    const key = `${k},${s},${p}`;
    if (!cache.has(key)) cache.set(key, decode(model.get("maps")[k][s][p]));
    return cache.get(key);
  };

  // the controls
  const CUSTOM = "custom";
  const menu = html("select", { "aria-label": "kernel" });
  presets.forEach((name) => menu.append(html("option", { value: name }, name)));
  menu.append(html("option", { value: CUSTOM }, "your own, typed in"));
  const stride = html("input", { type: "range", min: strides[0], max: strides[strides.length - 1], step: 1, "aria-label": "stride" });
  const padding = html("input", { type: "range", min: paddings[0], max: paddings[paddings.length - 1], step: 1, "aria-label": "padding" });
  const strideOut = html("output", { class: "pl-readout" });
  const paddingOut = html("output", { class: "pl-readout" });
  const typed = html("input", {
    type: "text", class: "pl-conv-typed", spellcheck: "false",
    placeholder: "rows separated by ;", "aria-label": "a kernel of your own: rows separated by ;",
  });
  const convolve = html("button", { type: "button" }, "convolve it");
  const note = html("div", { class: "pl-note", role: "status" });

  // the three pictures: padded input, kernel, feature map
  function stage(label) {
    const canvas = html("canvas", { class: "pl-conv-pixels" });
    const overlay = svg("svg", { class: "pl-conv-overlay", preserveAspectRatio: "none", "aria-hidden": "true" });
    const frame = html("div", { class: "pl-conv-frame" }, canvas, overlay);
    const empty = html("div", { class: "pl-conv-empty" });
    const box = html("div", { class: "pl-conv-stage", role: "img", "aria-label": label }, frame, empty);
    box.style.width = box.style.height = `${MAX_SIDE * ZOOM + 2}px`;  // and its border
    return { box, frame, canvas, overlay, empty };
  }
  const input = stage("the padded input image");
  const output = stage("the feature map");
  output.box.tabIndex = 0;  // arrow keys move the probe, as the pointer does
  const inputTitle = html("div", { class: "pl-conv-caption" });
  const kernelTitle = html("div", { class: "pl-conv-caption" });
  const outputTitle = html("div", { class: "pl-conv-caption" });
  const inputLegend = html("div", { class: "pl-conv-legend" });
  const side = `${MAX_SIDE * ZOOM + 2}px`;
  const kernelGrid = html("div", { class: "pl-conv-kernel", role: "table", "aria-label": "the kernel's numbers" });
  const bar = html("div", { class: "pl-conv-bar" });
  const barLow = html("span"), barHigh = html("span");
  const outputLegend = html("div", { class: "pl-conv-legend pl-conv-scale" }, barLow, bar, barHigh);
  const formula = html("div", { class: "pl-conv-formula" });
  const probe = html("div", { class: "pl-conv-probe" });
  const root = html("div", { class: "pl-widget pl-conv-explorer", "data-lm-suppress-shortcuts": "true" },
    html("div", { class: "pl-controls" },
      html("label", {}, "kernel", menu),
      html("label", {}, "or type one:", typed), convolve),
    html("div", { class: "pl-controls" },
      html("label", {}, "stride", stride, strideOut),
      html("label", {}, "padding", padding, paddingOut)),
    html("div", { class: "pl-conv-panels" },
      html("div", { class: "pl-conv-panel" }, inputTitle, input.box, inputLegend),
      html("div", { class: "pl-conv-panel pl-conv-middle" }, kernelTitle, kernelGrid),
      html("div", { class: "pl-conv-panel" }, outputTitle, output.box, outputLegend)),
    formula, probe, note);
  el.append(root);
  for (const legend of [inputLegend, outputLegend]) legend.style.width = side;

  function paint(part, map, colour) {
    const { canvas, overlay, frame, empty } = part;
    frame.style.display = "";
    empty.textContent = "";
    canvas.width = map.width;
    canvas.height = map.height;
    const context = canvas.getContext("2d");
    const pixels = context.createImageData(map.width, map.height);
    map.values.forEach((v, k) => pixels.data.set([...colour(v), 255], 4 * k));
    context.putImageData(pixels, 0, 0);
    frame.style.width = `${map.width * ZOOM}px`;
    frame.style.height = `${map.height * ZOOM}px`;
    overlay.setAttribute("viewBox", `0 0 ${map.width} ${map.height}`);
    overlay.replaceChildren();
  }
  function blank(part, words) {
    part.frame.style.display = "none";
    part.empty.textContent = words;
  }
  const outline = (part, x, y, width, height, cls) =>
    part.overlay.append(svg("rect", { x, y, width, height, class: cls, "vector-effect": "non-scaling-stroke" }));

  // what is drawn now: the kernel's numbers (rows) and the feature map, null where not known
  let shown = null;
  let at = [0, 0];  // the feature-map pixel the probe points at

  function padded(p) {
    const width = image.width + 2 * p, height = image.height + 2 * p;
    const values = new Float32Array(width * height);  // the padding's zeros
    for (let i = 0; i < image.height; i++)
      values.set(image.values.subarray(i * image.width, (i + 1) * image.width), (i + p) * width + p);
    return { values, width, height };
  }

  function drawInput(p) {
    const grey = (v) => {
      const g = Math.round((255 * (v - imageLow)) / (imageHigh - imageLow || 1));
      return [g, g, g];
    };
    paint(input, padded(p), grey);
    if (p > 0) outline(input, p, p, image.width, image.height, "pl-conv-edge");
    inputTitle.textContent = `input ${image.height}×${image.width}, padding ${p}`;
    inputLegend.textContent = p > 0
      ? `black ${fmt(imageLow)}, white ${fmt(imageHigh)}; outside the dashed frame: the padding's zeros`
      : `black ${fmt(imageLow)}, white ${fmt(imageHigh)}`;
  }

  function drawKernel(rows, name) {
    kernelGrid.replaceChildren();
    if (!rows) {
      kernelTitle.textContent = "your kernel";
      kernelGrid.style.gridTemplateColumns = "";
      kernelGrid.append(html("div", { class: "pl-conv-row", role: "row" },
        html("div", { class: "pl-conv-empty", role: "cell" }, "?")));
      return;
    }
    const limit = Math.max(...rows.flat().map(Math.abs)) || 1;
    kernelGrid.style.gridTemplateColumns = `repeat(${rows[0].length}, 2.4em)`;
    for (const row of rows) {
      const line = html("div", { class: "pl-conv-row", role: "row" });  // display: contents
      for (const value of row) {
        const t = value / limit;
        const cell = html("div", { class: "pl-conv-cell", role: "cell" }, kernelText(value));
        cell.style.background = `rgb(${diverging(t).join(",")})`;
        if (Math.abs(t) > 0.6) cell.style.color = "#fff";
        line.append(cell);
      }
      kernelGrid.append(line);
    }
    kernelTitle.textContent = `${name}: ${rows.length}×${rows[0].length}, stride ${Number(stride.value)}`;
  }

  function drawOutput(map) {
    if (!map) return;
    const limit = Math.max(...map.values.map(Math.abs)) || 1;
    paint(output, map, (v) => diverging(v / limit));
    outputTitle.textContent = `feature map ${map.height}×${map.width}`;
    barLow.textContent = `−${fmt(limit)}`;
    barHigh.textContent = `+${fmt(limit)}`;
    outputLegend.style.visibility = "";
  }

  function drawProbe() {
    if (!shown || !shown.map) {
      probe.textContent = "";
      return;
    }
    const { map, rows, s } = shown;
    const [i, j] = [Math.min(at[0], map.height - 1), Math.min(at[1], map.width - 1)];
    at = [i, j];
    const kh = rows.length, kw = rows[0].length;
    input.overlay.querySelectorAll(".pl-conv-window").forEach((node) => node.remove());
    output.overlay.querySelectorAll(".pl-conv-window").forEach((node) => node.remove());
    outline(input, j * s, i * s, kw, kh, "pl-conv-window");
    outline(output, j, i, 1, 1, "pl-conv-window");
    const value = map.values[i * map.width + j];
    probe.textContent = `feature map [${i}, ${j}] ≈ ${fmt(value, 2)}: the kernel times the red window ` +
      `(rows ${i * s}–${i * s + kh - 1}, columns ${j * s}–${j * s + kw - 1} of the padded input), summed. ` +
      "Point at the feature map to move it.";
    root.dataset.probe = `${i},${j}`;
  }

  function show(name, rows, map, words) {
    const s = Number(stride.value), p = Number(padding.value);
    strideOut.textContent = String(s);
    paddingOut.textContent = String(p);
    drawInput(p);
    drawKernel(rows, name);
    shown = { rows, map, s };  // the stride this map was made with
    if (map) {
      drawOutput(map);
      formula.textContent = `output size: ${words}`;
      root.dataset.output = `${map.height}×${map.width}`;
    } else {
      blank(output, "no feature map yet");
      outputTitle.textContent = "feature map";
      outputLegend.style.visibility = "hidden";
      formula.textContent = "output size: ⌊(n + 2p − k)/s⌋ + 1, once the kernel is known";
      root.dataset.output = "";
    }
    drawProbe();
    root.dataset.kernel = menu.value;
    root.dataset.stride = String(s);
    root.dataset.padding = String(p);
  }

  function setStatus(status, words = "", error = false) {
    root.dataset.status = status;
    note.textContent = words;
    note.classList.toggle("pl-error", error);
  }

  let asked = 0;  // only the latest question's answer is drawn
  async function update() {
    const s = Number(stride.value), p = Number(padding.value);
    model.set("kernel", menu.value);
    model.set("stride", s);
    model.set("padding", p);
    model.set("custom", typed.value);
    model.save_changes();
    const mine = ++asked;
    if (menu.value !== CUSTOM) {
      const k = menu.selectedIndex;
      const si = strides.indexOf(s), pi = paddings.indexOf(p);
      show(presets[k], model.get("kernels")[k], presetMap(k, si, pi), model.get("formulas")[si][pi]);
      setStatus("ready");
      return;
    }
    setStatus("asking", "convolving your kernel with F.conv2d in the notebook's kernel...");
    try {
      const result = await askKernel(model, { kernel: typed.value, stride: s, padding: p });
      if (mine !== asked) return;
      show("your kernel", result.kernel, decode(result.map), result.formula);
      setStatus("ready", "Your kernel, convolved by PyTorch (F.conv2d) in the notebook's kernel just now.");
    } catch (error) {
      if (mine !== asked) return;
      show("your kernel", null, null, "");
      if (error.message === "no kernel") setStatus("no kernel", NO_KERNEL, true);
      else setStatus("error", error.message, true);
    }
  }

  menu.value = presets.includes(model.get("kernel")) || model.get("kernel") === CUSTOM ? model.get("kernel") : presets[0];
  stride.value = model.get("stride");
  padding.value = model.get("padding");
  typed.value = model.get("custom");

  menu.addEventListener("change", update);
  stride.addEventListener("input", update);
  padding.addEventListener("input", update);
  const useTyped = () => { menu.value = CUSTOM; update(); };
  convolve.addEventListener("click", useTyped);
  typed.addEventListener("keydown", (event) => { if (event.key === "Enter") useTyped(); });

  // the probe: which window of the input made this feature-map pixel
  output.box.addEventListener("pointermove", (event) => {
    if (!shown || !shown.map) return;
    const box = output.frame.getBoundingClientRect();
    const j = Math.floor(((event.clientX - box.left) / box.width) * shown.map.width);
    const i = Math.floor(((event.clientY - box.top) / box.height) * shown.map.height);
    if (i < 0 || j < 0 || i >= shown.map.height || j >= shown.map.width) return;
    at = [i, j];
    drawProbe();
  });
  output.box.addEventListener("keydown", (event) => {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (!moves[event.key] || !shown || !shown.map) return;
    event.preventDefault();
    at = [Math.max(0, at[0] + moves[event.key][0]), Math.max(0, at[1] + moves[event.key][1])];
    drawProbe();
  });
  update();
}

export default { render };
