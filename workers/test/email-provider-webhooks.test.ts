// Issue 16 §3, provider webhooks in: Resend's delivery events, signed with Svix, applied to the
// message found by Resend's email id (the project comes from that row), once per svix-id, moving
// status forward only; hard bounces and complaints suppress the contact, so the next campaign
// skips it; each applied event goes out again as an outbound webhook.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { signWebhook } from "@pushbunny/email";
import { describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import worker from "../src/index";
import type { ReceivedWebhook } from "../test-support/webhook-receiver";
import { call, eventually, expectError, json, seedProject } from "./helpers";

const SECRET = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
const WITH_SECRET = { ...env, RESEND_WEBHOOK_SECRET: SECRET } as Env;
const RECEIVER = (env as unknown as { WEBHOOK_RECEIVER_URL: string }).WEBHOOK_RECEIVER_URL;

let seq = 0;
const svixId = () => `msg_${Date.now().toString(36)}${++seq}`;

/** POSTs a Resend event as Svix would: svix-* headers, signed over the exact body. */
async function resendEvent(
  body: unknown,
  opts: {
    id?: string;
    timestamp?: number;
    secret?: string;
    headers?: Record<string, string>;
    raw?: string;
  } = {},
) {
  const payload = opts.raw ?? JSON.stringify(body);
  const signed = await signWebhook({
    id: opts.id ?? svixId(),
    timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000),
    payload,
    secret: opts.secret ?? SECRET,
  });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "cf-connecting-ip": "203.0.113.77",
    "svix-id": signed["webhook-id"] ?? "",
    "svix-timestamp": signed["webhook-timestamp"] ?? "",
    "svix-signature": signed["webhook-signature"] ?? "",
    ...opts.headers,
  };
  const ectx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://pushbunny.test/email/webhooks/resend", { method: "POST", headers, body: payload }),
    WITH_SECRET,
    ectx,
  );
  await waitOnExecutionContext(ectx);
  return res;
}

const event = (type: string, emailId: string, extra: Record<string, unknown> = {}) => ({
  type,
  created_at: new Date().toISOString(),
  data: { email_id: emailId, from: "news@shop.example.com", to: ["x@example.com"], subject: "Hi", ...extra },
});

interface Outcome {
  outcome: string;
  message_id: string | null;
  status_changed: boolean;
  suppressed: boolean;
  reason: string | null;
}

