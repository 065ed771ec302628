// The oral's timer on the jury page: elapsed time, the minimum and maximum durations
// (tiers temps included, computed by the server), announced once each to screen readers.
(function () {
  "use strict";
  const box = document.getElementById("oral-timer");
  if (!box || !box.dataset.started) { return; }
  const started = Date.parse(box.dataset.started);
  const offset = Date.parse(box.dataset.now) - Date.now(); // the server's clock, not the PC's
  const ended = box.dataset.ended ? Date.parse(box.dataset.ended) : null;
  const min = Number(box.dataset.min) * 1000;
  const max = Number(box.dataset.max) * 1000;
  const shown = box.querySelector(".elapsed");
  const status = document.getElementById("oral-status");
  const said = { min: false, max: false };
  function two(n) { return String(n).padStart(2, "0"); }
  function tick() {
    const at = ended !== null ? ended : Date.now() + offset;
    const elapsed = Math.max(0, at - started);
    const seconds = Math.floor(elapsed / 1000);
    shown.textContent = two(Math.floor(seconds / 60)) + ":" + two(seconds % 60);
    if (elapsed >= min && !said.min) {
      said.min = true;
      box.classList.add("oral-min-reached");
      if (ended === null) { status.textContent = box.dataset.msgMin; }
    }
    if (elapsed >= max && !said.max) {
      said.max = true;
      box.classList.add("oral-max-reached");
      if (ended === null) { status.textContent = box.dataset.msgMax; }
    }
    if (ended === null) { window.setTimeout(tick, 1000); }
  }
  tick();
})();
