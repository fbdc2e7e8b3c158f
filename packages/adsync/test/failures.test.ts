import { describe, expect, it } from "vitest";
import {
  type AdSyncFailureCode,
  type Channel,
  type ChannelCredentials,
  type ConnectorOptions,
  createConnector,
  describeFailure,
  redactTokens,
} from "../src/index";
import { rejectionOf } from "./stub-server";

const RANGE = { since: "2026-11-20", until: "2026-11-21" };
const META_TOKEN = "EAAGm0PX4ZCpsBAKZCtestSystemUserToken1234567890";
const TIKTOK_TOKEN = "3f9c1e7a5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e";
const GOOGLE = {
  developerToken: "DevTok_aBcDeFgHiJkLmNoPqRs",
  clientId: "1234567890-abcdefg.apps.googleusercontent.com",
  clientSecret: "GOCSPX-clientSecretValue42",
  refreshToken: "1//0gRefreshTokenValueThatIsLong",
  customerId: "123-456-7890",
};
const CREDENTIALS: Record<"facebook" | "tiktok" | "google_ads", ChannelCredentials> = {
  facebook: { accessToken: META_TOKEN, adAccountId: "1029384756" },
  tiktok: { accessToken: TIKTOK_TOKEN, advertiserId: "7012345678901234567" },
  google_ads: GOOGLE,
};
const SECRETS = [META_TOKEN, TIKTOK_TOKEN, GOOGLE.clientSecret, GOOGLE.refreshToken, GOOGLE.developerToken];

type Answer = () => Promise<Response>;
const reply =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  async () =>
    new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers });
const fail =
  (err: unknown): Answer =>
  async () => {
    throw err;
  };
const networkError = (code?: string) =>
  new TypeError(
    "fetch failed",
    code === undefined ? undefined : { cause: Object.assign(new Error(code), { code }) },
  );

/** The recorded failure when every request gets `answer` (Google's OAuth call gets a token first). */
async function failureOf(channel: Channel, answer: Answer, options: ConnectorOptions = {}) {
  const fetch = (async (url: string) => {
    if (String(url).endsWith("/token"))
      return reply(200, { access_token: "ya29.a0shortLivedAccessToken", expires_in: 3600 })();
    return answer();
  }) as typeof globalThis.fetch;
  const connector = createConnector(channel, CREDENTIALS[channel as keyof typeof CREDENTIALS], {
    fetch,
    retry: { maxAttempts: 1 },
    sleep: async () => {},
    timeoutMs: 1_000,
    ...options,
  });
  const failure = describeFailure(await rejectionOf(connector.fetchMetrics(RANGE)));
  const text = JSON.stringify(failure);
  for (const secret of [...SECRETS, "ya29.a0shortLivedAccessToken"]) expect(text).not.toContain(secret);
  return failure;
}

describe("sync failure causes", () => {
  it.each<[string, Channel, Answer, AdSyncFailureCode, RegExp]>([
    [
      "a DNS failure",
      "facebook",
      fail(networkError("ENOTFOUND")),
      "connection_failed",
      /DNS lookup failed \(ENOTFOUND\)/,
    ],
    [
      "a refused connection",
      "tiktok",
      fail(networkError("ECONNREFUSED")),
      "connection_failed",
      /ECONNREFUSED/,
    ],
    [
      "workerd's opaque network error",
      "facebook",
      fail(new Error("internal error; reference = 8kqp3kt9ivbfmgh1h5e2ogn0")),
      "connection_failed",
      /DNS lookup or connection failed/,
    ],
    [
      "HTTP 401",
      "facebook",
      reply(401, { error: { message: "Invalid OAuth access token" } }),
      "credentials_rejected",
      /rejected the credentials/,
    ],
    ["HTTP 403", "tiktok", reply(403, "Forbidden"), "credentials_rejected", /HTTP 403/],
    [
      "HTTP 403 from Google Ads",
      "google_ads",
      reply(403, { error: { code: 403, status: "PERMISSION_DENIED", message: "denied" } }),
      "credentials_rejected",
      /PERMISSION_DENIED/,
    ],
    ["HTTP 500", "facebook", reply(500, "<html>oops</html>"), "channel_error", /servers failed.*HTTP 500/],
    [
      "HTTP 503",
      "google_ads",
      reply(503, { error: { code: 503, status: "UNAVAILABLE", message: "try later" } }),
      "channel_error",
      /HTTP 503/,
    ],
    [
      "TikTok's system error code",
      "tiktok",
      reply(200, { code: 50002, message: "system busy" }),
      "channel_error",
      /code 50002/,
    ],
    [
      "a body that is not JSON",
      "facebook",
      reply(200, "<html>Sorry</html>"),
      "malformed_response",
      /not JSON/,
    ],
    [
      "JSON of the wrong shape",
      "tiktok",
      reply(200, { code: 0, data: { rows: [] } }),
      "malformed_response",
      /no data.list/,
    ],
    [
      "a refused request",
      "facebook",
      reply(400, { error: { code: 100, message: "Invalid parameter" } }),
      "request_rejected",
      /HTTP 400/,
    ],
  ])("records %s", async (_, channel, answer, code, message) => {
    const failure = await failureOf(channel, answer);
    expect(failure.code).toBe(code);
    expect(failure.message).toMatch(message);
    expect(failure.message.length).toBeLessThanOrEqual(500);
  });

  it("records a rate limit with the wait the channel asked for", async () => {
    const failure = await failureOf(
      "facebook",
      reply(429, { error: { code: 17, message: "User request limit reached" } }, { "retry-after": "120" }),
    );
    expect(failure).toMatchObject({
      kind: "rate_limited",
      code: "rate_limited",
      status: 429,
      retryAfterMs: 120_000,
    });
    expect(failure.message).toMatch(/rate limiting.*wait 120 s/);
  });

  it("records a timeout", async () => {
    const failure = await failureOf("tiktok", () => new Promise<Response>(() => {}), { timeoutMs: 30 });
    expect(failure).toMatchObject({ kind: "transient", code: "timeout" });
    expect(failure.message).toMatch(/did not answer within 30 ms/);
  });

  it("redacts tokens the channel echoes, even ones we never sent", async () => {
    const failure = await failureOf(
      "google_ads",
      reply(400, {
        error: { code: 400, message: `bad header Bearer ya29.otherToken123 and ${GOOGLE.developerToken}` },
      }),
    );
    expect(failure.message).toContain("Bearer [redacted]");
    expect(failure.message).not.toContain("ya29.otherToken123");
  });

  it("keeps nothing of an error that is not an AdSyncError", () => {
    expect(describeFailure(new Error(`D1 said ${META_TOKEN}`))).toEqual({
      kind: "transient",
      code: "unexpected",
      message: "unexpected failure",
    });
  });

  it.each([
    [`token EAAB${"a".repeat(40)} expired`, "token [redacted] expired"],
    ["access_token=abc123def456ghi789&x=1", "access_token=[redacted]&x=1"],
    ["accessToken: must not be empty", "accessToken: must not be empty"],
    ['{"refresh_token": "1//0gabcdefghijklmnop"}', '{"refresh_token": "[redacted]"}'],
    ["no secrets here", "no secrets here"],
  ])("redactTokens(%j)", (text, expected) => {
    expect(redactTokens(text)).toBe(expected);
  });
});
