import { describe, expect, it } from "vitest";
import type { ChannelViewJson, SyncRunView } from "../src/http/routes/ads/schemas";
import { call, eventually, expectError, json, seedProject } from "./helpers";

// Failure causes, end to end: the real Meta client against the local Graph API stub
// (workers/test-support/ads-stub-server.ts), whose access token picks the failure.
const stubToken = (scenario: string) => `EAAStub${scenario}${"0".repeat(32)}`;

async function failedRun(scenario: string) {
  const { apiKey } = await seedProject();
  const token = stubToken(scenario);
  const connected = await json<{ run: SyncRunView }>(
    await call("/v1/ads/channels/facebook", {
      key: apiKey,
      method: "PUT",
      body: { credentials: { accessToken: token, adAccountId: "1029384756" } },
    }),
    200,
  );
  const run = await eventually(async () => {
    const r = await json<SyncRunView>(
      await call(`/v1/ads/sync/runs/${connected.run.run_id}`, { key: apiKey }),
      200,
    );
    expect(r.status).toMatch(/^(succeeded|partial|failed)$/);
    return r;
  }, 25_000);
  const { channels } = await json<{ channels: ChannelViewJson[] }>(
    await call("/v1/ads/channels", { key: apiKey }),
    200,
  );
  const everything = JSON.stringify({ run, channels });
  expect(everything).not.toContain(token);
  expect(everything).not.toContain("EAAStub");
  return { apiKey, run, channel: channels[0] as ChannelViewJson };
}

describe("a failed sync says why", () => {
  it.each([
    [
      "Unauthorized",
      "credentials_rejected",
      "auth",
      /rejected the credentials.*HTTP 401.*Invalid OAuth access token/,
      401,
    ],
    ["Forbidden", "credentials_rejected", "auth", /rejected the credentials.*HTTP 403/, 403],
    ["Expired", "credentials_rejected", "auth", /rejected the credentials.*expired/, 400],
    ["NotJson", "malformed_response", "bad_response", /reply we cannot read.*not JSON/, 200],
    ["BadShape", "malformed_response", "bad_response", /reply we cannot read.*no data array/, undefined],
    ["Echo", "request_rejected", "bad_response", /refused the request.*access_token=\[redacted\]/, 400],
  ])("%s → %s, not retried", async (scenario, code, kind, message, status) => {
    const { apiKey, run, channel } = await failedRun(scenario);
    expect(run.status).toBe("failed");
    const error = run.results[0]?.error;
    expect(error).toMatchObject({ kind, code, message: expect.stringMatching(message) });
    expect(error?.status).toBe(status);
    expect(error?.retry_at).toBeUndefined();
    expect(channel).toMatchObject({
      last_status: "error",
      last_error_code: code,
      last_error: error?.message,
    });
    const runs = await json<{ runs: SyncRunView[] }>(
      await call("/v1/ads/sync/runs?trigger=retry", { key: apiKey }),
      200,
    );
    expect(runs.runs).toEqual([]);
  });

  it.each([
    ["RateLimited", "rate_limited", "rate_limited", /rate limiting us \(it asked to wait 120 s\)/, 120],
    ["ServerError", "channel_error", "transient", /servers failed.*HTTP 500/, 60],
    ["Reset", "connection_failed", "transient", /could not connect.*could not be reached/, 60],
  ])("%s → %s, with the time of the retry", async (scenario, code, kind, message, delaySeconds) => {
    const { apiKey, run, channel } = await failedRun(scenario);
    const error = run.results[0]?.error;
    expect(error).toMatchObject({ kind, code, message: expect.stringMatching(message) });
    expect(channel).toMatchObject({ last_error_code: code });
    // The retry run is queued for when the channel said, or the backoff.
    const finishedAt = Date.parse(run.finished_at ?? "");
    expect(Date.parse(error?.retry_at ?? "") - finishedAt).toBe(delaySeconds * 1000);
    const retries = await json<{ runs: SyncRunView[] }>(
      await call("/v1/ads/sync/runs?trigger=retry", { key: apiKey }),
      200,
    );
    expect(retries.runs).toMatchObject([{ status: "queued", attempt: 2, channels: ["facebook"] }]);
  });
});

