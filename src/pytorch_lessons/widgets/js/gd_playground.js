// The gradient-descent playground: an optimizer's path on a loss surface's contour plot, and
// its loss at each step. Python (widgets/gd_playground.py) ran the optimizers with torch.optim
// at a few learning rates and momenta from each surface's start point; the controls pick one
// of those paths and redraw at once. Other settings are run by the kernel.

const W = 720, H = 290;
const MAP = [52, 30, 392, 250];      // left, top, right, bottom
const LOSS = [470, 30, 702, 250];
const FLOOR = 1e-6;                  // the loss panel's bottom
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

// Stored numbers are whole numbers written as text (encode() in gd_playground.py): each the
// change from the one before, folded to a count (0, -1, 1, -2... as 0, 1, 2, 3...), 5 bits a
// character, lowest first; a character of MORE means more bits follow; "." is a missing value.
const LAST = "0123456789ABCDEFGHIJKLMNOPQRSTUV", MORE = "WXYZabcdefghijklmnopqrstuvwxyz+/";
function decode(text) {
  const values = [];
  let last = 0, count = 0, shift = 0;
  for (const char of text) {
    if (char === ".") { values.push(null); continue; }
    const more = MORE.indexOf(char);
    count += (more >= 0 ? more : LAST.indexOf(char)) * 2 ** shift;
    shift += 5;
    if (more >= 0) continue;
    last += count % 2 ? -(count + 1) / 2 : count / 2;
    values.push(last);
    count = shift = 0;
  }
  return values;
}

/** A path as stored: "loss x y gap [steps]" (_path_state in gd_playground.py). */
function readPath(text, s) {
  const [loss, x, y, gap, kept] = text.split(" ");
  const at = (v) => (v === null ? NaN : v * s.unit);
  const xs = decode(x).map(at), ys = decode(y).map(at);
  const steps = kept ? decode(kept) : xs.map((_, k) => k);
  const last = steps[steps.length - 1];
  return {
    loss: Number(loss), xs, ys, steps, dots: !kept,
    gaps: decode(gap).map((v) => (v === null ? NaN : 10 ** (v / 50))),
    divergedAt: last < s.steps ? last : null,
  };
}

function viridis(t) {
  const x = t * (VIRIDIS.length - 1), k = Math.min(Math.floor(x), VIRIDIS.length - 2);
  return `rgb(${VIRIDIS[k].map((c, i) => Math.round(c + (x - k) * (VIRIDIS[k + 1][i] - c)))})`;
}

const power = (e) => (e === 0 ? "1" : e === 1 ? "10" : "10" + [...String(e)].map((c) => "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"["-0123456789".indexOf(c)]).join(""));
const STAR = "M0,-7L1.9,-2.5L6.7,-2.2L3,1L4.1,5.7L0,3.1L-4.1,5.7L-3,1L-6.7,-2.2L-1.9,-2.5Z";

