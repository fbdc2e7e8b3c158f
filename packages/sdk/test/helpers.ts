import type { Fetch } from "../src/core/http";

/** mulberry32: a seeded generator, so a backoff test can predict every jitter draw. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Seen {
  url: string;
  method: string;
  at: number;
  headers: Record<string, string>;
  body: unknown;
  keepalive: boolean;
}

type Answer = Response | Promise<Response> | "network" | "hang";

/**
 * A scripted server: each request gets the next answer of `script` (the last one repeats) and
 * is recorded with the fake clock's time. "network" throws the TypeError fetch throws offline.
 */
export function fakeServer(script: Array<Answer | ((req: Seen) => Answer)>) {
  const seen: Seen[] = [];
  const fetch: Fetch = async (url, init) => {
    const req: Seen = {
      url,
      method: init?.method ?? "GET",
      at: Date.now(),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
      keepalive: (init as { keepalive?: boolean } | undefined)?.keepalive === true,
    };
    seen.push(req);
    const step = script[Math.min(seen.length - 1, script.length - 1)];
    const answer = typeof step === "function" ? step(req) : step;
    if (answer === undefined) throw new Error("fakeServer: empty script");
    if (answer === "network") throw new TypeError("fetch failed");
    if (answer === "hang") return new Promise<Response>(() => {});
    return answer instanceof Promise ? answer : answer.clone();
  };
  return { fetch, seen, events: () => seen.filter((r) => r.url.endsWith("/v1/events")) };
}

export const ok = (body: unknown = { recorded: 0, total: 0, rejected: [] }, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export const failure = (
  status: number,
  headers: Record<string, string> = {},
  code = "INTERNAL_SERVER_ERROR",
) =>
  new Response(
    JSON.stringify({ error: { code, message: `failed with ${status}`, requestId: "req_test", issues: [] } }),
    {
      status,
      headers: { "content-type": "application/json", ...headers },
    },
  );

/** The events in a recorded /v1/events request. */
export const eventsOf = (req: Seen | undefined) =>
  ((req?.body ?? { events: [] }) as { events: Array<Record<string, unknown>> }).events;

export const TOKEN = (n: number) => `trk_v1.prj_test.exp_test.var_test.imp_${n}.sig`;
