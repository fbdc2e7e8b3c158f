import { DEFAULT_MESSAGE, EMPTY_MESSAGE } from "./http";
import type { GitHubStubFailure, Reply, StubContext } from "./types";

export function setFailure(ctx: StubContext, failure: GitHubStubFailure, scope: { repo?: string } = {}) {
  ctx.failures.push({ repo: scope.repo ?? null, failure, left: failure.times ?? Number.POSITIVE_INFINITY });
}

export function clearFailures(ctx: StubContext, scope: { repo?: string } = {}) {
  for (let i = ctx.failures.length - 1; i >= 0; i -= 1) {
    if (scope.repo === undefined || ctx.failures[i]?.repo === scope.repo) ctx.failures.splice(i, 1);
  }
}

/** The failure to play for this request, if any; a failure with `times` counts down. */
export function failureFor(ctx: StubContext, method: string, path: string): Reply | null {
  const repoName = /^\/repos\/([^/]+\/[^/]+?)(?:\/|$)/.exec(path)?.[1];
  for (const entry of ctx.failures) {
    if (entry.left <= 0) continue;
    if (entry.repo !== null && entry.repo !== repoName) continue;
    const { failure } = entry;
    if (failure.match && !`${method} ${path}`.includes(failure.match)) continue;
    if (failure.empty && !path.includes("/git/")) continue;
    entry.left -= 1;
    if (failure.rateLimit === "primary" || failure.rateLimit === true) {
      const reset = Math.floor(Date.now() / 1000) + 60;
      return {
        status: 403,
        body: { message: failure.message ?? "API rate limit exceeded for installation ID 1." },
        headers: {
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(reset),
        },
      };
    }
    if (failure.rateLimit === "secondary") {
      return {
        status: 403,
        body: {
          message:
            failure.message ??
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        },
        headers: { "retry-after": "30", "x-ratelimit-remaining": "4000" },
      };
    }
    if (failure.empty) return { status: 409, body: { message: failure.message ?? EMPTY_MESSAGE } };
    const status = failure.status ?? 500;
    return {
      status,
      body: { message: failure.message ?? DEFAULT_MESSAGE[status] ?? "Error" },
      headers: status === 429 ? { "retry-after": "10" } : {},
    };
  }
  return null;
}
