// The draw-a-digit pad: draw a digit, see it preprocessed like MNIST, and see what the model
// the reader trained makes of it. Python (widgets/digit_pad.py) exported the model's weights,
// batch norm folded into the convolutions, as float16 (compressed); this module runs the forward pass itself,
// in the page, on every stroke -- no kernel, no server. preprocess() and forward() are exported
// so that tests can compare them with PyTorch.

const PAD = 280;           // the drawing square, in canvas pixels
const PEN = 20;            // stroke width: about 1.5 pixels of the 20 x 20 box for a full-height digit
const BOX = 20;            // MNIST: the digit's bounding box is scaled to fit 20 x 20 ...
const SIZE = 28;           // ... inside 28 x 28 ...
const CENTRE = 14;         // ... with its centre of mass moved (by whole pixels) to pixel (14, 14)

/** A float16 (its 16 bits as an integer) as a number. */
function half(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;               // subnormal
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The exported weights -> {name: {shape, data}}: base64 of the zlib-compressed float16 bytes,
 * every high byte first, then every low byte (digit_pad.py, encode_float16); [[name, shape], ...]
 * cuts them apart. */
export async function decodeWeights(base64, shapes) {
  const packed = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate"));
  const planes = new Uint8Array(await new Response(stream).arrayBuffer());
  const total = planes.length / 2;
  const needed = shapes.reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
  if (needed !== total) throw new Error(`weights: ${planes.length} bytes, shapes say ${2 * needed}`);
  const net = {};
  let offset = 0;
  for (const [name, shape] of shapes) {
    const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) {
      const at = offset + i;
      data[i] = half((planes[at] << 8) | planes[total + at]);
    }
    offset += data.length;
    net[name] = { shape, data };
  }
  return net;
}

// ---- the forward pass: a tensor is {shape: [channels, height, width], data} ----------------

/** nn.Conv2d with zero padding: x (C, H, W), weight (O, C, k, k), bias (O) -> (O, H', W'). */
function conv2d(x, weight, bias, stride, padding) {
  const [C, H, W] = x.shape;
  const [O, , k] = weight.shape;
  const Ho = Math.floor((H + 2 * padding - k) / stride) + 1;
  const Wo = Math.floor((W + 2 * padding - k) / stride) + 1;
  const out = new Float64Array(O * Ho * Wo);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        let sum = bias.data[o];
        for (let c = 0; c < C; c++) {
          for (let u = 0; u < k; u++) {
            const row = i * stride - padding + u;
            if (row < 0 || row >= H) continue;
            for (let v = 0; v < k; v++) {
              const col = j * stride - padding + v;
              if (col < 0 || col >= W) continue;
              sum += weight.data[((o * C + c) * k + u) * k + v] * x.data[(c * H + row) * W + col];
            }
          }
        }
        out[(o * Ho + i) * Wo + j] = sum;
      }
    }
  }
  return { shape: [O, Ho, Wo], data: out };
}

/**
 * nn.MaxPool2d(2): the largest of each 2 x 2 block (an odd last row or column is dropped).
 * For the channels in `flipped` it takes the smallest: folding a batch norm with a negative
 * scale into the convolution before the pool turned those channels upside down (digit_pad.py).
 */
function pool2(x, flipped) {
  const [C, H, W] = x.shape;
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2);
  const out = new Float64Array(C * Ho * Wo);
  const flip = new Set(flipped);
  for (let c = 0; c < C; c++) {
    const pick = flip.has(c) ? Math.min : Math.max;
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        const at = (r, s) => x.data[(c * H + 2 * i + r) * W + 2 * j + s];
        out[(c * Ho + i) * Wo + j] = pick(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      }
    }
  }
  return { shape: [C, Ho, Wo], data: out };
}

/** nn.ReLU, in place. */
function relu(x) {
  for (let i = 0; i < x.data.length; i++) if (x.data[i] < 0) x.data[i] = 0;
  return x;
}

