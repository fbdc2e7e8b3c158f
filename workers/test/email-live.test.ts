// Issue 16 §4, live counters: GET /v1/campaigns/{id}/live is a WebSocket served by the campaign's
// CampaignLive Durable Object. The first frame comes on connect, then one per change (at most 4 a
// second) while the campaign sends through the real jobs queue, and the server closes with 1000
// after the sent frame. Without an upgrade it is a 426, another project's campaign a 404.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type CampaignLive, type CountsFrame, LIVE_MAX_SOCKETS } from "../src/durable/campaign-live";
import { call, eventually, expectError, json, seedProject } from "./helpers";

const TEMPLATE = {
  name: "Live",
  subject: "Hello {{name}}",
  html: '<p>Hi {{name}}, <a href="https://shop.example.com/">shop</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
};

async function seedCampaign(contacts: number) {
  const project = await seedProject({ challengerCount: 0 });
  const template = await json<{ template_id: string }>(
    await call("/v1/templates", { key: project.apiKey, body: TEMPLATE }),
    201,
  );
  await env.DB.prepare(
    `INSERT INTO contacts (id, project_id, email, name, attributes, status, created_at, updated_at)
     SELECT 'ctc_' || lower(hex(randomblob(10))), ?1, 'live' || value || '@example.com', 'L' || value, '{}', 'subscribed', ?2, ?2
     FROM json_each(?3)`,
  )
    .bind(project.projectId, Date.now(), JSON.stringify(Array.from({ length: contacts }, (_, i) => i)))
    .run();
  const c = await json<{ campaign_id: string }>(
    await call("/v1/campaigns", {
      key: project.apiKey,
      body: { name: "Live", from: "news@example.com", template_id: template.template_id },
    }),
    201,
  );
  return { ...project, campaignId: c.campaign_id };
}

interface Socket {
  frames: CountsFrame[];
  closed: Promise<{ code: number; reason: string }>;
  ws: WebSocket;
}

async function connect(campaignId: string, key: string): Promise<Socket> {
  const res = await call(`/v1/campaigns/${campaignId}/live`, { key, headers: { upgrade: "websocket" } });
  // A 101 carrying a WebSocket cannot be cloned or read: show the body only when it is not one.
  if (res.status !== 101) expect(res.status, await res.text()).toBe(101);
  const ws = res.webSocket;
  if (!ws) throw new Error("no webSocket on the 101 response");
  const frames: CountsFrame[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason }));
  });
  ws.addEventListener("message", (e) => {
    frames.push(JSON.parse(String(e.data)) as CountsFrame);
  });
  ws.accept();
  return { frames, closed, ws };
}

const ZERO = {
  recipients: 0,
  queued: 0,
  sent: 0,
  delivered: 0,
  opened: 0,
  clicked: 0,
  bounced: 0,
  complained: 0,
  failed: 0,
  skipped: 0,
};

