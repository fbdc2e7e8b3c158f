import { GitHubError } from "../github/types";
import { BudgetExceeded } from "./budgets";

/** A failure the person can act on; not worth retrying. */
export class RunError extends Error {
  override readonly name = "RunError";
}

/** Refuses the base and default branches and names git would reject. */
export function checkBranch(branch: string, base: string, defaultBranch: string): void {
  if (branch === base || branch === defaultBranch)
    throw new RunError(
      `Refusing to write to ${branch}: the agent only creates a new branch, never the base or default branch.`,
    );
  if (
    !/^[A-Za-z0-9._/-]{1,200}$/.test(branch) ||
    branch.startsWith("-") ||
    branch.startsWith("/") ||
    branch.endsWith("/") ||
    branch.endsWith(".lock") ||
    branch.includes("..") ||
    branch.includes("//") ||
    branch.startsWith("refs/")
  )
    throw new RunError(`"${branch}" is not a valid new branch name.`);
}

/** A readable error for the status log, and whether retrying the job may help. */
export function describeFailure(err: unknown): { error: string; retryable: boolean } {
  if (err instanceof BudgetExceeded || err instanceof RunError)
    return { error: err.message, retryable: false };
  if (err instanceof GitHubError || (err instanceof Error && err.name === "GitHubError" && "code" in err)) {
    const gh = err as GitHubError;
    const hint: Record<string, string> = {
      unauthorized: "GitHub refused the app's credentials; check the GitHub App's key and installation.",
      forbidden:
        "The PushBunny GitHub App lacks a permission on this repository (it needs contents and pull requests: read and write).",
      not_found:
        "GitHub could not find the repository or branch, or the PushBunny GitHub App is not installed on it.",
      empty_repository: "The repository has no commits yet; push the app's code first.",
      conflict: "The branch exists already on GitHub.",
      rate_limited: `GitHub's rate limit was reached${gh.retryAfterSeconds !== null ? `; retry in ${gh.retryAfterSeconds} s` : ""}.`,
      invalid: "GitHub rejected the request as invalid.",
      server: "GitHub answered with a server error.",
      network: "GitHub could not be reached.",
    };
    return { error: `${hint[gh.code] ?? "GitHub failed."} (GitHub: ${gh.message})`, retryable: gh.retryable };
  }
  if (err instanceof Error && err.name === "LlmError") {
    const llm = err as Error & { retryable?: unknown; kind?: unknown };
    return {
      error: `The model failed (${String(llm.kind ?? "error")}): ${llm.message}`,
      retryable: llm.retryable === true,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: `The agent failed: ${message}`, retryable: false };
}
