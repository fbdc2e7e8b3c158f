import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { GitObject, StubRepo, TreeItem } from "./types";

const gitHash = (type: string, body: Buffer) =>
  createHash("sha1")
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest("hex");

/** Git's order for tree entries: names compared bytewise, a tree as if it ended in "/". */
const treeKey = (item: TreeItem) => (item.type === "tree" ? `${item.name}/` : item.name);

export function put(repo: StubRepo, object: GitObject): string {
  let body: Buffer;
  if (object.type === "blob") body = object.bytes;
  else if (object.type === "tree") {
    const sorted = [...object.entries].sort((a, b) =>
      Buffer.compare(Buffer.from(treeKey(a)), Buffer.from(treeKey(b))),
    );
    object.entries.splice(0, object.entries.length, ...sorted);
    body = Buffer.concat(
      sorted.flatMap((item) => [Buffer.from(`${item.mode} ${item.name}\0`), Buffer.from(item.sha, "hex")]),
    );
  } else {
    const lines = [`tree ${object.tree}`, ...object.parents.map((parent) => `parent ${parent}`)];
    const who = `PushBunny Stub <stub@example.com> ${Math.floor(Date.now() / 1000)} +0000`;
    body = Buffer.from(`${lines.join("\n")}\nauthor ${who}\ncommitter ${who}\n\n${object.message}`);
  }
  const sha = gitHash(object.type, body);
  repo.objects.set(sha, object);
  return sha;
}

/** Every blob under a tree as path → { mode, sha }. */
export function flatten(
  repo: StubRepo,
  treeSha: string,
  prefix = "",
): Map<string, { mode: string; sha: string }> {
  const out = new Map<string, { mode: string; sha: string }>();
  const tree = repo.objects.get(treeSha);
  if (tree?.type !== "tree") return out;
  for (const item of tree.entries) {
    const path = `${prefix}${item.name}`;
    if (item.type === "tree") for (const [p, v] of flatten(repo, item.sha, `${path}/`)) out.set(p, v);
    else out.set(path, { mode: item.mode, sha: item.sha });
  }
  return out;
}

/** Builds nested trees from path → blob and returns the root tree's sha. */
export function buildTree(repo: StubRepo, files: Map<string, { mode: string; sha: string }>): string {
  const children = new Map<string, Map<string, { mode: string; sha: string }>>();
  const entries: TreeItem[] = [];
  for (const [path, blob] of files) {
    const slash = path.indexOf("/");
    if (slash === -1) entries.push({ name: path, mode: blob.mode, type: "blob", sha: blob.sha });
    else {
      const folder = path.slice(0, slash);
      const sub = children.get(folder) ?? new Map();
      sub.set(path.slice(slash + 1), blob);
      children.set(folder, sub);
    }
  }
  for (const [name, sub] of children)
    entries.push({ name, mode: "040000", type: "tree", sha: buildTree(repo, sub) });
  return put(repo, { type: "tree", entries });
}

/** The files of a folder on disk keyed by repository path. */
export function filesOfFolder(folder: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(folder, full).split(sep).join("/")] = readFileSync(full);
    }
  };
  walk(folder);
  return files;
}