function render({ model, el }) {
  const surfaces = JSON.parse(model.get("surfaces"));
  const menu = (name, items) => html("select", { "aria-label": name }, ...items.map((v) => html("option", { value: v }, v)));
  const surfaceMenu = menu("loss surface", Object.keys(surfaces));
  const optimizerMenu = menu("optimizer", Object.keys(Object.values(surfaces)[0].lrs));
  const lrSlider = html("input", { type: "range", min: 0, step: 1, "aria-label": "learning rate (log scale)" });
  const momentumSlider = html("input", { type: "range", min: 0, max: 0.99, step: 0.01, "aria-label": "momentum" });
  const lrOut = html("output"), momentumOut = html("output");
  const typed = html("input", { type: "number", min: "0", step: "any", "aria-label": "a learning rate of your own" });
  const runTyped = html("button", { type: "button" }, "run it");
  const startNames = [html("span"), html("span")];
  const startInputs = startNames.map(() => html("input", { type: "number", step: "0.1" }));
  const reset = html("button", { type: "button" }, "reset start");
  const note = html("div", { class: "pl-note", role: "status" });
  const row = (...items) => html("div", { class: "pl-controls" }, ...items);
  const label = (text, ...items) => html("label", {}, text, ...items);
  const root = widgetRoot("gd-playground");
  root.append(
    row(label("surface", surfaceMenu), label("optimizer", optimizerMenu)),
    row(label("learning rate", lrSlider, lrOut), html("span", { class: "pl-gd-typed" }, label("or type one:", typed), runTyped)),
    row(label("momentum", momentumSlider, momentumOut)),
    row("start (or click the contour plot):", label(startNames[0], startInputs[0]), label(startNames[1], startInputs[1]), reset));
  const picture = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" });
  root.append(picture, note);
  el.append(root);

  const clip = ([x0, y0, x1, y1]) => {
    const id = `pl-gd-${Math.random().toString(36).slice(2)}`;
    const path = svg("clipPath", { id });
    path.append(svg("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }));
    picture.append(path);
    return `url(#${id})`;
  };
  const mapClip = clip(MAP), lossClip = clip(LOSS);
  const surfaceLayer = svg("g"), lossAxes = svg("g");
  const trail = svg("path", { class: "pl-gd-path", "clip-path": mapClip });
  const dots = svg("g", { class: "pl-gd-dots", "clip-path": mapClip });
  const startMark = svg("circle", { r: 5, class: "pl-gd-start" });
  const endMark = svg("path", { class: "pl-gd-end" });
  const lossCurve = svg("path", { class: "pl-gd-path", "clip-path": lossClip });
  const title = svg("text", { x: MAP[0], y: 18, class: "pl-title" });
  const diverged = [MAP, LOSS].map((b) =>
    svg("text", { x: (b[0] + b[2]) / 2, y: b[1] + 40, "text-anchor": "middle", class: "pl-diverged" }, "diverged"));
  picture.append(surfaceLayer, lossAxes, trail, dots, startMark, endMark, lossCurve, title, ...diverged);

  const now = {};                      // the settings: surface, optimizer, lr, momentum, start
  const computed = new Map();          // what the kernel ran, by request
  let s, mapX, mapY, lossX, lossY, lossTop, asked = 0, timer;

  function drawSurface() {
    const [x0, x1, y0, y1] = s.view;
    mapX = scale(x0, x1, MAP[0], MAP[2]);
    mapY = scale(y0, y1, MAP[3], MAP[1]);
    const lines = svg("g", { class: "pl-gd-contours", "clip-path": mapClip });
    for (const line of s.contours) {
      const [level, x, y] = line.split(" "), ys = decode(y);
      const points = decode(x).map((v, k) => [mapX(v * s.unit), mapY(ys[k] * s.unit)]);
      lines.append(svg("path", { d: linePath(points), stroke: viridis(level / (s.levels - 1)) }));
    }
    surfaceLayer.replaceChildren(lines);
    drawAxes(surfaceLayer, mapX, mapY, MAP, { x: s.names[0], y: s.names[1] });
    const [mx, my] = [mapX(s.minimum[0]), mapY(s.minimum[1])];
    surfaceLayer.append(svg("path", { d: `M${mx - 5},${my - 5}l10,10m0,-10l-10,10`, class: "pl-gd-minimum" }));
    lossX = scale(0, s.steps, LOSS[0], LOSS[2]);
    lossTop = null;
    drawLossAxes(s.start_gap);
  }

  function drawLossAxes(startGap) {    // from 1e-6 to 1000 times the gap at the start
    const top = Math.max(startGap, 1e-3) * 1e3;
    if (top === lossTop) return;
    lossTop = top;
    lossY = scale(FLOOR, top, LOSS[3], LOSS[1], true);
    lossY.ticks = () => [];            // labelled below, as powers of 10
    lossAxes.replaceChildren();
    drawAxes(lossAxes, lossX, lossY, LOSS, { x: "step", y: "loss − minimum" });
    const low = Math.log10(FLOOR), high = Math.floor(Math.log10(top)), every = Math.ceil((high - low) / 6);
    for (let e = low; e <= high; e += every) {
      const y = lossY(10 ** e);
      lossAxes.append(svg("line", { x1: LOSS[0] - 4, x2: LOSS[0], y1: y, y2: y, class: "pl-tick" }),
        svg("text", { x: LOSS[0] - 6, y: y + 4, "text-anchor": "end", class: "pl-tick-label" }, power(e)));
    }
  }

  const withMomentum = () => now.optimizer === "SGD + momentum";
  const named = () => `${now.optimizer}${withMomentum() ? ` ${fmt(now.momentum)}` : ""}, lr ${fmt(now.lr)}`;
  const from = () => `from (${now.start.map((v) => fmt(v)).join(", ")})`;

  function status(words, source, finalLoss = "") {
    Object.assign(root.dataset, { status: words, source, finalLoss });
    title.textContent = `${now.surface}: ${named()}: ${words}`;
    picture.setAttribute("aria-label", `Contour plot and loss curve, ${title.textContent}`);
  }

  function drawPath(path, source) {
    const place = path.xs.map((x, k) => [mapX(x), mapY(path.ys[k])]);
    const gone = path.divergedAt !== null;
    trail.setAttribute("d", linePath(place));
    dots.replaceChildren(...(path.dots ? place.filter(([x, y]) => Number.isFinite(x + y)) : [])
      .map(([x, y]) => svg("circle", { cx: x, cy: y, r: 2 })));
    startMark.setAttribute("cx", place[0][0]);
    startMark.setAttribute("cy", place[0][1]);
    endMark.setAttribute("d", gone ? "" : STAR);
    endMark.setAttribute("transform", `translate(${place[place.length - 1]})`);
    drawLossAxes(path.gaps[0]);
    const clamp = (g) => Math.min(Math.max(g, FLOOR / 10), lossTop * 10);
    lossCurve.setAttribute("d", linePath(path.steps.map((k, i) => [lossX(k), lossY(clamp(path.gaps[i]))])));
    for (const text of diverged) text.style.display = gone ? "" : "none";
    status(gone ? `diverged at step ${path.divergedAt}` : `final loss ${fmt(path.loss)}`, source, fmt(path.loss, 4));
    if (source === "kernel") note.textContent = `${named()} ${from()}: run by PyTorch in the kernel just now.`;
  }

  function clearPath(words) {
    for (const part of [trail, endMark, lossCurve]) part.setAttribute("d", "");
    dots.replaceChildren();
    for (const text of diverged) text.style.display = "none";
    startMark.setAttribute("cx", mapX(now.start[0]));
    startMark.setAttribute("cy", mapY(now.start[1]));
    status(words, "");
  }

  function stored() {                  // the path Python stored for these settings, if any
    if (now.start.some((v, k) => v !== s.start[k])) return null;
    if (withMomentum() && now.momentum !== 0.9) {
      const k = s.momenta.indexOf(now.momentum);
      return now.lr === s.momentum_lr && k >= 0 ? s.momentum_paths[k] : null;
    }
    const k = s.lrs[now.optimizer].indexOf(now.lr);
    return k >= 0 ? s.paths[now.optimizer][k] : null;
  }

  function show() {
    for (const key of ["surface", "optimizer", "lr", "momentum", "start"]) model.set(key, now[key]);
    model.save_changes();
    Object.assign(root.dataset, { surface: now.surface, optimizer: now.optimizer, lr: fmt(now.lr), momentum: fmt(now.momentum), start: now.start.join(",") });
    lrOut.textContent = fmt(now.lr);
    momentumOut.textContent = now.momentum.toFixed(2);
    momentumSlider.disabled = !withMomentum();
    note.classList.remove("pl-error");
    note.textContent = "";
    const ask = { ...now, momentum: withMomentum() ? now.momentum : 0.9 };   // the others ignore it
    const key = JSON.stringify(ask), known = stored(), mine = ++asked;
    clearTimeout(timer);
    if (known || computed.has(key)) return drawPath(readPath(known || computed.get(key), s), known ? "stored" : "kernel");
    clearPath("running in the kernel");
    note.textContent = `${named()} ${from()} is not stored: running it in the kernel...`;
    timer = setTimeout(async () => {   // a slider dragged across many values asks once
      try {
        computed.set(key, await askKernel(model, ask));
        if (mine === asked) drawPath(readPath(computed.get(key), s), "kernel");
      } catch (error) {
        if (mine !== asked) return;
        const none = error.message === "no kernel";
        clearPath(none ? "needs the kernel" : "error");
        note.textContent = `${named()} ${from()} is not stored. ${none ? NO_KERNEL : error.message}`;
        note.classList.add("pl-error");
      }
    }, 150);
  }

  function setRate(lr) {               // the slider stops at this optimizer's stored rates
    const rates = s.lrs[now.optimizer], off = (k) => Math.abs(Math.log(rates[k] / lr));
    lrSlider.max = rates.length - 1;
    lrSlider.value = rates.reduce((best, _, k) => (off(k) < off(best) ? k : best), 0);
    now.lr = rates[lrSlider.value];
  }

  function setStart(point) {
    now.start = point;
    startInputs.forEach((input, k) => { input.value = point[k]; });
  }

  function setSurface(name) {
    now.surface = surfaceMenu.value = name;
    s = surfaces[name];
    startNames.forEach((span, k) => {
      span.textContent = s.names[k];
      startInputs[k].setAttribute("aria-label", `start ${s.names[k]}`);
    });
    drawSurface();
  }

  now.optimizer = optimizerMenu.value = model.get("optimizer");
  now.momentum = model.get("momentum");
  momentumSlider.value = now.momentum;
  setSurface(model.get("surface"));
  setStart([...model.get("start")]);
  setRate(model.get("lr"));
  now.lr = model.get("lr");            // as left: a typed-in rate stays

  surfaceMenu.addEventListener("change", () => {
    setSurface(surfaceMenu.value);     // each surface has its own view, start and rates
    setStart([...s.start]);
    setRate(s.lr);
    now.momentum = 0.9;
    momentumSlider.value = 0.9;
    show();
  });
  optimizerMenu.addEventListener("change", () => { now.optimizer = optimizerMenu.value; setRate(now.lr); show(); });
  lrSlider.addEventListener("input", () => { now.lr = s.lrs[now.optimizer][lrSlider.value]; show(); });
  momentumSlider.addEventListener("input", () => { now.momentum = Number(momentumSlider.value); show(); });
  function fromTyped() {
    const lr = Number(typed.value);
    if (!(lr > 0 && Number.isFinite(lr))) {
      note.textContent = "Type a learning rate above 0, e.g. 0.07.";
      return note.classList.add("pl-error");
    }
    setRate(lr);
    now.lr = lr;
    show();
  }
  runTyped.addEventListener("click", fromTyped);
  typed.addEventListener("keydown", (event) => { if (event.key === "Enter") fromTyped(); });
  for (const input of startInputs) {
    input.addEventListener("change", () => {
      const point = startInputs.map((i) => Number(i.value));
      if (point.every(Number.isFinite)) { now.start = point; show(); }
    });
  }
  reset.addEventListener("click", () => { setStart([...s.start]); show(); });
  picture.addEventListener("click", (event) => {   // start where the contour plot is clicked
    const at = new DOMPoint(event.clientX, event.clientY).matrixTransform(picture.getScreenCTM().inverse());
    const [left, top, right, bottom] = MAP, [x0, x1, y0, y1] = s.view;
    if (at.x < left || at.x > right || at.y < top || at.y > bottom) return;
    const round = (v) => Math.round(v * 100) / 100;
    setStart([round(x0 + ((at.x - left) / (right - left)) * (x1 - x0)), round(y1 - ((at.y - top) / (bottom - top)) * (y1 - y0))]);
    show();
  });
  show();
}

export default { render };
