import { PushBunnyError } from "./errors";
import type { ErrorEnvelope } from "./types";

/** The fetch the SDK calls: the platform's, or one the app injects (tests, proxies, instrumentation). */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface Transport {
  baseUrl: string;
  apiKey: string;
  fetch: Fetch;
  timeoutMs: number;
}

export interface Call<T> {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  /** Lets the request outlive the page (browsers' `pagehide`); only set where the runtime honours it. */
  keepalive?: boolean;
  read: (res: Response) => Promise<T>;
}

/**
 * One request, answer read included, bounded by the timeout: a runtime that ignores the abort
 * signal still gives up on time, so the caller is never left waiting on a dead network.
 */
export async function call<T>(t: Transport, c: Call<T>): Promise<T> {
  const abort = typeof AbortController === "function" ? new AbortController() : undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort?.abort();
      reject(new PushBunnyError("timeout", `no answer from ${c.path} within ${t.timeoutMs} ms`));
    }, t.timeoutMs);
  });
  const init: RequestInit & { keepalive?: boolean } = {
    method: c.method,
    headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
    signal: abort?.signal,
  };
  if (c.keepalive) init.keepalive = true;
  try {
    return await Promise.race([t.fetch(t.baseUrl + c.path, init).then(c.read), timeout]);
  } catch (err) {
    throw toError(err);
  } finally {
    clearTimeout(timer);
  }
}

/** The server's error envelope as a PushBunnyError (the message, status and request id it sent). */
export async function httpError(res: Response): Promise<PushBunnyError> {
  const body = (await res.json().catch(() => null)) as Partial<ErrorEnvelope> | null;
  const e = body?.error;
  return new PushBunnyError("http", e?.message ?? `HTTP ${res.status}`, res.status, e?.requestId);
}

export function toError(err: unknown): PushBunnyError {
  if (err instanceof PushBunnyError) return err;
  return new PushBunnyError("network", err instanceof Error ? err.message : String(err));
}
