import { pathToFileURL } from "node:url";
import { startGitHubStub } from "./github-stub/server";

/**
 * A GitHub stand-in for the App client and the agent: the App JWT (RS256, checked against the
 * key pair it generates), installations and their tokens, the git data API over real git object
 * ids, pull requests, the OAuth code exchange, and failures on command. One server plays both
 * https://api.github.com and https://github.com (their paths do not overlap).
 *
 * Tests in Node drive it through the returned object; tests in workerd cannot reach that object,
 * so the same controls are served under `/__stub/…` (github-stub/control.ts). State is keyed by
 * repository and installation: give each test its own account login and nothing is shared.
 */

// The stub lives in ./github-stub/, one concern a file; this entry keeps the import path the
// tests and vitest.config.ts use, and the standalone run below.

export { signAppJwt } from "./github-stub/auth";
export { filesOfFolder } from "./github-stub/git-objects";
export { type GitHubStub, startGitHubStub } from "./github-stub/server";
export type {
  GitHubStubFailure,
  GitHubStubInstallationSeed,
  GitHubStubMintedToken,
  GitHubStubOptions,
  GitHubStubPull,
  GitHubStubRepoSeed,
  GitHubStubRequest,
  GitHubStubUser,
} from "./github-stub/types";
export { pullRequestEventPayload, signGitHubWebhookBody } from "./github-stub/webhooks";

// Standalone (Node >= 22.15):
//   node --import ./scripts/register-ts.mjs workers/test-support/github-stub-server.ts [--port 8790]
// starts a stub with the next-app fixture as acme/web (installation 1001) and prints the lines
// for .dev.vars that point `pnpm dev` at it. The App key is new on every start.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const portArg = process.argv.indexOf("--port");
  const stub = await startGitHubStub({
    port: portArg === -1 ? 0 : Number(process.argv[portArg + 1]),
    installations: [
      {
        id: 1001,
        account: { login: "acme" },
        repositories: { web: { folder: "packages/agent/test/fixtures/next-app" } },
      },
    ],
  });
  // The stub unrefs its server for test runs; standalone, this keeps the process alive.
  setInterval(() => {}, 1 << 30);
  const vars = {
    GITHUB_API_URL: stub.url,
    GITHUB_WEB_URL: stub.url,
    GITHUB_APP_ID: stub.appId,
    GITHUB_APP_SLUG: stub.slug,
    GITHUB_CLIENT_ID: stub.clientId,
    GITHUB_CLIENT_SECRET: stub.clientSecret,
    GITHUB_WEBHOOK_SECRET: stub.webhookSecret,
    GITHUB_APP_PRIVATE_KEY: stub.privateKeyPem,
  };
  console.error(`GitHub stub on ${stub.url}: installation 1001 (acme) with acme/web; .dev.vars lines:`);
  for (const [name, value] of Object.entries(vars)) console.log(`${name}=${JSON.stringify(value)}`);
}