/** nn.Linear on a flat input: weight (O, I), bias (O). */
function linear(x, weight, bias) {
  const [O, I] = weight.shape;
  const out = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    let sum = bias.data[o];
    for (let i = 0; i < I; i++) sum += weight.data[o * I + i] * x.data[i];
    out[o] = sum;
  }
  return { shape: [O], data: out };
}

/** Softmax, shifted by the largest logit so that exp never overflows. */
function softmax(logits) {
  const top = Math.max(...logits);
  const e = Array.from(logits, (z) => Math.exp(z - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/**
 * Chapter 07's MnistCNN in eval() mode, batch norm folded in: the ten probabilities for one
 * normalized 28 x 28 input (784 numbers, row by row).
 */
export function forward(net, input, flipped = {}) {
  let x = { shape: [1, SIZE, SIZE], data: Float64Array.from(input) };
  x = relu(conv2d(x, net["conv1.weight"], net["conv1.bias"], 2, 2));                  // 28 -> 14
  x = relu(pool2(conv2d(x, net["conv2.weight"], net["conv2.bias"], 1, 1), flipped.conv2 || []));  // -> 7
  x = relu(pool2(conv2d(x, net["conv3.weight"], net["conv3.bias"], 1, 1), flipped.conv3 || []));  // -> 3
  x = relu(linear(x, net["fc1.weight"], net["fc1.bias"]));         // flatten: (C, 3, 3) row by row
  return softmax(linear(x, net["fc2.weight"], net["fc2.bias"]).data);
}

// ---- preprocessing -----------------------------------------------------------------------

/**
 * Area resampling along one axis: input pixel i covers [i r, (i + 1) r) of the output axis,
 * output pixel k covers [k, k + 1); each output pixel gets every input pixel's overlap.
 */
function overlaps(n, r) {
  const size = Math.ceil(n * r - 1e-9);
  const weights = Array.from({ length: size }, () => []);
  for (let i = 0; i < n; i++) {
    const a = i * r, b = (i + 1) * r;
    for (let k = Math.floor(a); k < Math.min(size, Math.ceil(b)); k++) {
      const share = Math.min(b, k + 1) - Math.max(a, k);
      if (share > 0) weights[k].push([i, share]);
    }
  }
  return weights;
}

/** The ink of rows top.. and columns left.. of `ink` (width wide), r times the size. */
function resample(ink, width, top, left, rows, cols, r) {
  const ys = overlaps(rows, r), xs = overlaps(cols, r);
  const h = ys.length, w = xs.length;
  const across = new Float64Array(rows * w);                  // first along each row ...
  for (let y = 0; y < rows; y++) {
    xs.forEach((list, X) => {
      let sum = 0;
      for (const [x, share] of list) sum += share * ink[(top + y) * width + left + x];
      across[y * w + X] = sum;
    });
  }
  const out = new Float64Array(h * w);                        // ... then down each column
  ys.forEach((list, Y) => {
    for (let X = 0; X < w; X++) {
      let sum = 0;
      for (const [y, share] of list) sum += share * across[y * w + X];
      out[Y * w + X] = Math.min(1, sum);
    }
  });
  return { pixels: out, h, w };
}

/**
 * A drawing as MNIST's digits were made: `ink` (0..1, width x height, row by row) -> the
 * 28 x 28 pixels (0..1), or null when nothing is drawn. Crop to the ink's bounding box, scale it
 * to fit 20 x 20 keeping its aspect ratio (each pixel the share of its area that is ink), and
 * place it in 28 x 28 with its centre of mass on pixel (14, 14), to the nearest whole pixel.
 * With `centre` false the whole square is only shrunk to 28 x 28 -- to see why MNIST centres.
 */
export function preprocess(ink, width, height, centre = true) {
  if (!centre) return resample(ink, width, 0, 0, height, width, SIZE / Math.max(width, height)).pixels;
  let top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > 0) {
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return null;
  const rows = bottom - top + 1, cols = right - left + 1;
  const small = resample(ink, width, top, left, rows, cols, BOX / Math.max(rows, cols));
  let mass = 0, my = 0, mx = 0;
  for (let Y = 0; Y < small.h; Y++) {
    for (let X = 0; X < small.w; X++) {
      const v = small.pixels[Y * small.w + X];
      mass += v; my += v * Y; mx += v * X;
    }
  }
  // to the nearest whole pixel; a tie (a symmetric stroke) rounds the same way whatever the rounding
  const nearest = (v) => Math.floor(v + 0.5 + 1e-9);
  const dy = nearest(CENTRE - my / mass), dx = nearest(CENTRE - mx / mass);
  const pixels = new Float64Array(SIZE * SIZE);
  for (let Y = 0; Y < small.h; Y++) {
    for (let X = 0; X < small.w; X++) {
      const y = Y + dy, x = X + dx;
      if (y >= 0 && y < SIZE && x >= 0 && x < SIZE) pixels[y * SIZE + x] = small.pixels[Y * small.w + X];
    }
  }
  return pixels;
}

/** MNIST's normalization, as transforms.Normalize((mean,), (std,)) does it. */
export function normalize(pixels, mean, std) {
  return Array.from(pixels, (v) => (v - mean) / std);
}

// ---- the widget --------------------------------------------------------------------------

async function render({ model, el }) {
  let net;
  try {
    net = await decodeWeights(model.get("weights"), model.get("shapes"));
  } catch (error) {
    const failed = html("div", { class: "pl-widget pl-digit-pad", "data-status": "error" },
      html("div", { class: "pl-note pl-error", role: "status" },
        `The model's weights could not be unpacked in this browser: ${error.message}`));
    el.append(failed);
    return;
  }
  const flipped = model.get("flipped");
  const mean = model.get("mean"), std = model.get("std");

  const root = html("div", { class: "pl-widget pl-digit-pad", "data-status": "empty", "data-prediction": "", "data-lm-suppress-shortcuts": "true" });
  const pad = html("canvas", {
    width: PAD, height: PAD, class: "pl-pad-canvas", role: "img",
    "aria-label": "drawing pad: draw one digit with the mouse, a finger or a pen",
  });
  const clear = html("button", { type: "button", "aria-label": "clear the drawing" }, "Clear");
  const centring = html("input", { type: "checkbox", "aria-label": "MNIST preprocessing: crop, scale to 20 × 20, centre" });
  centring.checked = true;
  const seen = html("canvas", {
    width: SIZE, height: SIZE, class: "pl-pad-input", role: "img",
    "aria-label": "what the model sees: the drawing at 28 × 28 pixels",
  });
  const answer = html("div", { class: "pl-pad-answer", "data-prediction": "", "aria-live": "polite" });
  const bars = svg("svg", { viewBox: "0 0 250 236", width: 250, height: 236, role: "img" });
  const note = html("div", { class: "pl-note", role: "status" });
  root.append(
    html("div", { class: "pl-pad-panels" },
      html("div", { class: "pl-pad-panel" }, pad,
        html("div", { class: "pl-controls" }, clear,
          html("label", {}, centring, "preprocess like MNIST"))),
      html("div", { class: "pl-pad-panel" },
        html("div", { class: "pl-pad-row" },
          html("div", {}, html("div", { class: "pl-pad-caption" }, "what the model sees (28 × 28)"), seen),
          html("div", {}, html("div", { class: "pl-pad-caption" }, "the model says"), answer)),
        html("div", { class: "pl-pad-caption" }, "probabilities"), bars)),
    note);
  el.append(root);

  // ten bars, drawn once; each prediction only changes their widths and numbers
  const rows = [];
  for (let d = 0; d < 10; d++) {
    const y = 4 + d * 23;
    bars.append(svg("text", { x: 10, y: y + 14, "text-anchor": "middle", class: "pl-tick-label" }, String(d)));
    const bar = svg("rect", { x: 22, y, height: 18, width: 0, class: "pl-pad-bar" });
    const value = svg("text", { x: 26, y: y + 14, class: "pl-tick-label" });
    bars.append(bar, value);
    rows.push({ bar, value });
  }

  const ctx = pad.getContext("2d", { willReadFrequently: true });
  const seenCtx = seen.getContext("2d");
  let pending = false;
  let last = null;

  function show(pixels, probabilities) {
    const picture = seenCtx.createImageData(SIZE, SIZE);        // white ink on black, like MNIST
    for (let i = 0; i < SIZE * SIZE; i++) {
      const v = Math.round(255 * (pixels ? pixels[i] : 0));
      picture.data.set([v, v, v, 255], 4 * i);
    }
    seenCtx.putImageData(picture, 0, 0);
    const top = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    rows.forEach(({ bar, value }, d) => {
      const p = probabilities ? probabilities[d] : 0;
      bar.setAttribute("width", (170 * p).toFixed(1));
      bar.setAttribute("class", d === top ? "pl-pad-bar pl-top" : "pl-pad-bar");
      value.setAttribute("x", (26 + 170 * p).toFixed(1));
      value.textContent = probabilities ? `${(100 * p).toFixed(p < 0.995 ? 1 : 2)} %` : "";
    });
    const digit = top < 0 ? "" : String(top);
    answer.textContent = top < 0 ? "–" : digit;
    answer.dataset.prediction = digit;
    root.dataset.prediction = digit;
    root.dataset.status = top < 0 ? "empty" : "drawn";
    root.dataset.probability = top < 0 ? "" : fmt(probabilities[top]);
    root.dataset.preprocess = centring.checked ? "mnist" : "shrink";
    bars.setAttribute("aria-label", top < 0 ? "no drawing yet" :
      `probabilities: ${probabilities.map((p, d) => `${d}: ${(100 * p).toFixed(1)} %`).join(", ")}`);
    note.textContent = top < 0 ? "Draw one digit, 0 to 9, in the square: any size, anywhere."
      : `${(100 * probabilities[top]).toFixed(1)} % sure it is a ${top}, computed in this page from your model's weights.`;
  }

  function predict() {
    pending = false;
    const rgba = ctx.getImageData(0, 0, PAD, PAD).data;
    const ink = new Float64Array(PAD * PAD);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3] / 255;
    const pixels = preprocess(ink, PAD, PAD, centring.checked);
    const drawn = ink.some((v) => v > 0);
    last = drawn ? pixels : null;
    show(last, drawn ? forward(net, normalize(pixels, mean, std), flipped) : null);
  }

  function later() {               // at most one prediction per frame while the pen moves
    if (!pending) { pending = true; requestAnimationFrame(predict); }
  }

  function share() {               // the 28 x 28 input to Python: DigitPad.image()
    try {
      model.set("pixels", last ? Array.from(last, (v) => Math.round(v * 1000) / 1000) : []);
      model.save_changes();
    } catch (error) { /* no kernel: nothing to tell */ }
  }

  function at(event) {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * PAD / box.width, (event.clientY - box.top) * PAD / box.height];
  }
  let drawing = null;   // the pointer that draws, and where it was
  let previous = null;
  pad.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    try { pad.setPointerCapture(event.pointerId); } catch (error) { /* not a live pointer */ }
    drawing = event.pointerId;
    previous = at(event);
    ctx.strokeStyle = ctx.fillStyle = getComputedStyle(root).color;
    ctx.lineWidth = PEN;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.arc(previous[0], previous[1], PEN / 2, 0, 2 * Math.PI);      // a tap leaves a dot
    ctx.fill();
    later();
  });
  pad.addEventListener("pointermove", (event) => {
    if (event.pointerId !== drawing) return;
    const points = (event.getCoalescedEvents && event.getCoalescedEvents()) || [];
    for (const point of points.length ? points : [event]) {
      const next = at(point);
      ctx.beginPath();                  // one segment at a time: the stroke so far is not redrawn
      ctx.moveTo(...previous);
      ctx.lineTo(...next);
      ctx.stroke();
      previous = next;
    }
    later();
  });
  const stop = (event) => {
    if (event.pointerId !== drawing) return;
    drawing = null;
    predict();
    share();
  };
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  clear.addEventListener("click", () => {
    ctx.clearRect(0, 0, PAD, PAD);
    predict();
    share();
  });
  centring.addEventListener("change", () => { predict(); share(); });
  show(null, null);
  root.dataset.preprocess = "mnist";
}

export default { render };
