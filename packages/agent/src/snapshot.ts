import { dirname } from "./paths";

/** One entry of a repository listing, as the git trees API gives it (size is absent for trees). */
export interface RepoEntry {
  path: string;
  type: "blob" | "tree";
  size?: number;
}

/**
 * A read-only view of one commit of a repository. The GitHub client implements it from the git
 * trees API (one recursive listing) and blob reads; tests build it from fixture folders.
 */
export interface RepoSnapshot {
  tree: readonly RepoEntry[];
  /** True when the listing was cut short (the trees API truncates very large repositories). */
  truncated?: boolean;
  /**
   * Paths the listing had that are neither files nor folders (symlinks, submodules). They are left
   * out of `tree`; nothing may be read from, written to, or created beneath them.
   */
  unsupported?: readonly string[];
  /** The file's text, or null when it does not exist, is not a file, or is not text. */
  read(path: string): Promise<string | null>;
}

/** A snapshot over files held in memory; folders are derived from the file paths. */
export function memorySnapshot(files: Record<string, string>): RepoSnapshot {
  const entries = new Map<string, RepoEntry>();
  const encoder = new TextEncoder();
  for (const [path, content] of Object.entries(files)) {
    entries.set(path, { path, type: "blob", size: encoder.encode(content).byteLength });
    for (let folder = dirname(path); folder !== ""; folder = dirname(folder)) {
      if (!entries.has(folder)) entries.set(folder, { path: folder, type: "tree" });
    }
  }
  const tree = [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    tree,
    read: async (path) => (Object.hasOwn(files, path) ? (files[path] ?? null) : null),
  };
}

/**
 * Lookups over a snapshot for the detectors: which files and folders exist, and reads that are
 * cached and counted, so one analysis never fetches a blob twice and stays inside its read budget.
 */
export class RepoIndex {
  readonly files: readonly string[];
  private readonly fileSet: Set<string>;
  private readonly folderSet: Set<string>;
  private readonly sizes = new Map<string, number>();
  private readonly cache = new Map<string, Promise<string | null>>();
  /** Distinct blobs read so far. */
  reads = 0;

  constructor(
    readonly snapshot: RepoSnapshot,
    readonly maxReads = 200,
  ) {
    const files: string[] = [];
    this.folderSet = new Set();
    for (const entry of snapshot.tree) {
      if (entry.type === "blob") {
        files.push(entry.path);
        if (entry.size !== undefined) this.sizes.set(entry.path, entry.size);
        // Listings may omit folders; every file's ancestors exist.
        for (let folder = dirname(entry.path); folder !== ""; folder = dirname(folder)) {
          if (this.folderSet.has(folder)) break;
          this.folderSet.add(folder);
        }
      } else {
        this.folderSet.add(entry.path);
      }
    }
    this.files = files;
    this.fileSet = new Set(files);
  }

  /** True when the file exists. */
  hasFile(path: string): boolean {
    return this.fileSet.has(path);
  }

  /** True when the folder exists ("" is the root and always exists). */
  hasFolder(path: string): boolean {
    return path === "" || this.folderSet.has(path);
  }

  /** The first of the paths that exists as a file. */
  firstFile(paths: readonly string[]): string | null {
    return paths.find((path) => this.fileSet.has(path)) ?? null;
  }

  /** The file's size in bytes when the listing gave one. */
  size(path: string): number | undefined {
    return this.sizes.get(path);
  }

  /** Files inside a folder, at any depth ("" lists every file). */
  filesUnder(folder: string): string[] {
    if (folder === "") return [...this.files];
    const prefix = `${folder}/`;
    return this.files.filter((path) => path.startsWith(prefix));
  }

  /** Immediate sub-folders of a folder. */
  subfolders(folder: string): string[] {
    const prefix = folder === "" ? "" : `${folder}/`;
    return [...this.folderSet].filter(
      (path) =>
        path.startsWith(prefix) && path.length > prefix.length && !path.slice(prefix.length).includes("/"),
    );
  }

  /** Reads a file once; null when absent or when the read budget is spent. */
  read(path: string): Promise<string | null> {
    const cached = this.cache.get(path);
    if (cached) return cached;
    if (!this.fileSet.has(path) || this.reads >= this.maxReads) return Promise.resolve(null);
    this.reads += 1;
    const pending = this.snapshot.read(path).catch(() => null);
    this.cache.set(path, pending);
    return pending;
  }
}