describe("live campaign counters", () => {
  it("sends counts on connect, on each change while sending (≤ 4/s), and closes with 1000 once sent", async () => {
    const { apiKey, campaignId } = await seedCampaign(250);
    const live = await connect(campaignId, apiKey);
    await eventually(async () => expect(live.frames.length).toBeGreaterThan(0), 5_000);
    expect(live.frames[0]).toMatchObject({
      type: "counts",
      campaign_id: campaignId,
      status: "draft",
      counts: ZERO,
    });
    expect(Number.isNaN(Date.parse(live.frames[0]?.at ?? ""))).toBe(false);

    await json(await call(`/v1/campaigns/${campaignId}/send`, { key: apiKey, body: {} }), 200);
    const close = await Promise.race([
      live.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no close within 25 s")), 25_000)),
    ]);
    expect(close.code).toBe(1000);
    const last = live.frames.at(-1);
    expect(last).toMatchObject({
      status: "sent",
      counts: { ...ZERO, recipients: 250, sent: 250 },
    });
    // Every frame is a change, and frames are spaced by the object's push interval.
    for (let i = 1; i < live.frames.length; i++) {
      const [a, b] = [live.frames[i - 1], live.frames[i]];
      expect(JSON.stringify([a?.status, a?.counts])).not.toBe(JSON.stringify([b?.status, b?.counts]));
      if (i > 1) expect(Date.parse(b?.at ?? "") - Date.parse(a?.at ?? "")).toBeGreaterThanOrEqual(200);
    }
    // What the API reads agrees with the last frame.
    const campaign = await json<{ counts: { recipients: number; sent: number } }>(
      await call(`/v1/campaigns/${campaignId}`, { key: apiKey }),
      200,
    );
    expect(campaign.counts).toMatchObject({ recipients: 250, sent: 250 });

    // A sent campaign: one frame, then 1000.
    const again = await connect(campaignId, apiKey);
    expect((await again.closed).code).toBe(1000);
    expect(again.frames).toHaveLength(1);
    expect(again.frames[0]).toMatchObject({ status: "sent", counts: { recipients: 250, sent: 250 } });
  });

  it("a cancelled campaign's watchers get the cancelled frame and a 1000 close; a text frame asks for the counts again", async () => {
    const { apiKey, campaignId } = await seedCampaign(3);
    await json(
      await call(`/v1/campaigns/${campaignId}/schedule`, {
        key: apiKey,
        body: { send_at: new Date(Date.now() + 3_600_000).toISOString() },
      }),
      200,
    );
    const live = await connect(campaignId, apiKey);
    await eventually(async () => expect(live.frames.length).toBe(1), 5_000);
    expect(live.frames[0]?.status).toBe("scheduled");
    live.ws.send("refresh");
    await eventually(async () => expect(live.frames.length).toBe(2), 5_000);
    expect(live.frames[1]).toEqual({ ...live.frames[0], at: live.frames[1]?.at });
    await json(await call(`/v1/campaigns/${campaignId}/cancel`, { key: apiKey, body: {} }), 200);
    const close = await live.closed;
    expect(close).toEqual({ code: 1000, reason: "campaign cancelled" });
    expect(live.frames.at(-1)?.status).toBe("cancelled");
  });

  it("counts opens and clicks as held by the object, re-read from D1 when told of a change", async () => {
    const { projectId, campaignId } = await seedCampaign(2);
    await env.DB.prepare(
      `INSERT INTO email_messages (id, project_id, campaign_id, contact_id, email, batch, status, opened_at, clicked_at, attempts, created_at, updated_at)
       SELECT 'emm_' || lower(hex(randomblob(10))), project_id, ?1, id, email, 0,
              CASE WHEN email LIKE 'live0@%' THEN 'clicked' ELSE 'delivered' END,
              CASE WHEN email LIKE 'live0@%' THEN 1 END, CASE WHEN email LIKE 'live0@%' THEN 1 END, 1, 1, 1
       FROM contacts WHERE project_id = ?2`,
    )
      .bind(campaignId, projectId)
      .run();
    const stub = env.CAMPAIGN_LIVE.get(env.CAMPAIGN_LIVE.idFromName(campaignId));
    await stub.changed({ projectId, campaignId });
    const frame = await stub.counts();
    expect(frame?.counts).toEqual({ ...ZERO, recipients: 2, sent: 2, delivered: 2, opened: 1, clicked: 1 });
    // Nobody watching: a change schedules no alarm, it only marks the counts stale.
    await runInDurableObject(stub, async (_instance: CampaignLive, state) => {
      expect(await state.storage.getAlarm()).toBeNull();
    });
    // Another project's campaign id yields nothing.
    const other = env.CAMPAIGN_LIVE.get(env.CAMPAIGN_LIVE.idFromName("cmp_00000000000000000000"));
    await other.changed({ projectId, campaignId: "cmp_00000000000000000000" });
    expect(await other.counts()).toBeNull();
  });

  it("is a 426 without an upgrade, a 404 for another project's campaign, a 401 without a key", async () => {
    const { apiKey, campaignId } = await seedCampaign(1);
    const other = await seedProject();
    const plain = await call(`/v1/campaigns/${campaignId}/live`, { key: apiKey });
    await expectError(plain, 426, "BAD_REQUEST", /Upgrade: websocket/);
    expect(plain.headers.get("upgrade")).toBe("websocket");
    await expectError(
      await call(`/v1/campaigns/${campaignId}/live`, {
        key: other.apiKey,
        headers: { upgrade: "websocket" },
      }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/v1/campaigns/${campaignId}/live`, { headers: { upgrade: "websocket" } }),
      401,
      "UNAUTHORIZED",
    );
  });

  it("a client flooding text frames gets the held counts within the push interval, not a D1 read per frame", async () => {
    const { projectId, apiKey, campaignId } = await seedCampaign(1);
    const live = await connect(campaignId, apiKey);
    await eventually(async () => expect(live.frames.length).toBe(1), 5_000);
    const stub = env.CAMPAIGN_LIVE.get(env.CAMPAIGN_LIVE.idFromName(campaignId));
    let reads = 0;
    await runInDurableObject(stub, async (instance: CampaignLive) => {
      // Counts the calls of current() that go to D1 (cold or stale), whoever makes them.
      const o = instance as unknown as { current: () => Promise<unknown>; stale: boolean; snapshot: unknown };
      const original = o.current.bind(o);
      o.current = async () => {
        if (!o.snapshot || o.stale) reads++;
        return original();
      };
    });
    const started = Date.now();
    const ROUNDS = 30;
    for (let i = 0; i < ROUNDS; i++) {
      // A change marks the counts stale, then the client asks: before the fix, one D1 read each.
      await stub.changed({ projectId, campaignId });
      const before = live.frames.length;
      live.ws.send("refresh");
      // Polled tightly (not with eventually's pauses) so the rounds fall within a few intervals.
      for (let t = 0; live.frames.length === before && t < 1_000; t++)
        await new Promise((r) => setTimeout(r, 2));
      expect(live.frames.length).toBe(before + 1);
    }
    const elapsed = Date.now() - started;
    // At most one read per interval from the socket and one from the alarm, plus the edges.
    expect(reads).toBeLessThanOrEqual(2 * Math.floor(elapsed / 250) + 3);
    expect(reads).toBeLessThan(ROUNDS / 2);
    for (const f of live.frames) expect(f).toMatchObject({ type: "counts", campaign_id: campaignId });
    live.ws.close(1000, "done");
  });

  it(`refuses watcher ${LIVE_MAX_SOCKETS + 1} of one campaign with a 429 before accepting it`, async () => {
    const { apiKey, campaignId } = await seedCampaign(0);
    const sockets: Socket[] = [];
    for (let i = 0; i < LIVE_MAX_SOCKETS; i++) sockets.push(await connect(campaignId, apiKey));
    await expectError(
      await call(`/v1/campaigns/${campaignId}/live`, { key: apiKey, headers: { upgrade: "websocket" } }),
      429,
      "RATE_LIMITED",
    );
    // One leaves: a place is free again.
    sockets[0]?.ws.close(1000, "bye");
    await eventually(async () => {
      const res = await call(`/v1/campaigns/${campaignId}/live`, {
        key: apiKey,
        headers: { upgrade: "websocket" },
      });
      expect(res.status).toBe(101);
      res.webSocket?.accept();
      res.webSocket?.close(1000, "bye");
    }, 5_000);
    for (const s of sockets.slice(1)) s.ws.close(1000, "bye");
  });

  it("closes the watchers with 1011 when the campaign is deleted", async () => {
    const { projectId, apiKey, campaignId } = await seedCampaign(1);
    const live = await connect(campaignId, apiKey);
    await eventually(async () => expect(live.frames.length).toBe(1), 5_000);
    await env.DB.prepare("DELETE FROM email_campaigns WHERE id = ?").bind(campaignId).run();
    const stub = env.CAMPAIGN_LIVE.get(env.CAMPAIGN_LIVE.idFromName(campaignId));
    await stub.changed({ projectId, campaignId });
    const close = await Promise.race([
      live.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no close within 5 s")), 5_000)),
    ]);
    expect(close).toEqual({ code: 1011, reason: "campaign not found" });
  });
});
