// Shared by every widget of the book. widgets/base.py puts this file in front of each widget's
// own module, so each ESM module stays one self-contained string: the form anywidget, the
// notebook's stored widget state and the static site all carry.

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes, and optional text content. */
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** An HTML element with attributes (``class``, ``data-*``, ``aria-*``...) and children. */
function html(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

/**
 * A widget's root element, ``pl-widget pl-<name>``. ``data-lm-suppress-shortcuts`` keeps
 * JupyterLab's keyboard shortcuts out of it: keys typed into its inputs stay there.
 */
function widgetRoot(name) {
  return html("div", { class: `pl-widget pl-${name}`, "data-lm-suppress-shortcuts": "true" });
}

/** A linear or log map from data to pixels, with "nice" tick values. */
function scale(low, high, from, to, log = false) {
  const f = log ? Math.log10 : (v) => v;
  const a = f(low);
  const b = f(high);
  const map = (v) => from + ((f(v) - a) / (b - a)) * (to - from);
  map.ticks = () => {
    if (log) {
      const ticks = [];
      for (let e = Math.ceil(a); e <= Math.floor(b); e++) ticks.push(10 ** e);
      return ticks;
    }
    const raw = (high - low) / 5;
    const step = 10 ** Math.floor(Math.log10(raw));
    const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(low / nice) * nice; v <= high + 1e-9 * nice; v += nice) ticks.push(+v.toPrecision(12));
    return ticks;
  };
  return map;
}

/** A number as people write it: 3 significant digits, no trailing zeros. */
function fmt(value, digits = 3) {
  if (value === null || !Number.isFinite(value)) return String(value);
  return String(+value.toPrecision(digits));
}

/** Axes with ticks and labels into ``group``: x along the bottom, y on the left. */
function drawAxes(group, xs, ys, box, labels = {}) {
  const [left, top, right, bottom] = box;
  group.append(svg("rect", { x: left, y: top, width: right - left, height: bottom - top, class: "pl-frame" }));
  for (const t of xs.ticks()) {
    const x = xs(t);
    group.append(svg("line", { x1: x, x2: x, y1: bottom, y2: bottom + 4, class: "pl-tick" }));
    group.append(svg("text", { x, y: bottom + 15, "text-anchor": "middle", class: "pl-tick-label" }, fmt(t)));
  }
  for (const t of ys.ticks()) {
    const y = ys(t);
    group.append(svg("line", { x1: left - 4, x2: left, y1: y, y2: y, class: "pl-tick" }));
    group.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "pl-tick-label" }, fmt(t)));
  }
  if (labels.x) group.append(svg("text", { x: (left + right) / 2, y: bottom + 30, "text-anchor": "middle", class: "pl-axis-label" }, labels.x));
  if (labels.y) {
    const y = (top + bottom) / 2;
    const x = left - 42;  // left of the tick labels
    group.append(svg("text", { x, y, transform: `rotate(-90 ${x} ${y})`, "text-anchor": "middle", class: "pl-axis-label" }, labels.y));
  }
}

/** SVG path data through the points, broken where a value is missing (null) or off the chart. */
function linePath(points) {
  let d = "";
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
    d += `${pen ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/**
 * Ask the kernel's Python side to compute something: resolves with its answer, or rejects with
 * "no kernel" when nothing answers -- a notebook opened without running its cells, or the
 * static site. The Python side is BookWidget._answer in widgets/base.py.
 */
function askKernel(model, request, timeout = 3000) {
  const id = `${Date.now()}-${Math.random()}`;
  return new Promise((resolve, reject) => {
    let timer;
    const listener = (message) => {
      if (!message || message.answer !== id) return;
      clearTimeout(timer);
      model.off("msg:custom", listener);
      if (message.error) reject(new Error(message.error));
      else resolve(message.result);
    };
    model.on("msg:custom", listener);
    timer = setTimeout(() => {
      model.off("msg:custom", listener);
      reject(new Error("no kernel"));
    }, timeout);
    try {
      model.send({ ask: id, ...request });
    } catch (error) {
      clearTimeout(timer);
      model.off("msg:custom", listener);
      reject(new Error("no kernel"));
    }
  });
}

/** The line a widget shows when a control needs the kernel and there is none: in a notebook
 * not run yet, or on the book's static site (whose page sets ``window.plStaticSite``). */
const NO_KERNEL = typeof window !== "undefined" && window.plStaticSite
  ? "This needs PyTorch running: open the chapter in JupyterLab and run this cell."
  : "This needs the notebook's kernel: run the cell (Shift+Enter), then try again.";
