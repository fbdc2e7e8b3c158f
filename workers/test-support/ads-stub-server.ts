import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A Meta Marketing API stand-in for the Worker's tests, speaking the Graph API's insights
 * protocol: GET /{version}/act_{id}/insights with a Bearer token, `paging.next` for the next
 * page, and `{ error: { message, type, code, error_subcode, fbtrace_id } }` bodies. The access
 * token picks the scenario, so each test drives its own: `stub-ok…` (two pages), `stub-expired…`
 * (code 190/463), `stub-429…` (429 with Retry-After: 120).
 */
export async function startAdsStub(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  let baseUrl = "";
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
      res.end(JSON.stringify(body));
    };
    if (!/^\/v\d+\.\d+\/act_\d+\/insights$/.test(url.pathname)) {
      return send(400, {
        error: { message: "Unknown path components", type: "OAuthException", code: 2500, fbtrace_id: "t" },
      });
    }
    if (token.startsWith("stub-expired")) {
      return send(400, {
        error: {
          message: "Error validating access token: Session has expired on Sunday, 22-Nov-26 10:00:00 PST.",
          type: "OAuthException",
          code: 190,
          error_subcode: 463,
          fbtrace_id: "AbCdEf",
        },
      });
    }
    if (token.startsWith("stub-429")) {
      return send(
        429,
        {
          error: { message: "User request limit reached", type: "OAuthException", code: 17, fbtrace_id: "x" },
        },
        { "retry-after": "120" },
      );
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
