// The learning-rate explorer: the loss curve and the fitted line of one training run per
// learning rate. Python (widgets/lr_explorer.py) trained the line once for every rate of a
// fine log grid; moving the slider only redraws. A rate typed in is trained by the kernel.

const W = 720, H = 270;
const LOSS_BOX = [62, 28, 352, 226];   // left, top, right, bottom
const FIT_BOX = [424, 28, 712, 226];

function render({ model, el }) {
  const root = widgetRoot("lr-explorer");
  const lrs = model.get("lrs");
  const runs = JSON.parse(model.get("runs"));
  const slider = html("input", {
    type: "range", min: 0, max: lrs.length - 1, step: 1,
    "aria-label": "learning rate (log scale)",
  });
  const readout = html("output", { class: "pl-readout" });
  const typed = html("input", { type: "number", min: "0", step: "any", "aria-label": "a learning rate of your own" });
  const train = html("button", { type: "button" }, "train with it");
  const note = html("div", { class: "pl-note", role: "status" });
  root.append(
    html("div", { class: "pl-controls" },
      html("label", {}, "learning rate", slider, readout),
      html("label", {}, "or type one:", typed), train),
  );
  const picture = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" });
  root.append(picture, note);
  el.append(root);

  const xs = model.get("x"), ys = model.get("y");
  const best = model.get("best"), startLoss = model.get("start_loss"), steps = model.get("steps");
  const lossX = scale(0, steps, LOSS_BOX[0], LOSS_BOX[2]);
  const lossY = scale(best / 2, startLoss * 1e3, LOSS_BOX[3], LOSS_BOX[1], true);
  const low = Math.min(...xs), high = Math.max(...xs);
  const margin = 0.2 * (Math.max(...ys) - Math.min(...ys));
  const fitX = scale(low - 0.1, high + 0.1, FIT_BOX[0], FIT_BOX[2]);
  const fitY = scale(Math.min(...ys) - margin, Math.max(...ys) + margin, FIT_BOX[3], FIT_BOX[1]);

  // what never changes, drawn once
  const still = svg("g");
  drawAxes(still, lossX, lossY, LOSS_BOX, { x: "step", y: "MSE loss" });
  drawAxes(still, fitX, fitY, FIT_BOX, { x: "x", y: "y" });
  still.append(svg("line", { x1: LOSS_BOX[0], x2: LOSS_BOX[2], y1: lossY(best), y2: lossY(best), class: "pl-best" }));
  still.append(svg("text", { x: LOSS_BOX[2] - 4, y: lossY(best) - 5, "text-anchor": "end", class: "pl-tick-label" }, "best possible"));
  xs.forEach((x, i) => still.append(svg("circle", { cx: fitX(x), cy: fitY(ys[i]), r: 2.5, class: "pl-point" })));
  // what each run changes
  const curve = svg("path", { class: "pl-curve" });
  const line = svg("line", { class: "pl-curve" });
  const title = svg("text", { x: LOSS_BOX[0], y: 18, class: "pl-title" });
  const fitText = svg("text", { x: FIT_BOX[0] + 6, y: FIT_BOX[1] + 16, class: "pl-tick-label" });
  const diverged = [LOSS_BOX, FIT_BOX].map((b) =>
    svg("text", { x: (b[0] + b[2]) / 2, y: (b[1] + b[3]) / 2, "text-anchor": "middle", class: "pl-diverged" }, "diverged"));
  // the curve and the line stay inside their panels, however far a run flies off
  const clip = (box, name) => {
    const id = `pl-${name}-${Math.random().toString(36).slice(2)}`;
    const path = svg("clipPath", { id });
    path.append(svg("rect", { x: box[0], y: box[1], width: box[2] - box[0], height: box[3] - box[1] }));
    picture.append(path);
    return `url(#${id})`;
  };
  curve.setAttribute("clip-path", clip(LOSS_BOX, "loss"));
  line.setAttribute("clip-path", clip(FIT_BOX, "fit"));
  picture.append(still, curve, line, title, fitText, ...diverged);

  function status(run) {
    if (run.diverged_at !== null) return `diverged at step ${run.diverged_at}`;
    const last = run.losses[run.losses.length - 1];
    if (last > run.losses[0]) return `diverging: loss grew to ${fmt(last)}`;
    return `final loss ${last.toFixed(4)}`;
  }

  function draw(lr, run) {
    const [lo, hi] = [best / 2, startLoss * 1e3];
    const clamp = (v) => (v === null ? null : Math.min(Math.max(v, lo / 10), hi * 10));
    curve.setAttribute("d", linePath(run.losses.map((v, step) => [lossX(step), v === null ? NaN : lossY(clamp(v))])));
    const gone = run.diverged_at !== null;
    for (const label of diverged) label.style.display = gone ? "" : "none";
    if (gone) {
      line.style.display = "none";
      fitText.textContent = "fit: none";
    } else {
      line.style.display = "";
      const at = (x) => run.w * x + run.b;
      line.setAttribute("x1", fitX(low)); line.setAttribute("y1", fitY(at(low)));
      line.setAttribute("x2", fitX(high)); line.setAttribute("y2", fitY(at(high)));
      fitText.textContent = `fit: ${run.w.toFixed(2)} x + ${run.b.toFixed(2)}`;
    }
    const words = `lr = ${fmt(lr)}: ${status(run)}`;
    title.textContent = words;
    picture.setAttribute("aria-label", `Loss curve and fitted line, ${words}`);
    readout.textContent = fmt(lr);
    root.dataset.lr = fmt(lr);
    root.dataset.status = status(run);
  }

  function fromSlider() {
    const k = Number(slider.value);
    draw(lrs[k], runs[k]);
    note.textContent = "";
    note.classList.remove("pl-error");
  }

  const nearest = (lr) => lrs.reduce((k, v, i) => (Math.abs(Math.log(v / lr)) < Math.abs(Math.log(lrs[k] / lr)) ? i : k), 0);
  slider.value = nearest(model.get("lr"));
  slider.addEventListener("input", () => {
    fromSlider();
    model.set("lr", lrs[Number(slider.value)]);
    model.save_changes();
  });

  async function trainTyped() {
    const lr = Number(typed.value);
    note.classList.remove("pl-error");
    if (!(lr > 0) || !Number.isFinite(lr)) {
      note.textContent = "Type a learning rate above 0, e.g. 0.3.";
      note.classList.add("pl-error");
      return;
    }
    note.textContent = `training with lr = ${fmt(lr)} in the kernel...`;
    try {
      const run = await askKernel(model, { lr });
      draw(lr, run);
      note.textContent = `lr = ${fmt(lr)}, trained by PyTorch in the kernel just now.`;
    } catch (error) {
      note.textContent = error.message === "no kernel" ? NO_KERNEL : error.message;
      note.classList.add("pl-error");
    }
  }
  train.addEventListener("click", trainTyped);
  typed.addEventListener("keydown", (event) => { if (event.key === "Enter") trainTyped(); });
  fromSlider();
}

export default { render };
