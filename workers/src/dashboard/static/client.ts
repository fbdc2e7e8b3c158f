/**
 * The dashboard's own script, served by the Worker at a URL carrying its hash (assets.ts); the
 * CSP allows scripts from this origin only, so pages carry no inline script. It draws each
 * `[data-chart]` element's series with uPlot (vendored) and keeps them sized to their box.
 * Written as plain ES2017 for every browser the dashboard supports.
 */
export const APP_JS = `
(function () {
  "use strict";
  var PALETTE = ["#3a2fb8", "#c2410c", "#1d6b35", "#a4161a", "#0e7490", "#7a4a00", "#6b21a8", "#334155"];
  function draw(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
    if (!spec || !window.uPlot || !spec.days || spec.days.length === 0) return;
    var xs = spec.days.map(function (d) { return Date.parse(d + "T00:00:00Z") / 1000; });
    var lo = xs[0];
    var hi = xs[xs.length - 1];
    var data = [xs];
    var series = [{}];
    spec.series.forEach(function (s, i) {
      data.push(s.values);
      series.push({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2,
        points: { show: xs.length < 40 } });
    });
    el.textContent = "";
    var plot = new window.uPlot({
      width: Math.max(el.clientWidth, 280), height: 260, series: series,
      // A fixed x range: uPlot's own guess for a single day stretches over years.
      scales: { x: { time: true, auto: false, range: lo === hi ? [lo - 86400, hi + 86400] : [lo, hi] } },
      axes: [{}, { label: spec.yLabel || "" }],
    }, data, el);
    window.addEventListener("resize", function () {
      plot.setSize({ width: Math.max(el.clientWidth, 280), height: 260 });
    });
  }
  function drawAll(root) {
    var nodes = (root || document).querySelectorAll("[data-chart]");
    for (var i = 0; i < nodes.length; i++) draw(nodes[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  else drawAll();
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
`;
