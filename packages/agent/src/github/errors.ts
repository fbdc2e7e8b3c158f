import { GitHubError } from "./types";

/** Which credential a call used: decides what a 401 or 403 asks the operator to fix. */
export type GitHubAuth = "app" | "installation" | "user" | "oauth";

/** What a call was doing, so an error says which call failed and what to fix. */
export interface GitHubCall {
  /** A verb phrase: "create the branch pushbunny/exp-hero in acme/web". */
  action: string;
  auth: GitHubAuth;
  /** `owner/name` when the call is about one repository. */
  repo?: string;
  /** What a 404 means for this call, when it is more specific than "cannot see the repository". */
  notFound?: string;
  /** For rate-limit resets; default Date.now. */
  now?: number;
}

const UNAUTHORIZED_HINT: Record<GitHubAuth, string> = {
  app: "check GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (the key must be the App's current private key)",
  installation: "the installation token is invalid or expired, or the App was uninstalled: mint a new token",
  user: "the user's OAuth token is invalid or expired: ask the person to authorize the App again",
  oauth:
    "the OAuth code is invalid, expired or already used, or GITHUB_CLIENT_ID/GITHUB_CLIENT_SECRET are wrong",
};

const FORBIDDEN_HINT =
  "give the App contents read/write, pull requests read/write and metadata read, and accept the new permissions on the installation";

/** GitHub's error body: `{ message, errors?: [{ message?, code?, field? }], documentation_url }`. */
async function readMessage(response: Response): Promise<string> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    return "";
  }
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const parts: string[] = [];
    if (typeof body.message === "string") parts.push(body.message);
    if (Array.isArray(body.errors)) {
      for (const item of body.errors) {
        if (typeof item === "string") parts.push(item);
        else if (item && typeof item === "object") {
          const { message, code, field } = item as Record<string, unknown>;
          const detail = typeof message === "string" ? message : typeof code === "string" ? code : null;
          if (detail) parts.push(typeof field === "string" ? `${field}: ${detail}` : detail);
        }
      }
    }
    return parts.join("; ").slice(0, 500);
  } catch {
    return text.slice(0, 200);
  }
}

function retryAfterSeconds(response: Response, now: number): number | null {
  const retryAfter = response.headers.get("retry-after");
  if (retryAfter && /^\d+$/.test(retryAfter.trim())) return Number(retryAfter.trim());
  if (retryAfter) {
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(1, Math.ceil((at - now) / 1000));
  }
  const reset = response.headers.get("x-ratelimit-reset");
  if (reset && /^\d+$/.test(reset.trim())) return Math.max(1, Number(reset.trim()) - Math.floor(now / 1000));
  return null;
}

function isRateLimited(response: Response): boolean {
  return (
    response.status === 429 ||
    (response.status === 403 &&
      (response.headers.get("x-ratelimit-remaining") === "0" || response.headers.has("retry-after")))
  );
}

/**
 * One mapping from a failed GitHub call (a non-2xx Response, or what fetch threw) to a
 * GitHubError whose message names the call and says what to fix. Reads the response body.
 */
export async function toGitHubError(source: unknown, call: GitHubCall): Promise<GitHubError> {
  if (source instanceof GitHubError) return source;
  const where = call.repo ? ` (${call.repo})` : "";
  if (!(source instanceof Response)) {
    const timedOut =
      source instanceof Error && (source.name === "TimeoutError" || source.name === "AbortError");
    const reason = timedOut ? "timed out" : source instanceof Error ? source.message : String(source);
    return new GitHubError("network", `could not reach GitHub to ${call.action}${where}: ${reason}`);
  }
  const status = source.status;
  const now = call.now ?? Date.now();
  const said = await readMessage(source);
  const github = said ? ` GitHub said: "${said}".` : "";
  if (isRateLimited(source)) {
    const seconds = retryAfterSeconds(source, now);
    const secondary = source.headers.get("x-ratelimit-remaining") !== "0" && status !== 429;
    const kind = secondary ? "secondary rate limit" : "rate limit";
    const wait = seconds === null ? "later" : `in ${seconds} s`;
    return new GitHubError(
      "rate_limited",
      `GitHub's ${kind} stopped the call to ${call.action}${where}: try again ${wait}.${github}`,
      status,
      seconds,
    );
  }
  if (status === 401) {
    return new GitHubError(
      "unauthorized",
      `GitHub refused the credentials to ${call.action}${where}: ${UNAUTHORIZED_HINT[call.auth]}.${github}`,
      status,
    );
  }
  if (status === 403) {
    return new GitHubError(
      "forbidden",
      `GitHub forbade the call to ${call.action}${where}: ${FORBIDDEN_HINT}.${github}`,
      status,
    );
  }
  if (status === 404) {
    const hint =
      call.notFound ??
      (call.repo
        ? `the App's installation cannot see ${call.repo} (or it does not exist): add the repository to the installation`
        : "GitHub has no such resource");
    return new GitHubError("not_found", `could not ${call.action}: ${hint}.${github}`, status);
  }
  if (status === 409) {
    if (/empty/i.test(said)) {
      return new GitHubError(
        "empty_repository",
        `could not ${call.action}: ${call.repo ?? "the repository"} is empty; push a first commit to its default branch.${github}`,
        status,
      );
    }
    return new GitHubError(
      "conflict",
      `GitHub reported a conflict to ${call.action}${where}.${github}`,
      status,
    );
  }
  if (status === 422) {
    if (/already exists/i.test(said)) {
      return new GitHubError(
        "conflict",
        `could not ${call.action}${where}: it already exists; delete it or pick another name.${github}`,
        status,
      );
    }
    return new GitHubError(
      "invalid",
      `GitHub refused the request to ${call.action}${where}.${github}`,
      status,
    );
  }
  if (status >= 500) {
    return new GitHubError(
      "server",
      `GitHub failed (${status}) to ${call.action}${where}; it is worth retrying later.${github}`,
      status,
    );
  }
  return new GitHubError("invalid", `GitHub answered ${status} to ${call.action}${where}.${github}`, status);
}
