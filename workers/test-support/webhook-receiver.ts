import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";

// The independent implementation: the `standardwebhooks` package (a devDependency of
// packages/email, resolved from there so the Worker's dependencies stay as they are).
interface StandardWebhook {
  verify(payload: string, headers: Record<string, string>): unknown;
  sign(msgId: string, timestamp: Date, payload: string): string;
}
const requireFromEmail = createRequire(new URL("../../packages/email/package.json", import.meta.url));
const { Webhook } = requireFromEmail("standardwebhooks") as {
  Webhook: new (secret: string) => StandardWebhook;
};

/** How a receiver answers, set per name through `POST /__mode/<name>`. */
export const RECEIVER_MODES = [
  /** 200 "ok". */
  "ok",
  /** 500 with a body. */
  "fail",
  /** 302 to another of the receiver's paths (a redirect must not be followed). */
  "redirect",
  /** Answers after 3 s (tests give the Worker a shorter timeout). */
  "slow",
  /** 200 with a 64 KB body (only 1 KB is kept). */
  "big",
] as const;
export type ReceiverMode = (typeof RECEIVER_MODES)[number];

/** One request as the receiver saw it. */
export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Per registered secret: standardwebhooks' `verify` (signature and the 5-minute window) passed. */
  verified: boolean[];
  /**
   * Per registered secret: the signature standardwebhooks computes for the request's id and
   * timestamp is among those sent (independent of the clock: tests with a fake clock use this).
   */
  signed: boolean[];
}

/**
 * A webhook receiver for the Worker's tests. `POST /hook/<name>` records the request, checks it
 * against the secrets registered with `POST /__secrets/<name> {"secrets": [...]}` using the
 * standardwebhooks package, and answers as `POST /__mode/<name> {"mode": …}` says (default ok).
 * `GET /__received/<name>` lists what arrived. Names keep tests apart (files run side by side).
 */
export async function startWebhookReceiver(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const received = new Map<string, ReceivedWebhook[]>();
  const secrets = new Map<string, string[]>();
  const modes = new Map<string, ReceiverMode>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://receiver");
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const send = (status: number, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "text/plain", ...headers });
        res.end(body);
      };
      const control = /^\/__(received|secrets|mode)\/([\w.-]+)$/.exec(url.pathname);
      if (control) {
        const [, what, name = ""] = control;
        if (what === "received") {
          res.writeHead(200, { "content-type": "application/json" });
          return res.end(JSON.stringify(received.get(name) ?? []));
        }
        try {
          const body = JSON.parse(raw) as { secrets?: string[]; mode?: ReceiverMode };
          if (what === "secrets") secrets.set(name, body.secrets ?? []);
          else modes.set(name, body.mode ?? "ok");
          return send(204, "");
        } catch {
          return send(400, "bad control body");
        }
      }
      const hook = /^\/hook\/([\w.-]+)$/.exec(url.pathname);
      if (req.method !== "POST" || !hook) return send(404, "no such route");
      const name = hook[1] ?? "";
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const offered = (headers["webhook-signature"] ?? "").split(" ");
      const stamp = Number(headers["webhook-timestamp"]);
      const check = (secret: string) => {
        const wh = new Webhook(secret);
        let verified = false;
        try {
          wh.verify(raw, headers);
          verified = true;
        } catch {
          verified = false;
        }
        let signed = false;
        try {
          signed = offered.includes(wh.sign(headers["webhook-id"] ?? "", new Date(stamp * 1000), raw));
        } catch {
          signed = false;
        }
        return { verified, signed };
      };
      const results = (secrets.get(name) ?? []).map(check);
      const list = received.get(name) ?? [];
      list.push({
        path: url.pathname,
        headers,
        body: raw,
        verified: results.map((r) => r.verified),
        signed: results.map((r) => r.signed),
      });
      received.set(name, list);
      switch (modes.get(name) ?? "ok") {
        case "ok":
          return send(200, "ok");
        case "fail":
          return send(500, "receiver exploded");
        case "redirect":
          return send(302, "", { location: `/hook/${name}-redirected` });
        case "big":
          return send(200, "x".repeat(64 * 1024));
        case "slow":
          setTimeout(() => send(200, "late"), 3_000);
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Lives as long as the test run without holding the process open after it.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
