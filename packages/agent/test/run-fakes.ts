import {
  type BranchHead,
  type GitHubError,
  GitHubError as GitHubErrorClass,
  type GitHubRepoApi,
  type GitTree,
  type GitTreeEntry,
  type NewTreeEntry,
  type PullRequest,
} from "../src/github/types";
import type { AgentModel, ModelReply, ModelRequest, ToolCall } from "../src/run";

type Method = keyof GitHubRepoApi;

/**
 * An in-memory GitHub repository behind GitHubRepoApi: git objects keyed by fake shas, branches,
 * pull requests, every call recorded, and any method made to throw a GitHubError.
 */
export class FakeRepo implements GitHubRepoApi {
  readonly calls: Method[] = [];
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, Map<string, string>>();
  readonly commits = new Map<string, { treeSha: string; parents: string[]; message: string }>();
  readonly branches = new Map<string, string>();
  readonly pulls: (PullRequest & { title: string; body: string })[] = [];
  /** Methods that throw, once each time they are called. */
  readonly failures = new Map<Method, GitHubError>();
  /** Git modes by path (default 100644): 120000 lists the path as a symlink, 160000 as a submodule. */
  readonly modes = new Map<string, string>();
  private counter = 0;

  constructor(
    files: Record<string, string>,
    readonly info = { fullName: "acme/site", defaultBranch: "main", private: true },
  ) {
    if (Object.keys(files).length === 0) return; // An empty repository: no commits, no branches.
    const tree = new Map<string, string>();
    for (const [path, content] of Object.entries(files)) tree.set(path, this.putBlob(content));
    const treeSha = this.sha("tree");
    this.trees.set(treeSha, tree);
    const commit = this.sha("commit");
    this.commits.set(commit, { treeSha, parents: [], message: "initial" });
    this.branches.set(info.defaultBranch, commit);
  }

  private sha(kind: string): string {
    this.counter += 1;
    return `${kind}${String(this.counter).padStart(10, "0")}`.padEnd(40, "f");
  }

  private putBlob(content: string): string {
    const sha = this.sha("b");
    this.blobs.set(sha, content);
    return sha;
  }

  private enter(method: Method): void {
    this.calls.push(method);
    const failure = this.failures.get(method);
    if (failure) throw failure;
  }

  /** The files of a branch, read back from the git objects. */
  filesOf(branch: string): Record<string, string> {
    const commit = this.commits.get(this.branches.get(branch) ?? "");
    const tree = this.trees.get(commit?.treeSha ?? "") ?? new Map<string, string>();
    return Object.fromEntries([...tree].map(([path, sha]) => [path, this.blobs.get(sha) ?? ""]));
  }

  async getRepository() {
    this.enter("getRepository");
    return { ...this.info };
  }

  async getBranchHead(branch: string): Promise<BranchHead> {
    this.enter("getBranchHead");
    if (this.branches.size === 0)
      throw new GitHubErrorClass("empty_repository", "Git Repository is empty.", 409);
    const commitSha = this.branches.get(branch);
    if (!commitSha) throw new GitHubErrorClass("not_found", `Branch not found: ${branch}`, 404);
    return { commitSha, treeSha: this.commits.get(commitSha)?.treeSha ?? "" };
  }

  async getTree(treeSha: string): Promise<GitTree> {
    this.enter("getTree");
    const tree = this.trees.get(treeSha);
    if (!tree) throw new GitHubErrorClass("not_found", "Not Found", 404);
    const entries: GitTreeEntry[] = [];
    const folders = new Set<string>();
    for (const [path, sha] of tree) {
      const mode = this.modes.get(path) ?? "100644";
      entries.push({
        path,
        type: mode === "160000" ? "commit" : "blob",
        sha,
        mode,
        ...(mode === "160000"
          ? {}
          : { size: new TextEncoder().encode(this.blobs.get(sha) ?? "").byteLength }),
      });
      for (let at = path.lastIndexOf("/"); at > 0; at = path.lastIndexOf("/", at - 1))
        folders.add(path.slice(0, at));
    }
    for (const folder of folders)
      entries.push({ path: folder, type: "tree", sha: this.sha("t"), mode: "040000" });
    return { sha: treeSha, entries, truncated: false };
  }

  async getBlobText(sha: string): Promise<string | null> {
    this.enter("getBlobText");
    const text = this.blobs.get(sha);
    if (text === undefined) throw new GitHubErrorClass("not_found", "Not Found", 404);
    return text;
  }

  async createBlob(content: string) {
    this.enter("createBlob");
    return { sha: this.putBlob(content) };
  }

  async createTree(baseTreeSha: string, entries: NewTreeEntry[]) {
    this.enter("createTree");
    const base = this.trees.get(baseTreeSha);
    if (!base) throw new GitHubErrorClass("invalid", "base_tree is not a tree", 422);
    const tree = new Map(base);
    for (const entry of entries) {
      if (!this.blobs.has(entry.sha)) throw new GitHubErrorClass("invalid", "unknown blob", 422);
      tree.set(entry.path, entry.sha);
    }
    const sha = this.sha("tree");
    this.trees.set(sha, tree);
    return { sha };
  }

  async createCommit(input: { message: string; treeSha: string; parentShas: string[] }) {
    this.enter("createCommit");
    const sha = this.sha("commit");
    this.commits.set(sha, { treeSha: input.treeSha, parents: input.parentShas, message: input.message });
    return { sha };
  }

