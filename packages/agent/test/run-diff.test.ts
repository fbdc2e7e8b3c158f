import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diffLines, type FileChange, unifiedDiff, unifiedDiffOf } from "../src/run";

// A seeded generator, so a failure reproduces.
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function lcs(a: string[], b: string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let prev = 0;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j] ?? 0;
      row[j] = x === b[j - 1] ? prev + 1 : Math.max(row[j] ?? 0, row[j - 1] ?? 0);
      prev = keep;
    }
  }
  return row[b.length] ?? 0;
}

function lines(rand: () => number, n: number): string[] {
  return Array.from({ length: n }, () => "abcde"[Math.floor(rand() * 5)] as string);
}

describe("diffLines", () => {
  it("is a shortest edit script that rebuilds both sides (500 random pairs)", () => {
    const rand = random(17);
    for (let i = 0; i < 500; i++) {
      const a = lines(rand, Math.floor(rand() * 30));
      const b = lines(rand, Math.floor(rand() * 30));
      const ops = diffLines(a, b);
      expect(ops.filter((op) => op.kind !== "+").map((op) => op.line)).toEqual(a);
      expect(ops.filter((op) => op.kind !== "-").map((op) => op.line)).toEqual(b);
      expect(ops.filter((op) => op.kind !== " ").length).toBe(a.length + b.length - 2 * lcs(a, b));
    }
  });
});

describe("diffLines on big files", () => {
  it("stays fast and correct: a whole new file, a common head and tail, and a middle past the edit cap", () => {
    const rand = random(29);
    const big = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${"abc"[Math.floor(rand() * 3)]}`);
    const other = Array.from({ length: 20_000 }, (_, i) => `other ${i}`);
    const started = Date.now();
    for (const [a, b] of [
      [[], big],
      [big, []],
      [big, [...big.slice(0, 100), "changed", ...big.slice(101)]],
      [big, other],
      [[...big.slice(0, 5), ...other, ...big.slice(-5)], big],
    ] as [string[], string[]][]) {
      const ops = diffLines(a, b);
      expect(ops.filter((op) => op.kind !== "+").map((op) => op.line)).toEqual(a);
      expect(ops.filter((op) => op.kind !== "-").map((op) => op.line)).toEqual(b);
    }
    expect(
      diffLines(big, [...big.slice(0, 100), "changed", ...big.slice(101)]).filter((op) => op.kind !== " "),
    ).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Applies a unified diff with git to the files before, returns the files after. */
function gitApply(before: Record<string, string>, diff: string, paths: string[]): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "pb-agent-diff-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(before)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  writeFileSync(join(dir, "change.patch"), diff);
  execFileSync("git", ["init", "-q"], { cwd: dir });
  execFileSync("git", ["apply", "--whitespace=nowarn", "change.patch"], { cwd: dir, stdio: "pipe" });
  return Object.fromEntries(paths.map((path) => [path, readFileSync(join(dir, path), "utf8")]));
}

describe("unifiedDiff", () => {
  it("is empty for an unchanged file and has git's headers for a new one", () => {
    expect(unifiedDiff("src/a.ts", "x\n", "x\n")).toBe("");
    expect(unifiedDiff("src/a.ts", null, "x\ny\n")).toBe(
      "diff --git a/src/a.ts b/src/a.ts\nnew file mode 100644\n--- /dev/null\n+++ b/src/a.ts\n@@ -0,0 +1,2 @@\n+x\n+y\n",
    );
  });

  it("applies with git apply: random edits of a long file and new files (50 cases)", () => {
    const rand = random(42);
    for (let i = 0; i < 50; i++) {
      const base = Array.from({ length: 80 }, (_, n) => `line ${n} ${"abc"[n % 3]}`);
      const edited = [...base];
      for (let e = 0; e < 1 + Math.floor(rand() * 6); e++) {
        const at = Math.floor(rand() * edited.length);
        const what = rand();
        if (what < 0.33) edited.splice(at, 1);
        else if (what < 0.66) edited.splice(at, 0, `inserted ${i}-${e}`);
        else edited[at] = `changed ${i}-${e}`;
      }
      const changes: FileChange[] = [
        {
          path: "src/app/page.tsx",
          previous: `${base.join("\n")}${i % 4 === 1 ? "" : "\n"}`,
          content: `${edited.join("\n")}${i % 4 === 2 ? "" : "\n"}`,
        },
        // Every fourth case without a final newline, on either side.
        {
          path: "src/components/new-file.tsx",
          previous: null,
          content: `export const n = ${i};${i % 4 ? "\n" : ""}`,
        },
      ];
      const after = gitApply({ "src/app/page.tsx": changes[0]?.previous ?? "" }, unifiedDiffOf(changes), [
        "src/app/page.tsx",
        "src/components/new-file.tsx",
      ]);
      expect(after["src/app/page.tsx"]).toBe(changes[0]?.content);
      expect(after["src/components/new-file.tsx"]).toBe(changes[1]?.content);
    }
  });
});
