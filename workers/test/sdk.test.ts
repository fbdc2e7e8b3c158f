// @pushbunny/sdk against the real Worker in workerd: its fetch is the Worker's own, wrapped
// where a test needs the network or the server to misbehave. Counts are read back through
// GET /v1/stats once the queue consumers have caught up.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  type Client,
  createClient,
  type Fetch,
  memoryStorage,
  type PushBunnyError,
} from "../../packages/sdk/src/index";
import { call, eventually, seedProject } from "./helpers";

const BASE = "http://pushbunny.test";
const worker: Fetch = (url, init) => exports.default.fetch(url, init);

function sdk(apiKey: string, fetch: Fetch = worker, errors: PushBunnyError[] = []) {
  return createClient({
    baseUrl: BASE,
    apiKey,
    fetch,
    storage: memoryStorage(),
    flushIntervalMs: 60_000,
    retryDelayMs: 20,
    maxRetryDelayMs: 100,
    timeoutMs: 5_000,
    onError: (e) => errors.push(e),
  });
}

/** Waits until stats show the expected counts, then checks they stay there a moment (no late double count). */
async function settledStats(client: Client, intentId: string, want: { opens: number; conversions: number }) {
  await eventually(async () => {
    const s = await client.stats({ intent_id: intentId });
    expect([s.total_opens, s.total_conversions]).toEqual([want.opens, want.conversions]);
  });
  await new Promise((r) => setTimeout(r, 300));
  const s = await client.stats({ intent_id: intentId });
  expect([s.total_impressions, s.total_opens, s.total_conversions]).toEqual([
    1,
    want.opens,
    want.conversions,
  ]);
  return s;
}

async function eventRows(trackingToken: string) {
  const impressionId = trackingToken.split(".")[4];
  const { results } = await env.DB.prepare("SELECT type FROM events WHERE impression_id = ? ORDER BY type")
    .bind(impressionId)
    .all<{ type: string }>();
  return results.map((r) => r.type);
}

describe("SDK against the Worker", () => {
  it("message, then an open and a conversion, show up in stats", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const client = sdk(apiKey);
    const m = await client.message({ intentId: "sdk_happy", baseExample: "You left items in your cart" });
    expect(m).toMatchObject({ text: "You left items in your cart", fallback: false, locale: "en-US" });
    expect(m.trackingToken).toMatch(/^trk_v1\./);
    expect(await client.track({ type: "opened", trackingToken: m.trackingToken as string })).toBe(true);
    expect(await client.track({ type: "conversion", trackingToken: m.trackingToken as string })).toBe(true);
    await client.flush();
    expect(client.pending).toBe(0);
    const s = await settledStats(client, "sdk_happy", { opens: 1, conversions: 1 });
    expect(s.variants.find((v) => v.variant_id === m.variantId)).toMatchObject({ impressions: 1, opens: 1 });
    expect(await eventRows(m.trackingToken as string)).toEqual(["conversion", "opened"]);
  });

  it("a server that answers 503 after taking the batch, then 200: retried, counted once", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    let failures = 1;
    const seen: unknown[] = [];
    const flaky: Fetch = async (url, init) => {
      const res = await worker(url, init);
      if (!url.endsWith("/v1/events")) return res;
      seen.push(init?.body);
      // The Worker did take the events; the answer is lost to a 503 from "the network".
      if (failures-- > 0) return new Response("upstream unavailable", { status: 503 });
      return res;
    };
    const errors: PushBunnyError[] = [];
    const client = sdk(apiKey, flaky, errors);
    const m = await client.message({ intentId: "sdk_503", baseExample: "Come back" });
    await client.track({ type: "opened", trackingToken: m.trackingToken as string });
    await client.flush();
    expect(client.pending).toBe(1);
    await eventually(async () => expect(client.pending).toBe(0), 5_000);
    expect(seen).toHaveLength(2);
    // The retry sent the very same event, so the server's per-(impression, type) dedup holds.
    expect(seen[1]).toBe(seen[0]);
    expect(errors.map((e) => [e.code, e.status])).toEqual([["http", 503]]);
    await settledStats(client, "sdk_503", { opens: 1, conversions: 0 });
  });

  it("a network that drops: events wait and are delivered once it is back", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    let online = false;
    const cable: Fetch = async (url, init) => {
      if (!online && url.endsWith("/v1/events")) throw new TypeError("Network connection lost");
      return worker(url, init);
    };
    const errors: PushBunnyError[] = [];
    const client = sdk(apiKey, cable, errors);
    const m = await client.message({ intentId: "sdk_offline", baseExample: "Your order shipped" });
    await client.track({ type: "opened", trackingToken: m.trackingToken as string });
    await client.track({
      type: "conversion",
      trackingToken: m.trackingToken as string,
      properties: { plan: "pro" },
    });
    await client.flush();
    await client.flush();
    expect(client.pending).toBe(2);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(["network"]));
    online = true;
    await eventually(async () => expect(client.pending).toBe(0), 5_000);
    await settledStats(client, "sdk_offline", { opens: 1, conversions: 1 });
  });

  it("a second conversion is never counted: not sent by the client, not counted by the server", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const client = sdk(apiKey);
    const m = await client.message({ intentId: "sdk_dedup", baseExample: "Price drop" });
    const token = m.trackingToken as string;
    await client.track({ type: "conversion", trackingToken: token });
    expect(await client.track({ type: "conversion", trackingToken: token })).toBe(false);
    await client.flush();
    // Another device (its own storage) reports the same conversion: the server drops it.
    const other = sdk(apiKey);
    expect(await other.track({ type: "conversion", trackingToken: token })).toBe(true);
    await other.flush();
    await settledStats(client, "sdk_dedup", { opens: 0, conversions: 1 });
  });

  it("refused events are dropped and reported; the rest of the batch counts", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const errors: PushBunnyError[] = [];
    const client = sdk(apiKey, worker, errors);
    const m = await client.message({ intentId: "sdk_refused", baseExample: "Hi" });
    await client.track({ type: "opened", trackingToken: m.trackingToken as string });
    await client.track({ type: "opened", trackingToken: "trk_v1.forged" });
    await client.flush();
    expect(client.pending).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe("rejected");
    expect(errors[0]?.message).toMatch(/^opened event refused: tracking_token: /);
    await settledStats(client, "sdk_refused", { opens: 1, conversions: 0 });
  });

  it("copy is always there: the base example on a bad key or a server that does not answer", async () => {
    const errors: PushBunnyError[] = [];
    const badKey = sdk("pb_live_not_a_real_key_000000000000", worker, errors);
    expect(await badKey.message({ intentId: "sdk_fb", baseExample: "Base copy" })).toEqual({
      text: "Base copy",
      variantId: null,
      experimentId: null,
      trackingToken: null,
      locale: null,
      fallback: true,
    });
    expect(errors.map((e) => [e.code, e.status])).toEqual([["http", 401]]);
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const hanging = createClient({
      baseUrl: BASE,
      apiKey,
      fetch: () => new Promise(() => {}),
      timeoutMs: 200,
    });
    const started = Date.now();
    const m = await hanging.message({ intentId: "sdk_fb", baseExample: "Base copy", locale: "fr-FR" });
    expect(m).toMatchObject({ text: "Base copy", fallback: true, locale: "fr-FR" });
    expect(Date.now() - started).toBeLessThan(2_000);
    // Nothing reached the Worker, so nothing was created for the intent.
    const res = await call("/v1/stats?intent_id=sdk_fb", { key: apiKey });
    expect(res.status, await res.clone().text()).toBe(404);
  });
});
