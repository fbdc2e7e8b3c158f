import type { GitHubRepoApi } from "../github/types";
import type { RepoEntry, RepoSnapshot } from "../snapshot";

/** A snapshot of one tree read through the GitHub interface (one listing, blobs on demand). */
export async function snapshotFromApi(repo: GitHubRepoApi, treeSha: string): Promise<RepoSnapshot> {
  const tree = await repo.getTree(treeSha);
  const shas = new Map<string, string>();
  const entries: RepoEntry[] = [];
  for (const entry of tree.entries) {
    if (entry.type === "blob") {
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
    read: async (path) => {
      const sha = shas.get(path);
      return sha === undefined ? null : repo.getBlobText(sha);
    },
  };
}
