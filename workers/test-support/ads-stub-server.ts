import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The failures the stub produces on command: the access token `EAAStub<Scenario>0000…` picks one,
 * so each test drives its own without shared state (test files run side by side).
 */
export const ADS_STUB_SCENARIOS = [
  /** Two pages of insights. */
  "Ok",
  /** 400 with Graph's expired-token error (code 190/463). */
  "Expired",
  /** 429 with Retry-After: 120. */
  "RateLimited",
  /** 401 with an OAuthException body. */
  "Unauthorized",
  /** 403 with a plain-text body. */
  "Forbidden",
  /** 500 with an HTML body, every time. */
  "ServerError",
  /** 200 with an HTML body. */
  "NotJson",
  /** 200 with JSON that has no `data` array. */
  "BadShape",
  /** The socket is closed without an answer: a connection failure. */
  "Reset",
  /** A 400 whose message echoes the token, as some channels do. */
  "Echo",
] as const;
export type AdsStubScenario = (typeof ADS_STUB_SCENARIOS)[number];

/** A Meta access token (valid in shape) that makes the stub play `scenario`. */
export function adsStubToken(scenario: AdsStubScenario): string {
  return `EAAStub${scenario}${"0".repeat(32)}`;
}

/**
 * A Meta Marketing API stand-in for the Worker's tests, speaking the Graph API's insights
 * protocol: GET /{version}/act_{id}/insights with a Bearer token, `paging.next` for the next
 * page, and `{ error: { message, type, code, error_subcode, fbtrace_id } }` bodies. The token
 * picks the scenario (see ADS_STUB_SCENARIOS).
 */
export async function startAdsStub(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  let baseUrl = "";
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const scenario = /^EAAStub([A-Za-z]+?)0/.exec(token)?.[1] ?? "Ok";
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const graphError = (status: number, code: number, message: string, extra: Record<string, unknown> = {}) =>
      send(status, { error: { message, type: "OAuthException", code, fbtrace_id: "AbCdEf", ...extra } });
    if (!/^\/v\d+\.\d+\/act_\d+\/insights$/.test(url.pathname)) {
      return graphError(400, 2500, "Unknown path components");
    }
    switch (scenario) {
      case "Expired":
        return graphError(
          400,
          190,
          "Error validating access token: Session has expired on Sunday, 22-Nov-26 10:00:00 PST.",
          { error_subcode: 463 },
        );
      case "RateLimited":
        return send(
          429,
          {
            error: {
              message: "User request limit reached",
              type: "OAuthException",
              code: 17,
              fbtrace_id: "x",
            },
          },
          { "retry-after": "120" },
        );
      case "Unauthorized":
        return send(401, { error: { message: "Invalid OAuth access token.", type: "OAuthException" } });
      case "Forbidden":
        res.writeHead(403, { "content-type": "text/plain" });
        return res.end("Forbidden");
      case "ServerError":
        res.writeHead(500, { "content-type": "text/html" });
        return res.end("<html><body>Sorry, something went wrong.</body></html>");
      case "NotJson":
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html><body>Maintenance</body></html>");
      case "BadShape":
        return send(200, { rows: [], paging: {} });
      case "Reset":
        req.socket.destroy();
        return;
      case "Echo":
        return graphError(400, 100, `Invalid parameter: access_token=${token} is malformed`);
    }
    const row = (id: string, name: string, date: string, spend: string, clicks: string) => ({
      campaign_id: id,
      campaign_name: name,
      date_start: date,
      date_stop: date,
      publisher_platform: "facebook",
      spend,
      clicks,
      impressions: "10000",
      inline_post_engagement: "150",
      actions: [{ action_type: "purchase", value: "4" }],
      action_values: [{ action_type: "purchase", value: "300.00" }],
    });
    if (url.searchParams.get("after") === "PAGE2") {
      return send(200, {
        data: [row("120200000000000002", "Holiday – Prospecting", "2026-11-21", "80.00", "100")],
        paging: { cursors: { before: "B2", after: "A2" } },
      });
    }
    return send(200, {
      data: [row("120200000000000001", "Holiday – Retargeting", "2026-11-21", "100.00", "200")],
      paging: {
        cursors: { before: "B1", after: "PAGE2" },
        next: `${baseUrl}${url.pathname}?after=PAGE2&limit=500`,
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // It lives as long as the test run and must not keep the process alive after it.
  server.unref();
  server.on("connection", (socket) => socket.unref());
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { baseUrl, close: () => new Promise((r) => server.close(() => r())) };
}
