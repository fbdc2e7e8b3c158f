import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { memorySnapshot, type RepoSnapshot } from "../src";

const ROOT = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** The files of a fixture repository under test/fixtures/<name>, keyed by repository path. */
export function fixtureFiles(name: string): Record<string, string> {
  const base = join(ROOT, name);
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(base, full).split(sep).join("/")] = readFileSync(full, "utf8");
    }
  };
  walk(base);
  return files;
}

/** A fixture repository as the agent sees one: a listing and reads. */
export function fixture(name: string): RepoSnapshot {
  return memorySnapshot(fixtureFiles(name));
}

/** Files of a fixture as `{ path, content }`, optionally only those under a folder. */
export function fixtureSources(name: string, under = ""): { path: string; content: string }[] {
  return Object.entries(fixtureFiles(name))
    .filter(([path]) => path.startsWith(under))
    .map(([path, content]) => ({ path, content }));
}
