import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect } from "vitest";
import { type GitHubStub, startGitHubStub } from "../../../workers/test-support/github-stub-server";
import { createRepoApi, type GitHubAppConfig, GitHubError, mintInstallationToken } from "../src";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
// A PNG header: not valid UTF-8 (0x89) and has NULs.
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

// Live bindings: set by useGitHubStub's beforeAll, read by the tests of the file that called it.
export let stub: GitHubStub;
export let app: GitHubAppConfig;
export let acme: number;
export let solo: number;
export let sleepy: number;

/** One stub per test file, seeded with the same installations, so each file runs on its own. */
export function useGitHubStub(): void {
  beforeAll(async () => {
    stub = await startGitHubStub();
    acme = stub.addInstallation({
      account: { login: "acme", type: "Organization" },
      repositories: {
        web: { folder: `${FIXTURES}next-app` },
        vite: { folder: `${FIXTURES}react-vite` },
        vue: { folder: `${FIXTURES}vue-vite` },
        mono: { folder: `${FIXTURES}monorepo`, truncateTreeAt: 5 },
        blank: { empty: true },
        assets: {
          files: {
            "README.md": "# assets\n",
            "logo.png": PNG,
            "latin1.txt": Uint8Array.from([0x63, 0x61, 0x66, 0xe9]),
            "bom.txt": "\uFEFFhello",
          },
          defaultBranch: "trunk",
        },
        other: { files: { "index.js": "export {};\n" } },
        intl: { files: { "a.txt": "à" }, defaultBranch: "développement" },
      },
    }).id;
    solo = stub.addInstallation({ account: { login: "solo", type: "User" }, repositories: {} }).id;
    sleepy = stub.addInstallation({ account: { login: "sleepy" }, suspended: true }).id;
    app = {
      appId: stub.appId,
      privateKeyPem: stub.privateKeyPem,
      slug: stub.slug,
      apiUrl: stub.url,
      webUrl: stub.url,
      clientId: stub.clientId,
      clientSecret: stub.clientSecret,
    };
  });

  afterAll(async () => {
    await stub.close();
  });
}

export async function repoApi(name: string, repositories = [name]) {
  const { token } = await mintInstallationToken(app, acme, { repositories });
  return createRepoApi({ apiUrl: stub.url, token, fullName: name });
}

/** The GitHubError a call rejects with (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<GitHubError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a GitHubError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(GitHubError);
  return outcome.error as GitHubError;
}
