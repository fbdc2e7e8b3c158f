import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What the stub plays, picked by the API key `re_stub_<scenario>_<anything>` so each test drives
 * its own without shared state (test files run side by side).
 */
export const RESEND_STUB_SCENARIOS = [
  /** Every call accepted. */
  "ok",
  /** The first call of each idempotency key: 429 with Retry-After: 1; then accepted. */
  "ratelimitedonce",
  /** The first call of each idempotency key: 503; then accepted. */
  "unavailableonce",
  /** Every call: 422 validation_error (not retryable). */
  "invalid",
] as const;
export type ResendStubScenario = (typeof RESEND_STUB_SCENARIOS)[number];

/** A recorded call to POST /emails/batch. */
export interface ResendStubCall {
  idempotencyKey: string | null;
  status: number;
  emails: {
    from?: string;
    to: string[];
    subject: string;
    html?: string;
    text?: string;
    headers?: Record<string, string>;
    tags?: { name: string; value: string }[];
  }[];
}

/**
 * A Resend stand-in for the Worker's tests: `POST /emails/batch` with a Bearer key, at most 100
 * emails, `Idempotency-Key` honoured as Resend does (a key that succeeded answers the same ids
 * again and delivers nothing more). `GET /__calls/<api key>` gives the calls recorded for that key
 * and `GET /__delivered/<api key>` how often each message id (tag `message_id`) was delivered.
 */
export async function startResendStub(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const calls = new Map<string, ResendStubCall[]>();
  const delivered = new Map<string, Record<string, number>>();
  const seenKeys = new Map<string, { ids: string[] }>();
  const failedOnce = new Set<string>();
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", "http://stub");
    const control = /^\/__(calls|delivered)\/(.+)$/.exec(url.pathname);
    if (req.method === "GET" && control) {
      const key = decodeURIComponent(control[2] ?? "");
      return send(200, control[1] === "calls" ? (calls.get(key) ?? []) : (delivered.get(key) ?? {}));
    }
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const apiKey = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      if (req.method !== "POST" || url.pathname !== "/emails/batch") {
        return send(404, { name: "not_found", message: "no such route" });
      }
      if (!apiKey.startsWith("re_"))
        return send(401, { name: "missing_api_key", message: "Missing API key" });
      const scenario = /^re_stub_([a-z]+)_/.exec(apiKey)?.[1] ?? "ok";
      const idempotencyKey = (req.headers["idempotency-key"] as string | undefined) ?? null;
      let emails: ResendStubCall["emails"] = [];
      try {
        emails = JSON.parse(raw);
      } catch {
        return send(400, { name: "validation_error", message: "body is not JSON" });
      }
      const record = (status: number) => {
        const list = calls.get(apiKey) ?? [];
        list.push({ idempotencyKey, status, emails });
        calls.set(apiKey, list);
      };
      if (!Array.isArray(emails) || emails.length === 0 || emails.length > 100) {
        record(422);
        return send(422, { name: "validation_error", message: "1-100 emails per batch" });
      }
      // As Resend: a sender, and an HTML or a text part that is not empty.
      if (emails.some((email) => !email.from || !(email.html || email.text))) {
        record(422);
        return send(422, { name: "validation_error", message: "`from` and `html` or `text` are required" });
      }
      const onceKey = `${apiKey}|${idempotencyKey}`;
      if ((scenario === "ratelimitedonce" || scenario === "unavailableonce") && !failedOnce.has(onceKey)) {
        failedOnce.add(onceKey);
        if (scenario === "ratelimitedonce") {
          record(429);
          return send(
            429,
            { name: "rate_limit_exceeded", message: "Too many requests" },
            { "retry-after": "1" },
          );
        }
        record(503);
        return send(503, { name: "internal_server_error", message: "try again" });
      }
      if (scenario === "invalid") {
        record(422);
        return send(422, { name: "validation_error", message: "The `to` field is invalid" });
      }
      const replay = idempotencyKey ? seenKeys.get(onceKey) : undefined;
      if (replay) {
        record(200);
        return send(200, { data: replay.ids.map((id) => ({ id })) });
      }
      const counts = delivered.get(apiKey) ?? {};
      const ids = emails.map((email) => {
        const messageId = email.tags?.find((t) => t.name === "message_id")?.value ?? "?";
        counts[messageId] = (counts[messageId] ?? 0) + 1;
        return `re_${crypto.randomUUID()}`;
      });
      delivered.set(apiKey, counts);
      if (idempotencyKey) seenKeys.set(onceKey, { ids });
      record(200);
      return send(200, { data: ids.map((id) => ({ id })) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // The run's lifetime: never what keeps the process from exiting.
  server.unref();
  server.on("connection", (socket) => socket.unref());
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
