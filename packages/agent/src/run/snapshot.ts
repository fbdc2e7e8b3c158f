import type { GitHubRepoApi } from "../github/types";
import type { RepoEntry, RepoSnapshot } from "../snapshot";

/** Git's modes for a symbolic link and a submodule (gitlink): neither is a file the agent may touch. */
export const SYMLINK_MODE = "120000";
export const SUBMODULE_MODE = "160000";

/**
 * A snapshot of one tree read through the GitHub interface (one listing, blobs on demand).
 * Symlinks and submodules are left out of the tree and listed as `unsupported`: a symlink's blob
 * is a path that may point outside the app, and a submodule is another repository.
 */
export async function snapshotFromApi(repo: GitHubRepoApi, treeSha: string): Promise<RepoSnapshot> {
  const tree = await repo.getTree(treeSha);
  const shas = new Map<string, string>();
  const entries: RepoEntry[] = [];
  const unsupported: string[] = [];
  for (const entry of tree.entries) {
    if (entry.type === "commit" || entry.mode === SYMLINK_MODE || entry.mode === SUBMODULE_MODE) {
      unsupported.push(entry.path);
    } else if (entry.type === "blob") {
      shas.set(entry.path, entry.sha);
      entries.push({
        path: entry.path,
        type: "blob",
        ...(entry.size !== undefined ? { size: entry.size } : {}),
      });
    } else if (entry.type === "tree") {
      entries.push({ path: entry.path, type: "tree" });
    }
  }
  return {
    tree: entries,
    truncated: tree.truncated,
    unsupported,
    read: async (path) => {
      const sha = shas.get(path);
      return sha === undefined ? null : repo.getBlobText(sha);
    },
  };
}

/**
 * The symlink or submodule `path` is, or lies beneath; null when there is none. Writing there would
 * replace a link with a file, or reach into another repository.
 */
export function unsupportedAt(path: string, unsupported: readonly string[] | undefined): string | null {
  for (const entry of unsupported ?? []) {
    if (path === entry || path.startsWith(`${entry}/`)) return entry;
  }
  return null;
}
