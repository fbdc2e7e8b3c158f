// Quotas on paid work: LLM generation per project per hour (beyond it a new intent serves its
// control and queues nothing), analyses, iterations and simulations per hour (429), and the
// simulation's size (400).
import { env } from "cloudflare:workers";
import { findExperiment } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import type { AppContext } from "../../src/context";
import { buildContext } from "../../src/infra/build-context";
import { exactLimiter } from "../../src/ratelimit/exact";
import { quotaKey, tryQuota } from "../../src/ratelimit/quotas";
import { type Limit, parseLimit } from "../../src/ratelimit/rules";
import { requestChallengers } from "../../src/services/experiments/request-challengers";
import { getMessage } from "../../src/services/message/get-message";
import {
  call,
  db,
  eventually,
  expectError,
  experimentWithArms,
  json,
  type MessageBody,
  seedProject,
  variantsOf,
} from "../helpers";

async function setLimits(projectId: string, key: string, body: Record<string, string>) {
  await json(await call(`/v1/projects/${projectId}/limits`, { method: "PUT", key, body }), 200);
}

/** A context whose jobs queue records what it is sent, and whose background work can be awaited. */
function recordingContext() {
  const pending: Promise<unknown>[] = [];
  const sent: unknown[] = [];
  const base = buildContext(env, (p) => pending.push(p));
  const jobs = {
    send: async (body: unknown) => {
      sent.push(body);
    },
    sendBatch: async (batch: Iterable<{ body: unknown }>) => {
      for (const m of batch) sent.push(m.body);
    },
  } as unknown as Queue<unknown>;
  const ctx: AppContext = { ...base, queues: { ...base.queues, jobs } };
  return { ctx, sent, settle: () => Promise.all(pending) };
}

async function generationOf(experimentId: string) {
  return env.DB.prepare(
    "SELECT generation_status AS status, generation_error AS error FROM experiments WHERE id = ?",
  )
    .bind(experimentId)
    .first<{ status: string; error: string | null }>();
}

describe("LLM generation quota", () => {
  it("serves the base example to new intents beyond the quota and generates only within it", async () => {
    const { projectId, apiKey } = await seedProject({ challengerCount: 2 });
    await setLimits(projectId, apiKey, { generation: "2/hour" });
    const sent: MessageBody[] = [];
    for (const intent of ["q1", "q2", "q3", "q4"]) {
      const m = await json<MessageBody>(
        await call("/v1/message", {
          key: apiKey,
          body: { intent_id: intent, base_example: `Copy ${intent}` },
        }),
        200,
      );
      expect(m.text).toBe(`Copy ${intent}`);
      sent.push(m);
    }
    const states = await eventually(async () => {
      const all = await Promise.all(sent.map((m) => generationOf(m.experiment_id)));
      expect(all.map((s) => s?.status).sort()).toEqual(["failed", "failed", "ready", "ready"]);
      return all;
    });
    const refused = sent.filter((_, i) => states[i]?.status === "failed");
    for (const m of refused) {
      expect((await generationOf(m.experiment_id))?.error).toMatch(
        /^LLM generation quota reached: this project may start 2\/hour challenger generations; new experiments serve their control/,
      );
      expect((await variantsOf(m.experiment_id)).map((v) => v.source)).toEqual(["control"]);
      // Later messages for the intent keep serving the app's own copy.
      const again = await json<MessageBody>(
        await call("/v1/message", {
          key: apiKey,
          body: {
            intent_id: m.experiment_id === sent[2]?.experiment_id ? "q3" : "q4",
            base_example: "Newer copy",
          },
        }),
        200,
      );
      expect(again.text).toBe("Newer copy");
    }
    for (const m of sent.filter((_, i) => states[i]?.status === "ready")) {
      expect((await variantsOf(m.experiment_id)).some((v) => v.source === "llm")).toBe(true);
    }
  });

  it("queues no generation job for a new experiment beyond the quota", async () => {
    const { projectId, apiKey } = await seedProject({ challengerCount: 3 });
    await setLimits(projectId, apiKey, { generation: "1/hour" });
    const { ctx, sent, settle } = recordingContext();
    const owner = { projectId, defaultLocale: "en-US", challengerCount: 3 };
    const ids: string[] = [];
    for (const intent of ["a", "b", "c"]) {
      const out = await getMessage({
        ctx,
        owner,
        input: { intentId: intent, baseExample: "Base", locale: null, userId: null, context: {} },
      });
      expect(out.text).toBe("Base");
      ids.push(out.experimentId);
    }
    await settle();
    expect(sent).toEqual([{ kind: "generate", projectId, experimentId: ids[0] }]);
    expect((await generationOf(ids[1] ?? ""))?.status).toBe("failed");
    expect((await generationOf(ids[2] ?? ""))?.status).toBe("failed");
  });

  it("holds the optimization loop's requests to the same quota", async () => {
    const { projectId, apiKey } = await seedProject({ challengerCount: 0 });
    await setLimits(projectId, apiKey, { generation: "1/hour" });
    const m = await json<MessageBody>(
      await call("/v1/message", { key: apiKey, body: { intent_id: "loop", base_example: "Base" } }),
      200,
    );
    const found = await findExperiment(db, projectId, m.experiment_id);
    if (!found) throw new Error("experiment missing");
    const { ctx, sent } = recordingContext();
    expect(await requestChallengers(ctx, found.experiment, "loop", "first")).toBe(true);
    expect(await requestChallengers(ctx, found.experiment, "loop", "second")).toBe(false);
    expect(sent).toHaveLength(1);
    expect(await generationOf(m.experiment_id)).toEqual({
      status: "failed",
      error: expect.stringMatching(/^LLM generation quota reached/),
    });
  });
});

