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
  // A Chart.js-style spec ({ type, labels, datasets: [{ label, data }], yLabel }) over categories
  // (arms or days) at x = 0, 1, 2 …: lines, or bars grouped side by side; a pie is drawn as bars.
  function drawPlot(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-plot")); } catch (e) { return; }
    if (!spec || !window.uPlot || !spec.labels || spec.labels.length === 0 || !spec.datasets) return;
    var labels = spec.labels;
    var n = labels.length;
    var m = spec.datasets.length;
    var xs = labels.map(function (_, i) { return i; });
    var bars = spec.type !== "line";
    var width = 0.8 / Math.max(m, 1);
    var data = [xs];
    var series = [{ label: spec.xLabel || "", value: function (u, v) { return v == null ? "" : labels[v] || ""; } }];
    spec.datasets.forEach(function (d, j) {
      data.push(d.data);
      var colour = PALETTE[j % PALETTE.length];
      var s = { label: d.label, stroke: colour, width: bars ? 1 : 2, points: { show: !bars && n < 40 } };
      if (bars) {
        s.fill = colour;
        s.paths = window.uPlot.paths.bars({ disp: {
          x0: { unit: 1, values: function () { return xs.map(function (x) { return x - 0.4 + j * width; }); } },
          size: { unit: 1, values: function () { return xs.map(function () { return width; }); } },
        } });
      }
      series.push(s);
    });
    var step = Math.max(1, Math.ceil(n / 12));
    el.textContent = "";
    var plot = new window.uPlot({
      width: Math.max(el.clientWidth, 280), height: 260, series: series,
      scales: { x: { time: false, auto: false, range: [-0.5, n - 0.5] }, y: { range: function (u, lo, hi) {
        return [Math.min(0, lo), hi > 0 ? hi * 1.1 : 1];
      } } },
      axes: [
        { splits: function () { return xs.filter(function (x) { return x % step === 0; }); },
          values: function (u, splits) { return splits.map(function (x) { return labels[x] || ""; }); } },
        { label: spec.yLabel || "" },
      ],
    }, data, el);
    window.addEventListener("resize", function () {
      plot.setSize({ width: Math.max(el.clientWidth, 280), height: 260 });
    });
  }
  function drawAll(root) {
    var nodes = (root || document).querySelectorAll("[data-chart]");
    for (var i = 0; i < nodes.length; i++) draw(nodes[i]);
    var plots = (root || document).querySelectorAll("[data-plot]");
    for (var k = 0; k < plots.length; k++) drawPlot(plots[k]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  else drawAll();
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });

  // Live campaign counters: a WebSocket of JSON "counts" frames updates each [data-count] in
  // place. When the socket cannot open, or keeps dropping, htmx polls data-poll-url every 5 s
  // instead (the polled copy carries its own polling attributes until the campaign is final).
  var TONE = { sent: "ok", cancelled: "bad" };
  function note(el, text) {
    var n = el.querySelector("[data-live-note]");
    if (n) n.textContent = text;
  }
  function poll(el) {
    if (!window.htmx || el.getAttribute("hx-get") || !el.getAttribute("data-poll-url")) return;
    el.setAttribute("hx-get", el.getAttribute("data-poll-url"));
    el.setAttribute("hx-trigger", "every 5s");
    el.setAttribute("hx-swap", "outerHTML");
    note(el, "Refreshed every 5 seconds.");
    window.htmx.process(el);
  }
  function show(el, f) {
    if (!f || f.type !== "counts" || !f.counts) return;
    Object.keys(f.counts).forEach(function (k) {
      if (!/^[a-z_]+$/.test(k)) return;
      var dd = el.querySelector('[data-count="' + k + '"]');
      if (dd) dd.textContent = Number(f.counts[k]).toLocaleString("en-US");
    });
    var s = el.querySelector("[data-live-status]");
    if (s && typeof f.status === "string") {
      s.textContent = f.status;
      s.className = "badge " + (TONE[f.status] || "warn");
    }
  }
  function live(el) {
    var url = el.getAttribute("data-live-url");
    if (!url || el.getAttribute("data-live-open")) return;
    el.setAttribute("data-live-open", "1");
    if (!window.WebSocket) { poll(el); return; }
    var failures = 0;
    function connect() {
      var opened = false;
      var ws;
      try { ws = new WebSocket(location.origin.replace(/^http/, "ws") + url); } catch (e) { poll(el); return; }
      ws.onopen = function () { opened = true; failures = 0; };
      ws.onmessage = function (e) {
        try { show(el, JSON.parse(e.data)); } catch (x) { /* not a frame of ours */ }
      };
      ws.onclose = function (e) {
        // 1000: the campaign is sent or cancelled, these are the last numbers; never reconnect.
        if (e.code === 1000) { note(el, "Final numbers."); return; }
        failures++;
        if ((!opened && failures >= 2) || failures >= 6) { poll(el); return; }
        setTimeout(connect, Math.min(1000 * Math.pow(2, failures), 15000));
      };
    }
    connect();
  }
  function liveAll() {
    var nodes = document.querySelectorAll("[data-live-url]");
    for (var i = 0; i < nodes.length; i++) live(nodes[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", liveAll);
  else liveAll();
})();
`;
