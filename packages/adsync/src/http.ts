import { AdSyncError, abortedError, throwIfAborted } from "./errors";
import { preview } from "./normalize";
import type { Channel } from "./types";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpClient {
  channel: Channel;
  fetch: FetchLike;
  timeoutMs: number;
}

/** A response read to the end, so the timeout covers the body and callers can parse it twice. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One HTTP exchange under a per-request timeout and the caller's signal. Network failures and
 * timeouts become "transient" AdSyncErrors; statuses are left for the caller to classify.
 * `label` names the upstream in messages; the URL never appears in them (it may carry ids and
 * cursors nobody needs in logs).
 */
export async function send(
  client: HttpClient,
  label: string,
  url: string,
  init: RequestInit,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  throwIfAborted(client.channel, signal);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, client.timeoutMs);
  const onCallerAbort = (): void => controller.abort();
  signal?.addEventListener("abort", onCallerAbort, { once: true });

  // An injected fetch may ignore the signal; racing guarantees the timeout and abort still hold.
  const stopped = new Promise<never>((_, reject) => {
    const fail = (): void => reject(new Error("aborted"));
    if (controller.signal.aborted) fail();
    else controller.signal.addEventListener("abort", fail, { once: true });
  });
  const exchange = (async (): Promise<HttpResponse> => {
    const response = await client.fetch(url, { ...init, signal: controller.signal });
    return { status: response.status, headers: response.headers, text: await response.text() };
  })();
  // Whichever promise loses the race must not surface later as an unhandled rejection.
  exchange.catch(() => {});
  stopped.catch(() => {});

  try {
    return await Promise.race([exchange, stopped]);
  } catch (err) {
    if (signal?.aborted) throw abortedError(client.channel, signal);
    if (timedOut) {
      throw new AdSyncError(
        "transient",
        client.channel,
        `${label} did not answer within ${client.timeoutMs} ms`,
        { code: "timeout" },
      );
    }
    throw new AdSyncError(
      "transient",
      client.channel,
      `${label} could not be reached: ${networkDetail(err)}`,
      {
        code: "connection_failed",
        cause: err,
      },
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onCallerAbort);
  }
}

/**
 * What a failed fetch says about the network: Node puts the system error (ENOTFOUND,
 * ECONNREFUSED) in `cause`; workerd only says "internal error; reference = …" or "Network
 * connection lost", which tells the operator nothing the code does not.
 */
function networkDetail(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `DNS lookup failed (${code})`;
  if (code) return `connection failed (${code})`;
  const message = err instanceof Error ? err.message : String(err);
  if (/internal error; reference =/i.test(message) || message.trim() === "") {
    return "DNS lookup or connection failed";
  }
  return preview(message);
}

/** The body of a successful response as JSON; anything else is a "bad_response" (retrying returns the same). */
export function parseJsonBody(channel: Channel, label: string, response: HttpResponse): unknown {
  try {
    return JSON.parse(response.text);
  } catch {
    // The SyntaxError is not kept as the cause: V8 quotes the body in it, and bodies may echo tokens.
    throw new AdSyncError(
      "bad_response",
      channel,
      `${label} returned a body that is not JSON (HTTP ${response.status}): ${preview(response.text)}`,
      { status: response.status, code: "malformed_response" },
    );
  }
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** "30s" or "1.5s" (a protobuf Duration in JSON) in milliseconds. */
export function durationMs(value: unknown): number | undefined {
  const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(value.trim()) : null;
  return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]) * 1000);
}

/** Joins a base URL (which may carry a path prefix, as stubs do) and a path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