describe("credentials are checked before they are stored", () => {
  const META = { accessToken: stubToken("Ok"), adAccountId: "1029384756" };
  const GOOGLE = {
    developerToken: "DevTok_aBcDeFgHiJkLmNoPqRs",
    clientId: "1234567890-abcdefg.apps.googleusercontent.com",
    clientSecret: "GOCSPX-clientSecretValue42",
    refreshToken: "1//0gRefreshTokenValueThatIsLong",
    customerId: "123-456-7890",
  };
  const TIKTOK = {
    accessToken: "3f9c1e7a5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e",
    advertiserId: "7012345678901234567",
  };

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["facebook", { ...META, accessToken: "EAAB…" }, "accessToken", /placeholder \(it contains an ellipsis\)/],
    ["instagram", { ...META, accessToken: "<your token>" }, "accessToken", /placeholder \(<…>/],
    ["facebook", { ...META, accessToken: "xxx" }, "accessToken", /placeholder \(xxx\)/],
    ["facebook", { ...META, accessToken: "TODO" }, "accessToken", /placeholder \(TODO/],
    [
      "facebook",
      { ...META, accessToken: "EAAGm0PX4ZC psBAKZC1234abcdefghijklmnop" },
      "accessToken",
      /whitespace/,
    ],
    ["facebook", { ...META, accessToken: TIKTOK.accessToken }, "accessToken", /starts with "EAA"/],
    ["google_ads", { ...GOOGLE, customerId: "111-222-333" }, "customerId", /10-digit/],
    [
      "google_ads",
      { ...GOOGLE, refreshToken: "ya29.a0AfH6SMBx3kNz9q8tQ2vRr7" },
      "refreshToken",
      /expires within an hour/,
    ],
    ["google_ads", { ...GOOGLE, clientId: "my-client" }, "clientId", /OAuth client id/],
    ["google_ads", { ...GOOGLE, developerToken: "YOUR_DEVELOPER_TOKEN" }, "developerToken", /placeholder/],
    ["tiktok", { ...TIKTOK, accessToken: "act.example-token-123" }, "accessToken", /letters and digits only/],
    ["tiktok", { ...TIKTOK, advertiserId: "adv-123" }, "advertiserId", /numeric advertiser id/],
  ])("%s: refuses %j with a 400 naming the field", async (channel, credentials, field, problem) => {
    const { apiKey } = await seedProject();
    const res = await call(`/v1/ads/channels/${channel}`, {
      key: apiKey,
      method: "PUT",
      body: { credentials },
    });
    const body = await res.clone().text();
    const error = await expectError(
      res,
      400,
      "BAD_REQUEST",
      new RegExp(`credentials for ${channel}.*${field}: `),
    );
    expect(error.issues).toEqual([{ path: `credentials.${field}`, message: expect.stringMatching(problem) }]);
    // The value is a secret: never echoed.
    const value = String(credentials[field]);
    if (value.length > 4) expect(body).not.toContain(value);
    const { channels } = await json<{ channels: unknown[] }>(
      await call("/v1/ads/channels", { key: apiKey }),
      200,
    );
    expect(channels).toEqual([]);
  });

  it("says when the credentials are another channel's", async () => {
    const { apiKey } = await seedProject();
    const error = await expectError(
      await call("/v1/ads/channels/google_ads", { key: apiKey, method: "PUT", body: { credentials: META } }),
      400,
      "BAD_REQUEST",
    );
    expect(error.issues).toContainEqual({
      path: "credentials",
      message: "these look like Meta (facebook/instagram) credentials",
    });
  });
});