  async createBranch(branch: string, commitSha: string) {
    this.enter("createBranch");
    if (this.branches.has(branch)) throw new GitHubErrorClass("conflict", "Reference already exists", 422);
    this.branches.set(branch, commitSha);
  }

  async deleteBranch(branch: string) {
    this.enter("deleteBranch");
    this.branches.delete(branch);
  }

  async createPullRequest(input: {
    title: string;
    body: string;
    head: string;
    base: string;
    draft: boolean;
  }) {
    this.enter("createPullRequest");
    if (!this.branches.has(input.head)) throw new GitHubErrorClass("invalid", "head does not exist", 422);
    const pull = {
      number: this.pulls.length + 1,
      htmlUrl: `https://github.com/${this.info.fullName}/pull/${this.pulls.length + 1}`,
      draft: input.draft,
      state: "open" as const,
      merged: false,
      headRef: input.head,
      baseRef: input.base,
      title: input.title,
      body: input.body,
    };
    this.pulls.push(pull);
    return pull;
  }
}

export type Step = ModelReply | ((request: ModelRequest) => ModelReply);

/** A model that answers with a script, one step per call, and records every request. */
export class ScriptedModel implements AgentModel {
  readonly requests: ModelRequest[] = [];
  private at = 0;

  constructor(
    private readonly steps: Step[],
    /** Answer once the script is spent (a model that never finishes). */
    private readonly after?: Step,
  ) {}

  async next(request: ModelRequest): Promise<ModelReply> {
    this.requests.push(structuredClone(request));
    const step = this.steps[this.at] ?? this.after;
    this.at += 1;
    if (!step) throw new Error(`the script has no step ${this.at}`);
    return typeof step === "function" ? step(request) : step;
  }

  /** The tool results the run sent back, in order. */
  results(): { name: string; response: Record<string, unknown> }[] {
    const last = this.requests[this.requests.length - 1];
    return (last?.turns ?? []).flatMap((turn) => (turn.role === "tool" ? turn.results : []));
  }
}

/** A reply that calls tools. */
export const calls = (...list: [string, Record<string, unknown>][]): ModelReply => ({
  calls: list.map(([name, args], i): ToolCall => ({ id: `call-${i}`, name, args })),
  text: null,
  tokens: 1_000,
});

/**
 * A model that follows the write prompt alone, as a careful LLM would: it picks `target` (or the
 * first candidate), writes one component per segment where the prompt says, edits the target to
 * render the switch, checks with flush_writes and finishes. Proves the prompt is enough to act on.
 */
export function promptDrivenModel(target?: string): ScriptedModel {
  const writes = (request: ModelRequest): ModelReply => {
    const prompt = request.turns
      .flatMap((turn) => (turn.role === "user" ? [turn.text] : []))
      .find((text) => text.includes("Write these files:"));
    if (!prompt) throw new Error("no write prompt");
    const list: [string, Record<string, unknown>][] = [];
    const props = /\{ track \}: (\w+)` \(import type/.exec(prompt)?.[1];
    const segment =
      /^- (\S+): the "([^"]+)" segment as (?:`export function (\w+)`|a default export `(\w+)`|a single-file component)/gm;
    for (const [, path = "", key = "", named, defaulted] of prompt.matchAll(segment)) {
      const name = named ?? defaulted ?? "Segment";
      if (path.endsWith(".vue")) {
        const content = `<script setup>\nconst props = defineProps(['track'])\n</script>\n\n<template>\n  <button @click="props.track('signup')">${key}</button>\n</template>\n`;
        list.push(["write_file", { path, content }]);
        continue;
      }
      const switchFile =
        /^--- (\S+experiments\/\S+Experiment\.\w+|\S+experiments\/\S+-experiment\.\w+)$/m.exec(prompt)?.[1];
      const typeImport =
        props && switchFile
          ? `import type { ${props} } from './${switchFile
              .split("/")
              .pop()
              ?.replace(/\.\w+$/, "")}'\n\n`
          : "";
      const head = named ? `export function ${name}` : `export default function ${name}`;
      const content = `${typeImport}${head}({ track }${props ? `: ${props}` : ""}) {\n  return <button onClick={() => track('signup')}>${key}</button>\n}\n`;
      list.push(["write_file", { path, content }]);
    }
    const edit =
      /^- (\S+): change it minimally so that it renders <(\w+) \/> \(import it from "([^"]+)"\)/m.exec(
        prompt,
      );
    if (edit) {
      const [, path = "", name = "", from = ""] = edit;
      const isDefault = new RegExp(`export default function ${name}\\b`).test(prompt);
      const content = path.endsWith(".vue")
        ? `<script setup>\nimport ${name} from '${from}'\n</script>\n\n<template>\n  <${name} />\n</template>\n`
        : `import ${isDefault ? name : `{ ${name} }`} from '${from}'\n\nexport default function Target() {\n  return <${name} />\n}\n`;
      list.push(["write_file", { path, content }]);
    }
    list.push(["flush_writes", {}]);
    return calls(...list);
  };
  return new ScriptedModel([
    (request) => {
      const choose = request.tools.find((tool) => tool.name === "choose_target");
      const path = target ?? choose?.parameters.properties?.path?.enum?.[0] ?? "";
      return calls(["choose_target", { path }]);
    },
    writes,
    calls(["finish", { summary: "Prompt-driven." }]),
  ]);
}