/** A contact and a sent message to it with a Resend id, written directly. */
async function sentMessage(projectId: string, apiKey: string, status = "sent") {
  const email = `p${Date.now().toString(36)}${++seq}@example.com`;
  const contact = await json<{ contact_id: string }>(
    await call("/v1/contacts", { key: apiKey, body: { email } }),
    201,
  );
  const id = `emm_${Date.now().toString(36)}${seq}`;
  const providerId = `re_${crypto.randomUUID()}`;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO email_messages (id, project_id, campaign_id, contact_id, email, batch, status, provider_message_id, attempts, sent_at, created_at, updated_at)
     VALUES (?, ?, 'cmp_hooks', ?, ?, 0, ?, ?, 1, ?, ?, ?)`,
  )
    .bind(id, projectId, contact.contact_id, email, status, providerId, now, now, now)
    .run();
  return { id, providerId, email, contactId: contact.contact_id };
}

const statusOf = async (id: string) =>
  (await env.DB.prepare("SELECT status, error FROM email_messages WHERE id = ?").bind(id).first<{
    status: string;
    error: string | null;
  }>()) ?? { status: "missing", error: null };

const contactState = async (projectId: string, email: string) => ({
  contact: await env.DB.prepare("SELECT status FROM contacts WHERE project_id = ? AND email = ?")
    .bind(projectId, email)
    .first<{ status: string }>(),
  suppression: await env.DB.prepare(
    "SELECT reason, source FROM suppressions WHERE project_id = ? AND email = ?",
  )
    .bind(projectId, email)
    .first<{ reason: string; source: string }>(),
});

async function listen(apiKey: string, events: string[]) {
  const name = `in${Date.now().toString(36)}${++seq}`;
  await json(
    await call("/v1/webhooks", { key: apiKey, body: { url: `${RECEIVER}/hook/${name}`, events } }),
    201,
  );
  return {
    received: async () => (await (await fetch(`${RECEIVER}/__received/${name}`)).json()) as ReceivedWebhook[],
  };
}

describe("POST /email/webhooks/resend", () => {
  it("is off (404 JSON, nothing applied) without RESEND_WEBHOOK_SECRET", async () => {
    const { projectId, apiKey } = await seedProject();
    const m = await sentMessage(projectId, apiKey);
    const res = await call("/email/webhooks/resend", { body: event("email.delivered", m.providerId) });
    await expectError(res, 404, "NOT_FOUND", /RESEND_WEBHOOK_SECRET/);
    expect((await statusOf(m.id)).status).toBe("sent");
  });

  it("refuses a missing or bad signature and a timestamp more than 5 minutes off, with 401", async () => {
    const { projectId, apiKey } = await seedProject();
    const m = await sentMessage(projectId, apiKey);
    const body = event("email.bounced", m.providerId, { bounce: { type: "Permanent" } });
    const now = Math.floor(Date.now() / 1000);
    const other = `whsec_${btoa("another secret of 32 bytes......")}`;
    const cases: [string, Parameters<typeof resendEvent>[1], RegExp][] = [
      ["another secret", { secret: other }, /no matching signature/],
      ["stale", { timestamp: now - 301 }, /too old/],
      ["future", { timestamp: now + 301 }, /too new/],
      ["no signature", { headers: { "svix-signature": "" } }, /missing headers/],
      ["no id", { headers: { "svix-id": "" } }, /missing headers/],
      [
        "tampered body",
        { raw: JSON.stringify(body).replace("Permanent", "Transient"), headers: {} },
        /no matching/,
      ],
    ];
    for (const [label, opts, message] of cases) {
      let res: Response;
      if (label === "tampered body") {
        // Signed over one body, sent with another.
        const signed = await signWebhook({
          id: svixId(),
          timestamp: now,
          payload: JSON.stringify(body),
          secret: SECRET,
        });
        res = await resendEvent(body, {
          ...opts,
          headers: {
            "svix-id": signed["webhook-id"] ?? "",
            "svix-timestamp": signed["webhook-timestamp"] ?? "",
            "svix-signature": signed["webhook-signature"] ?? "",
          },
        });
      } else {
        res = await resendEvent(body, opts);
      }
      await expectError(res, 401, "UNAUTHORIZED", message);
    }
    expect((await statusOf(m.id)).status).toBe("sent");
    expect((await contactState(projectId, m.email)).suppression).toBeNull();
  });

  it("marks delivered once, emits email.delivered once, and a replay changes and sends nothing", async () => {
    const { projectId, apiKey } = await seedProject();
    const hook = await listen(apiKey, ["email.delivered", "email.bounced", "email.complained"]);
    const m = await sentMessage(projectId, apiKey);
    const id = svixId();
    const first = await json<Outcome>(await resendEvent(event("email.delivered", m.providerId), { id }), 200);
    expect(first).toEqual({
      outcome: "applied",
      message_id: m.id,
      status_changed: true,
      suppressed: false,
      reason: null,
    });
    expect((await statusOf(m.id)).status).toBe("delivered");
    const replay = await json<Outcome>(
      await resendEvent(event("email.delivered", m.providerId), { id }),
      200,
    );
    expect(replay).toMatchObject({ outcome: "duplicate", message_id: m.id, status_changed: false });
    const got = await eventually(async () => {
      const r = await hook.received();
      expect(r).toHaveLength(1);
      return r;
    });
    expect(JSON.parse(got[0]?.body ?? "{}")).toMatchObject({
      type: "email.delivered",
      data: { message_id: m.id, contact_id: m.contactId, email: m.email, provider_message_id: m.providerId },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await hook.received()).toHaveLength(1);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM email_provider_events WHERE id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(stored?.n).toBe(1);
  });

  it("moves status forward only: delivered never overwrites an open or click; bounces and complaints win", async () => {
    const { projectId, apiKey } = await seedProject();
    const table: [string, string, string][] = [
      ["opened", "email.delivered", "opened"],
      ["clicked", "email.delivered", "clicked"],
      ["bounced", "email.delivered", "bounced"],
      ["complained", "email.bounced", "complained"],
      ["clicked", "email.complained", "complained"],
      ["delivered", "email.bounced", "bounced"],
      ["bounced", "email.complained", "complained"],
    ];
    for (const [from, type, to] of table) {
      const m = await sentMessage(projectId, apiKey, from);
      const extra =
        type === "email.bounced" ? { bounce: { type: "Permanent", message: "mailbox does not exist" } } : {};
      await json(await resendEvent(event(type, m.providerId, extra)), 200);
      expect((await statusOf(m.id)).status, `${from} + ${type}`).toBe(to);
    }
  });

  it("a complaint suppresses the address with the complaint as its source", async () => {
    const { projectId, apiKey } = await seedProject();
    const m = await sentMessage(projectId, apiKey);
    const r = await json<Outcome>(await resendEvent(event("email.complained", m.providerId)), 200);
    expect(r).toMatchObject({ outcome: "applied", suppressed: true });
    expect(await contactState(projectId, m.email)).toEqual({
      contact: { status: "complained" },
      suppression: { reason: "complained", source: "complaint" },
    });
  });

  it("acknowledges what it does not apply: unknown email ids, opens and clicks; a message still sending is 409", async () => {
    const { projectId, apiKey } = await seedProject();
    const unknown = await json<Outcome>(await resendEvent(event("email.delivered", "re_not_ours")), 200);
    expect(unknown).toEqual({
      outcome: "ignored",
      message_id: null,
      status_changed: false,
      suppressed: false,
      reason: "unknown email_id",
    });
    const m = await sentMessage(projectId, apiKey);
    for (const type of [
      "email.opened",
      "email.clicked",
      "email.sent",
      "email.delivery_delayed",
      "contact.created",
    ]) {
      const r = await json<Outcome>(await resendEvent(event(type, m.providerId)), 200);
      expect(r.outcome, type).toBe("ignored");
    }
    expect((await statusOf(m.id)).status).toBe("sent");
    const queued = await sentMessage(projectId, apiKey, "queued");
    const id = svixId();
    await expectError(
      await resendEvent(event("email.delivered", queued.providerId), { id }),
      409,
      "CONFLICT",
    );
    // Once it is sent, Resend's retry of the same svix-id applies.
    await env.DB.prepare("UPDATE email_messages SET status = 'sent' WHERE id = ?").bind(queued.id).run();
    expect(
      (await json<Outcome>(await resendEvent(event("email.delivered", queued.providerId), { id }), 200))
        .outcome,
    ).toBe("applied");
    // Signed but not an event: 400 with the field.
    for (const raw of ["not json", "[]", '{"type":"email.delivered","data":{}}']) {
      const res = await resendEvent(null, { raw });
      expect(res.status, raw).toBe(400);
    }
  });
});

describe("bounces and the next campaign", () => {
  it("a hard bounce suppresses the contact and the next campaign skips it; a soft bounce does not", async () => {
    const { projectId, apiKey } = await seedProject({ challengerCount: 0 });
    const hook = await listen(apiKey, ["email.bounced"]);
    const template = await json<{ template_id: string }>(
      await call("/v1/templates", {
        key: apiKey,
        body: {
          name: "News",
          subject: "News for {{name}}",
          html: '<p>Hi {{name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
        },
      }),
      201,
    );
    const hard = `hard${Date.now().toString(36)}@example.com`;
    const soft = `soft${Date.now().toString(36)}@example.com`;
    for (const email of [hard, soft]) {
      await json(await call("/v1/contacts", { key: apiKey, body: { email, name: "Ada" } }), 201);
    }
    const campaign = async () => {
      const c = await json<{ campaign_id: string }>(
        await call("/v1/campaigns", {
          key: apiKey,
          body: { name: "News", from: "news@shop.example.com", template_id: template.template_id },
        }),
        201,
      );
      await json(await call(`/v1/campaigns/${c.campaign_id}/send`, { key: apiKey, body: {} }), 200);
      await eventually(async () => {
        const got = await json<{ status: string }>(
          await call(`/v1/campaigns/${c.campaign_id}`, { key: apiKey }),
          200,
        );
        expect(got.status).toBe("sent");
      });
      return (
        await json<{ messages: { message_id: string; email: string; provider_message_id: string | null }[] }>(
          await call(`/v1/campaigns/${c.campaign_id}/messages?limit=500`, { key: apiKey }),
          200,
        )
      ).messages;
    };
    const first = await campaign();
    expect(first.map((m) => m.email).sort()).toEqual([hard, soft].sort());
    const byEmail = new Map(first.map((m) => [m.email, m]));

    const h = await json<Outcome>(
      await resendEvent(
        event("email.bounced", byEmail.get(hard)?.provider_message_id ?? "", {
          bounce: { type: "Permanent", subType: "General", message: "550 5.1.1 user unknown" },
        }),
      ),
      200,
    );
    expect(h).toMatchObject({ outcome: "applied", status_changed: true, suppressed: true });
    const s = await json<Outcome>(
      await resendEvent(
        event("email.bounced", byEmail.get(soft)?.provider_message_id ?? "", {
          bounce: { type: "Transient", subType: "MailboxFull", message: "452 mailbox full" },
        }),
      ),
      200,
    );
    expect(s).toMatchObject({ outcome: "applied", status_changed: true, suppressed: false });
    expect(await statusOf(byEmail.get(hard)?.message_id ?? "")).toEqual({
      status: "bounced",
      error: "hard bounce: 550 5.1.1 user unknown",
    });
    expect(await contactState(projectId, hard)).toEqual({
      contact: { status: "bounced" },
      suppression: { reason: "bounced", source: "bounce" },
    });
    expect(await contactState(projectId, soft)).toEqual({
      contact: { status: "subscribed" },
      suppression: null,
    });

    const bounced = await eventually(async () => {
      const r = await hook.received();
      expect(r).toHaveLength(2);
      return r.map((x) => JSON.parse(x.body).data as Record<string, unknown>);
    });
    expect(bounced.map((d) => [d.email, d.bounce_type]).sort()).toEqual(
      [
        [hard, "hard"],
        [soft, "soft"],
      ].sort(),
    );

    const second = await campaign();
    expect(second.map((m) => m.email)).toEqual([soft]);
  });
});
