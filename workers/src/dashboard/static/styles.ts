/**
 * The dashboard's stylesheet, served by the Worker at a URL carrying its hash (assets.ts). Colours
 * pass WCAG AA contrast on their backgrounds (text ≥ 4.5:1); focus is always visible.
 */
export const APP_CSS = `
:root {
  --bg: #f7f7fb; --panel: #ffffff; --text: #1b1b29; --muted: #4a4a63; --line: #d6d6e3;
  --accent: #3a2fb8; --accent-text: #ffffff; --danger: #a4161a; --ok: #1d6b35; --warn: #7a4a00;
  --focus: #ffbf47;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.45; }
body { margin: 0; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--panel); padding: .5rem; z-index: 10; }
header.top { background: #201a6b; color: #fff; padding: .5rem 1rem; display: flex; flex-wrap: wrap;
  gap: .75rem 1.5rem; align-items: center; }
header.top a { color: #fff; }
header.top .brand { font-weight: 700; text-decoration: none; font-size: 1.1rem; }
header.top nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { text-decoration-thickness: 3px; }
header.top form { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: 0; max-width: 100%; }
header.top select { max-width: 12rem; }
header.top label { font-size: .9rem; }
header.top .spacer { flex: 1; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin: 0 0 1rem; }
.narrow { max-width: 26rem; margin: 2rem auto; }
.muted { color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: var(--panel); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
form.stack { display: grid; gap: .75rem; }
form.stack label, fieldset label { display: grid; gap: .25rem; font-weight: 600; }
fieldset { border: 1px solid var(--line); border-radius: .4rem; }
fieldset label.check { display: flex; gap: .4rem; font-weight: 400; align-items: center; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: 1rem; }
form.filters label { display: grid; gap: .2rem; font-size: .9rem; font-weight: 600; }
input, select, button { font: inherit; padding: .45rem .6rem; border: 1px solid #77779a; border-radius: .35rem;
  background: #fff; color: var(--text); }
button, .button { background: var(--accent); color: var(--accent-text); border-color: var(--accent); cursor: pointer;
  text-decoration: none; display: inline-block; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); }
.error { color: var(--danger); font-weight: 600; }
.notice { border-left: 4px solid var(--accent); }
.notice.bad { border-left-color: var(--danger); }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .3rem; font-size: .85rem; border: 1px solid currentColor; }
.badge.winner { color: var(--ok); }
.badge.srm_alarm, .badge.failed { color: var(--danger); }
.badge.collecting, .badge.underpowered, .badge.pending { color: var(--warn); }
pre.code { background: #14142b; color: #f1f1ff; padding: .75rem; border-radius: .4rem; overflow-x: auto;
  white-space: pre-wrap; word-break: break-all; }
pre.diff .diff-add { color: #9ff0b4; }
pre.diff .diff-del { color: #ffb3b3; }
pre.diff .diff-hunk { color: #a8c8ff; }
pre.diff .diff-file { color: #ffffff; font-weight: 700; }
.secret { font-family: ui-monospace, monospace; background: #fff6d6; padding: .5rem; border: 1px solid #c9a400;
  word-break: break-all; }
.chart { width: 100%; min-height: 280px; }
.legend-note { font-size: .9rem; }
ul.attention { list-style: none; padding: 0; margin: 0; }
ul.attention li { padding: .5rem 0; border-bottom: 1px solid var(--line); }
ul.plain { margin: 0; padding-left: 1rem; }
fieldset.inline { display: flex; flex-wrap: wrap; gap: .5rem 1rem; }
td form { display: inline-block; margin: 0 .25rem .25rem 0; }
.pager { display: flex; gap: 1rem; margin-top: .75rem; }
nav.subnav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: .25rem 0 0; padding: 0; }
nav.subnav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.badge.ok { color: var(--ok); }
.badge.bad { color: var(--danger); }
.badge.warn { color: var(--warn); }
.badge.plain { color: var(--muted); }
.button.secondary { background: #fff; color: var(--accent); }
textarea { font: inherit; padding: .45rem .6rem; border: 1px solid #77779a; border-radius: .35rem; background: #fff;
  color: var(--text); width: 100%; }
textarea:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
dl.counts { display: grid; grid-template-columns: repeat(auto-fill, minmax(8rem, 1fr)); gap: .5rem 1rem; margin: .5rem 0; }
dl.counts dt { font-size: .85rem; color: var(--muted); }
dl.counts dd { margin: 0; font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; }
iframe.mail { width: 100%; min-height: 28rem; border: 1px solid var(--line); background: #fff; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-bottom: .75rem; }
.actions form { margin: 0; }
progress { width: 100%; max-width: 28rem; height: 1.2rem; vertical-align: middle; }
@media (max-width: 40rem) {
  header.top { padding: .5rem; }
  main { padding: .5rem; }
  th, td { padding: .35rem .4rem; }
  .hide-narrow { display: none; }
}
`;
