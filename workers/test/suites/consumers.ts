import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { QUEUES } from "../../src/queue/messages";
import { seedProject } from "../helpers";

async function runBatch(queue: string, bodies: { id: string; body: unknown; attempts?: number }[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((b) => ({ id: b.id, timestamp: new Date(), attempts: b.attempts ?? 1, body: b.body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const impressionsOf = (variantId: string) =>
  env.DB.prepare(
    "SELECT coalesce(sum(impressions),0) AS n, coalesce(sum(opens),0) AS o FROM variant_daily_stats WHERE variant_id = ?",
  )
    .bind(variantId)
    .first<{ n: number; o: number }>();

function ids(projectId: string, tag: string) {
  return {
    projectId,
    experimentId: `exp_${tag}`,
    variantId: `var_${tag}000000`.slice(0, 16),
  };
}

describe("events queue consumer", () => {
  it("writes an impression once however often it is delivered", async () => {
    const { projectId } = await seedProject();
    const k = ids(projectId, "c1");
    const body = {
      kind: "impression",
      id: "imp_c1000000000000000001",
      ...k,
      userId: "u1",
      createdAt: Date.now(),
    };
    const first = await runBatch(QUEUES.events, [{ id: "m1", body }]);
    expect(first.explicitAcks).toEqual(["m1"]);
    await runBatch(QUEUES.events, [
      { id: "m1", body, attempts: 2 },
      { id: "m2", body },
    ]);
    expect(await impressionsOf(k.variantId)).toEqual({ n: 1, o: 0 });
    const row = await env.DB.prepare("SELECT user_id FROM impressions WHERE id = ?")
      .bind(body.id)
      .first("user_id");
    expect(row).toBe("u1");
  });

  it("counts an event's impression even when the impression message never arrived", async () => {
    const { projectId } = await seedProject();
    const k = ids(projectId, "c2");
    const at = Date.now();
    const events = {
      kind: "events",
      projectId,
      receivedAt: at,
      events: [
        {
          impressionId: "imp_c2000000000000000001",
          experimentId: k.experimentId,
          variantId: k.variantId,
          type: "opened",
          occurredAt: at,
          impressionAt: at - 10,
          properties: null,
        },
      ],
    };
    await runBatch(QUEUES.events, [{ id: "e1", body: events }]);
    await runBatch(QUEUES.events, [{ id: "e1", body: events, attempts: 2 }]);
    // The late impression message is not counted again: its event already counted it...
    await runBatch(QUEUES.events, [
      {
        id: "i1",
        body: {
          kind: "impression",
          id: "imp_c2000000000000000001",
          ...k,
          userId: "u_late",
          createdAt: at - 10,
        },
      },
    ]);
    expect(await impressionsOf(k.variantId)).toEqual({ n: 1, o: 1 });
    // ...but it still fills in the user id the implied row lacked.
    const row = await env.DB.prepare("SELECT user_id FROM impressions WHERE id = ?")
      .bind("imp_c2000000000000000001")
      .first();
    expect(row).toEqual({ user_id: "u_late" });
  });

  it("in one batch: keeps the real impression's user id, counts duplicate events and implied impressions once", async () => {
    const { projectId } = await seedProject();
    const k = ids(projectId, "c4");
    const at = Date.now();
    const ev = (impressionId: string, type: "opened" | "conversion") => ({
      impressionId,
      experimentId: k.experimentId,
      variantId: k.variantId,
      type,
      occurredAt: at,
      impressionAt: at - 10,
      properties: null,
    });
    const impA = "imp_c4000000000000000001";
    const impB = "imp_c4000000000000000002";
    const events = {
      kind: "events",
      projectId,
      receivedAt: at,
      // impA: an open twice (client retry inside one request) and a conversion; impB: an open.
      events: [ev(impA, "opened"), ev(impA, "opened"), ev(impA, "conversion")],
    };
    const more = { ...events, events: [ev(impB, "opened"), ev(impA, "opened")] };
    const result = await runBatch(QUEUES.events, [
      { id: "x1", body: events },
      { id: "x2", body: { kind: "impression", id: impA, ...k, userId: "u_real", createdAt: at - 10 } },
      { id: "x3", body: more },
      { id: "x4", body: events },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["x1", "x2", "x3", "x4"]);
    // Redelivered later, everything again: nothing more is counted.
    await runBatch(QUEUES.events, [
      { id: "x3", body: more, attempts: 2 },
      { id: "x1", body: events, attempts: 2 },
    ]);
    const stats = await env.DB.prepare(
      "SELECT sum(impressions) AS n, sum(opens) AS o, sum(conversions) AS c FROM variant_daily_stats WHERE variant_id = ?",
    )
      .bind(k.variantId)
      .first();
    expect(stats).toEqual({ n: 2, o: 2, c: 1 });
    const raw = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM impressions WHERE variant_id = ?1) AS imps, (SELECT count(*) FROM events WHERE variant_id = ?1) AS evs",
    )
      .bind(k.variantId)
      .first();
    expect(raw).toEqual({ imps: 2, evs: 3 });
    const users = await env.DB.prepare(
      "SELECT id, user_id, day, created_at FROM impressions WHERE variant_id = ? ORDER BY id",
    )
      .bind(k.variantId)
      .all();
    expect(users.results).toEqual([
      { id: impA, user_id: "u_real", day: new Date(at - 10).toISOString().slice(0, 10), created_at: at - 10 },
      { id: impB, user_id: null, day: new Date(at - 10).toISOString().slice(0, 10), created_at: at - 10 },
    ]);
  });

  it("parks an invalid body in dead_letters and acks it", async () => {
    const { projectId } = await seedProject();
    const result = await runBatch(QUEUES.events, [
      { id: "bad-1", body: { kind: "impression", projectId, id: 5 } },
    ]);
    expect(result.explicitAcks).toEqual(["bad-1"]);
    const row = await env.DB.prepare(
      "SELECT project_id, queue, reason FROM dead_letters WHERE id = 'dlq_bad1'",
    ).first();
    expect(row).toMatchObject({ project_id: projectId, queue: QUEUES.events });
    expect(String(row?.reason)).toMatch(/^invalid message/);
  });

  it("isolates a poison message: the others are written, it alone is retried with backoff", async () => {
    const { projectId } = await seedProject();
    const k = ids(projectId, "c3");
    const good = {
      kind: "impression",
      id: "imp_c3000000000000000001",
      ...k,
      userId: null,
      createdAt: Date.now(),
    };
    // Valid by schema but not representable as a date: recording it throws.
    const poison = { ...good, id: "imp_c3000000000000000002", createdAt: 9_000_000_000_000_000 };
    const result = await runBatch(QUEUES.events, [
      { id: "g", body: good },
      { id: "p", body: poison, attempts: 3 },
    ]);
    expect(result.explicitAcks).toEqual(["g"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["p"]);
    expect(await impressionsOf(k.variantId)).toEqual({ n: 1, o: 0 });
  });

  it("keeps messages that exhausted their retries (dead-letter queue) visible in D1", async () => {
    const { projectId } = await seedProject();
    const result = await runBatch(QUEUES.deadLetter, [
      { id: "dead-1", body: { kind: "impression", projectId, id: "imp_x" }, attempts: 6 },
    ]);
    expect(result.explicitAcks).toEqual(["dead-1"]);
    const row = await env.DB.prepare(
      "SELECT reason, attempts, project_id FROM dead_letters WHERE id = 'dlq_dead1'",
    ).first();
    expect(row).toEqual({ reason: "retries exhausted", attempts: 6, project_id: projectId });
  });
});
