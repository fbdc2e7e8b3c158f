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

/**
 * The shortest edit script between two line lists (Myers' O(ND) greedy algorithm), as a list of
 * kept, removed and added lines in order.
 */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
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
  // Walk the trace back from the end to recover the path.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (vd[offset + k - 1] ?? 0) < (vd[offset + k + 1] ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd[offset + prevK] ?? 0;
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
