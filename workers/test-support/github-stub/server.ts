import { createPublicKey } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  addInstallation,
  addOAuthCode,
  closePull,
  commitOf,
  createContext,
  filesAt,
  repoOf,
} from "./context";
import { clearFailures, failureFor, setFailure } from "./failures";
import { HttpError } from "./http";
import { route } from "./router";
import type {
  GitHubStubFailure,
  GitHubStubInstallationSeed,
  GitHubStubOptions,
  GitHubStubUser,
  Reply,
  StubContext,
} from "./types";
import { webhookRequest } from "./webhooks";

/** Answers one request: a failure on command, or the route. */
async function respond(ctx: StubContext, req: IncomingMessage, res: ServerResponse, raw: string) {
  const method = req.method ?? "GET";
  const path = new URL(req.url ?? "/", "http://stub").pathname;
  let reply: Reply;
  try {
    reply =
      (!path.startsWith("/__stub/") && failureFor(ctx, method, path)) ||
      (await route(ctx, req, method, path, raw));
  } catch (error) {
    if (error instanceof HttpError) {
      reply = {
        status: error.status,
        body: {
          message: error.message,
          documentation_url: "https://docs.github.com/rest",
          ...error.extra,
        },
        headers: error.headers,
      };
    } else {
      reply = { status: 500, body: { message: error instanceof Error ? error.message : String(error) } };
    }
  }
  if (!path.startsWith("/__stub/")) {
    ctx.requests.push({
      method,
      path,
      status: reply.status,
      userAgent: req.headers["user-agent"],
      apiVersion: req.headers["x-github-api-version"] as string | undefined,
      accept: req.headers.accept,
    });
  }
  if (reply.status === 204) {
    res.writeHead(204, reply.headers ?? {});
    res.end();
    return;
  }
  res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...reply.headers });
  res.end(reply.raw ?? JSON.stringify(reply.body ?? {}));
}

/** Starts the stub on 127.0.0.1 at a free port. */
export async function startGitHubStub(options: GitHubStubOptions = {}) {
  const { ctx, privateKeyPem, privateKeyPkcs8Pem } = createContext(options);

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void respond(ctx, req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  // The run's lifetime: never what keeps the process from exiting.
  server.unref();
  server.on("connection", (socket) => socket.unref());
  ctx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  for (const seed of options.installations ?? []) addInstallation(ctx, seed);

  return {
    /** Both the API URL and the web URL (GITHUB_API_URL and GITHUB_WEB_URL). */
    url: ctx.url,
    appId: ctx.appId,
    slug: ctx.slug,
    clientId: ctx.clientId,
    clientSecret: ctx.clientSecret,
    webhookSecret: ctx.webhookSecret,
    /** The App's key as GitHub downloads it (PKCS#1). */
    privateKeyPem,
    /** The same key as PKCS#8. */
    privateKeyPkcs8Pem,
    addInstallation: (seed: GitHubStubInstallationSeed) => addInstallation(ctx, seed),
    /** A code the setup callback can exchange for a user token that sees these installations. */
    addOAuthCode: (installationIds: number[], user?: Partial<Omit<GitHubStubUser, "installationIds">>) =>
      addOAuthCode(ctx, installationIds, user),
    setFailure: (failure: GitHubStubFailure, scope: { repo?: string } = {}) =>
      setFailure(ctx, failure, scope),
    clearFailures: (scope: { repo?: string } = {}) => clearFailures(ctx, scope),
    /** Makes the stub verify App JWTs against another public key (a rotated or wrong key). */
    setAppPublicKey(pem: string) {
      ctx.appKey = createPublicKey(pem);
    },
    /** Marks every minted installation token expired. */
    expireTokens() {
      for (const token of ctx.tokens.values()) token.expiresAt = new Date(0);
    },
    state: {
      branches: (fullName: string) =>
        Object.fromEntries(repoOf(ctx, fullName).refs) as Record<string, string>,
      files: (fullName: string, branch: string) => filesAt(ctx, fullName, branch),
      commit: (fullName: string, sha: string) => commitOf(ctx, fullName, sha),
      pulls: (fullName: string) => repoOf(ctx, fullName).pulls.map((pull) => ({ ...pull })),
      tokens: () => [...ctx.tokens.values()].map((token) => ({ ...token })),
      requests: () => [...ctx.requests],
      jwts: () => [...ctx.jwts],
      mergePull: (fullName: string, number: number) => closePull(ctx, fullName, number, true),
      closePull: (fullName: string, number: number) => closePull(ctx, fullName, number, false),
    },
    /** A delivery's body and headers (signed with webhookSecret) for `SELF.fetch` or fetch. */
    webhookRequest: (payload: unknown, event = "pull_request") => webhookRequest(ctx, payload, event),
    /** POSTs a signed delivery to a URL. */
    deliverWebhook(target: string, payload: unknown, event = "pull_request") {
      const request = webhookRequest(ctx, payload, event);
      return fetch(target, { method: "POST", headers: request.headers, body: request.body });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type GitHubStub = Awaited<ReturnType<typeof startGitHubStub>>;
