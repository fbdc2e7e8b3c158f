import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { type AdSyncError, type AdSyncErrorKind, isAdSyncError } from "../src/index";

/** One request as the stub saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export type StubReply =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; text: string; headers?: Record<string, string> }
  /** Never answer: the client's timeout must kick in. */
  | "hang"
  /** Close the socket without a response: a network failure. */
  | "drop";

/**
 * A local HTTP server with scripted replies: each route ("GET /v24.0/act_1/insights") answers from
 * its own queue, in order. Every request is recorded so tests can assert on what was sent, and a
 * request nobody scripted is recorded separately and answered with 418, which no connector retries.
 */
export interface ScriptedStub {
  baseUrl: string;
  requests: RecordedRequest[];
  unscripted: RecordedRequest[];
  script: (route: string, ...replies: StubReply[]) => void;
  /** Routes with replies that were never asked for. */
  leftover: () => string[];
  reset: () => void;
  close: () => Promise<void>;
}

export async function startStub(): Promise<ScriptedStub> {
  const queues = new Map<string, StubReply[]>();
  const stub: ScriptedStub = {
    baseUrl: "",
    requests: [],
    unscripted: [],
    script: (route, ...replies) => {
      queues.set(route, [...(queues.get(route) ?? []), ...replies]);
    },
    leftover: () => [...queues.entries()].filter(([, q]) => q.length > 0).map(([route]) => route),
    reset: () => {
      queues.clear();
      stub.requests.length = 0;
      stub.unscripted.length = 0;
    },
    close: async () => {},
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        pathname: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString("utf8"),
      };
      stub.requests.push(recorded);
      const reply = queues.get(`${recorded.method} ${recorded.pathname}`)?.shift();
      if (reply === undefined) {
        stub.unscripted.push(recorded);
        res.writeHead(418, { "content-type": "text/plain" });
        res.end(`no scripted reply for ${recorded.method} ${recorded.pathname}`);
        return;
      }
      if (reply === "hang") return;
      if (reply === "drop") {
        req.socket.destroy();
        return;
      }
      const status = reply.status ?? 200;
      if ("json" in reply) {
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...reply.headers });
        res.end(JSON.stringify(reply.json));
      } else {
        res.writeHead(status, { "content-type": "text/html; charset=UTF-8", ...reply.headers });
        res.end(reply.text);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  server.on("connection", (socket) => socket.unref());
  const { port } = server.address() as AddressInfo;
  stub.baseUrl = `http://127.0.0.1:${port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      // Hanging requests keep their sockets open; drop them so close() does not wait forever.
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

/** A sleep that records what it was asked to wait and returns at once. */
export function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}

/** The rejection of `promise`, which must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)?.slice(0, 200)}`);
    },
    (err: unknown) => err,
  );
}

/** The AdSyncError `promise` rejects with, checked to be one of `kind`. */
export async function adSyncFailure(promise: Promise<unknown>, kind: AdSyncErrorKind): Promise<AdSyncError> {
  const err = await rejectionOf(promise);
  expect(isAdSyncError(err), String(err)).toBe(true);
  const failure = err as AdSyncError;
  expect(failure.kind, failure.message).toBe(kind);
  return failure;
}

/** Fails if any secret appears anywhere in the error: message, own fields, or its cause chain. */
export function expectNoSecrets(err: unknown, secrets: readonly string[]): void {
  const seen: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    seen.push(String(e));
    if (e instanceof Error) {
      seen.push(e.message, e.stack ?? "", JSON.stringify({ ...e }));
      e = e.cause;
    } else {
      seen.push(JSON.stringify(e) ?? "");
      e = undefined;
    }
  }
  const text = seen.join("\n");
  for (const secret of secrets) expect(text).not.toContain(secret);
}
