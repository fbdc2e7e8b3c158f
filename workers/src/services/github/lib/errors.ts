import { GitHubError } from "@pushbunny/agent";
import {
  type AppError,
  BadRequestError,
  ConflictError,
  RateLimitedError,
  ServiceUnavailableError,
} from "../../../errors";

/**
 * A GitHub failure in a request, as the API's own error: GitHub's trouble (limits, outages) is
 * for retrying later, a refused App credential is the operator's (503: the deployment cannot
 * reach GitHub as the App), and what the installation cannot see or do is a state the person can
 * change on GitHub (409). The message is GitHub client's, which says what to fix.
 */
export function fromGitHubError(err: unknown, oauth = false): unknown {
  if (!(err instanceof GitHubError)) return err;
  const mapped: AppError = (() => {
    switch (err.code) {
      case "rate_limited":
        return new RateLimitedError(`GitHub's rate limit: ${err.message}`, err.retryAfterSeconds ?? 60);
      case "server":
      case "network":
        return new ServiceUnavailableError(`GitHub is unreachable for now: ${err.message}`, 30, {
          cause: err,
        });
      case "unauthorized":
        // A code from the setup redirect that GitHub refuses is the caller's; the App's key is ours.
        return oauth
          ? new BadRequestError(err.message)
          : new ServiceUnavailableError(`GitHub refused the App: ${err.message}`, 60, { cause: err });
      default:
        return new ConflictError(err.message);
    }
  })();
  return mapped;
}
