/** One changed file of a run: its new content and what the base branch had (null = new file). */
export interface FileChange {
  path: string;
  content: string;
  previous: string | null;
}

type Op = { kind: " " | "-" | "+"; line: string };

const CONTEXT = 3;

// Marks a last line without a newline, so "x" and "x\n" compare as different lines.
const NO_EOL = "\u0000no-eol";

/** Lines without their terminators; a final newline does not make an empty last line. */
function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

function printLine(op: Op): string {
  return op.line.endsWith(NO_EOL)
    ? `${op.kind}${op.line.slice(0, -NO_EOL.length)}\n\\ No newline at end of file\n`
    : `${op.kind}${op.line}\n`;
}

// Past this many edits the middle of a file is shown as removed then added: Myers' trace grows
// with the square of the edit count, and a Worker has 128 MB.
const MAX_EDITS = 2_000;

/**
 * The shortest edit script between two line lists (Myers' O(ND) greedy algorithm), as a list of
 * kept, removed and added lines in order. The common head and tail are matched first; a middle
 * needing more than MAX_EDITS edits is replaced whole (still a correct, just longer, script).
 */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const keep = (lines: readonly string[]): Op[] => lines.map((line) => ({ kind: " ", line }));
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const middle = midA.length === 0 || midB.length === 0 ? null : myers(midA, midB);
  const changed = middle ?? [
    ...midA.map((line): Op => ({ kind: "-", line })),
    ...midB.map((line): Op => ({ kind: "+", line })),
  ];
  return [...keep(a.slice(0, head)), ...changed, ...keep(a.slice(a.length - tail))];
}

/** Myers' shortest edit script, or null when it needs more than MAX_EDITS edits. */
function myers(a: readonly string[], b: readonly string[]): Op[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDITS);
  const offset = n + m + 1;
  const v = new Int32Array(2 * (n + m) + 3);
  // trace[d] holds v over k = -(d+1)…d+1 before step d: all the backtrack reads, in O(D²) memory.
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  if (!found) return null;
  // Walk the trace back from the end to recover the path.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as Int32Array;
    const at = (k: number) => vd[k + d + 1] ?? 0;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: " ", line: a[x - 1] as string });
      x--;
      y--;
    }
    if (d > 0) {
      if (down) ops.push({ kind: "+", line: b[y - 1] as string });
      else ops.push({ kind: "-", line: a[x - 1] as string });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

/** A unified diff (git style, 3 lines of context) of one file; "" when nothing changed. */
export function unifiedDiff(path: string, previous: string | null, content: string): string {
  const a = splitLines(previous ?? "");
  const b = splitLines(content);
  const ops = diffLines(a, b);
  if (!ops.some((op) => op.kind !== " ") && previous !== null) return "";
  const header =
    previous === null
      ? `diff --git a/${path} b/${path}\nnew file mode 100644\n--- /dev/null\n+++ b/${path}\n`
      : `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n`;
  const hunks: string[] = [];
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]?.kind === " ") i++;
    if (i >= ops.length) break;
    // A hunk: context before, changes, and context after until a gap longer than 2 × CONTEXT.
    const start = Math.max(0, i - CONTEXT);
    let end = i;
    let lastChange = i;
    while (end < ops.length) {
      if (ops[end]?.kind !== " ") lastChange = end;
      else if (end - lastChange > 2 * CONTEXT) break;
      end++;
    }
    end = Math.min(ops.length, lastChange + CONTEXT + 1);
    let aStart = 0;
    let bStart = 0;
    for (let j = 0; j < start; j++) {
      if (ops[j]?.kind !== "+") aStart++;
      if (ops[j]?.kind !== "-") bStart++;
    }
    const slice = ops.slice(start, end);
    const aCount = slice.filter((op) => op.kind !== "+").length;
    const bCount = slice.filter((op) => op.kind !== "-").length;
    const range = (from: number, count: number) => `${count === 0 ? from : from + 1},${count}`;
    hunks.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n${slice.map(printLine).join("")}`);
    i = end;
  }
  return header + hunks.join("");
}

/** The unified diff of every change, files in path order. */
export function unifiedDiffOf(changes: readonly FileChange[]): string {
  return [...changes]
    .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
    .map((change) => unifiedDiff(change.path, change.previous, change.content))
    .join("");
}

/** The most diff text a run stores, returns or shows the model: 512 KB. */
export const MAX_DIFF_BYTES = 512 * 1024;

/**
 * The diff cut to at most `maxBytes` UTF-8 bytes at a line end, with a marker saying so; the
 * commit still has every change, only the stored and shown text is short.
 */
export function capDiff(diff: string, maxBytes = MAX_DIFF_BYTES): string {
  const bytes = new TextEncoder().encode(diff);
  if (bytes.byteLength <= maxBytes) return diff;
  const marker = (kept: number) =>
    `[diff truncated: ${kept} of ${bytes.byteLength} bytes shown; the commit has every change]\n`;
  const room = Math.max(0, maxBytes - new TextEncoder().encode(marker(maxBytes)).byteLength);
  // Cut after the last whole line that fits, so no UTF-8 character or diff line is split.
  const end = room > 0 ? bytes.lastIndexOf(0x0a, room - 1) + 1 : 0;
  return `${new TextDecoder().decode(bytes.subarray(0, end))}${marker(end)}`;
}