describe("analysis quota", () => {
  it("429s analyses, iterations and simulations together once the hourly quota is spent", async () => {
    const { apiKey, projectId, experimentId } = await experimentWithArms("quota", ["Second copy"]);
    await setLimits(projectId, apiKey, { analysis: "3/hour" });
    // A wrong id is a 404 that spends nothing.
    await expectError(
      await call("/v1/experiments/exp_missing/analyze", { key: apiKey, body: {} }),
      404,
      "NOT_FOUND",
    );
    await json(await call(`/v1/experiments/${experimentId}/analyze`, { key: apiKey, body: {} }), 200);
    await json(await call(`/v1/experiments/${experimentId}/iterate`, { key: apiKey, body: {} }), 201);
    await json(
      await call(`/v1/experiments/${experimentId}/simulate`, { key: apiKey, body: { users: 100 } }),
      200,
    );
    for (const path of ["analyze", "iterate", "simulate"]) {
      const refused = await call(`/v1/experiments/${experimentId}/${path}`, { key: apiKey, body: {} });
      await expectError(
        refused.clone(),
        429,
        "RATE_LIMITED",
        /^analysis quota reached: this project may run 3\/hour analyses, iterations and simulations together; retry in \d+ min$/,
      );
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(3_000);
      expect(refused.headers.get("ratelimit-policy")).toBe('"analysis";q=3;w=3600');
      expect(refused.headers.get("ratelimit")).toMatch(/^"analysis";r=0;t=\d+$/);
    }
    // Another project's quota is its own.
    const other = await experimentWithArms("quota", ["Other copy"]);
    await json(
      await call(`/v1/experiments/${other.experimentId}/analyze`, { key: other.apiKey, body: {} }),
      200,
    );
  });
});

describe("quota bounds and windows", () => {
  it("lets a project lower its quota's count within the deployment's window, and nothing else", async () => {
    const { apiKey, projectId } = await seedProject();
    // The test deployment's quotas are 1000000/hour.
    for (const [body, message] of [
      [
        { generation: "2400/day" },
        /^generation: .*change its window: expected 'N\/hour' with N from 1 to 1000000/,
      ],
      [{ generation: "5/minute" }, /^generation: .*expected 'N\/hour'/],
      [{ analysis: "2000000/hour" }, /^analysis: a project may lower this quota but not raise it/],
    ] as const) {
      await expectError(
        await call(`/v1/projects/${projectId}/limits`, { method: "PUT", key: apiKey, body }),
        400,
        "BAD_REQUEST",
        message,
      );
    }
    await setLimits(projectId, apiKey, { generation: "20/hour", analysis: "1/hour" });
  });

  it("counts each window apart, so a deployment's new window neither resets nor reuses a count", async () => {
    const { projectId } = await seedProject();
    let now = Date.now();
    const base = buildContext(env, () => {});
    const withAnalysis = (analysis: string): AppContext => ({
      ...base,
      now: () => now,
      config: { ...base.config, rateLimits: { ...base.config.rateLimits, analysis } },
    });
    const hourly = withAnalysis("3/hour");
    for (let i = 0; i < 3; i++) expect((await tryQuota(hourly, projectId, "analysis")).allowed).toBe(true);
    expect((await tryQuota(hourly, projectId, "analysis")).allowed).toBe(false);

    // The operator switches to a per-minute quota two minutes later: its own count starts.
    now += 120_000;
    const perMinute = withAnalysis("1/minute");
    expect((await tryQuota(perMinute, projectId, "analysis")).allowed).toBe(true);
    expect((await tryQuota(perMinute, projectId, "analysis")).allowed).toBe(false);

    // And back within the hour: the hour's count was not reset by the minute's writes.
    now += 60_000;
    expect(await tryQuota(hourly, projectId, "analysis")).toMatchObject({ allowed: false });
    const hour = parseLimit("3/hour") as Limit;
    expect(quotaKey("analysis", hour, projectId)).toBe(`quota:analysis:3600000:${projectId}`);
    expect(
      await exactLimiter(env, () => now).peek(quotaKey("analysis", hour, projectId), hour),
    ).toMatchObject({
      remaining: 0,
    });
  });
});

describe("simulation size", () => {
  it.each([
    [{ users: 20_001 }, /^users: Too big: expected number to be <=20000/],
    [{ days: 31 }, /^days: Too big: expected number to be <=30/],
  ])("refuses %j with a 400", async (body, message) => {
    const { apiKey, experimentId } = await experimentWithArms("sim_cap", []);
    await expectError(
      await call(`/v1/experiments/${experimentId}/simulate`, { key: apiKey, body }),
      400,
      "BAD_REQUEST",
      message,
    );
  });
});
