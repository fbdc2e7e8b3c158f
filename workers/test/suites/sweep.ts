import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
// Vite's ?raw import gives the file's text at test time.
import wranglerToml from "../../../wrangler.toml?raw";
import worker from "../../src/index";
import { CRONS } from "../../src/scheduled/crons";
import { MAX_SWEEPS, STALE_GENERATION_MS } from "../../src/services/experiments/sweep-generations";
import { eventually, message, seedProject, variantsOf } from "../helpers";

async function runCron(cron: string) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("scheduled jobs", () => {
  it("declares exactly the crons of wrangler.toml", () => {
    const declared = /crons\s*=\s*\[([^\]]*)\]/.exec(wranglerToml)?.[1] ?? "";
    const fromToml = [...declared.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(fromToml.sort()).toEqual(Object.values(CRONS).sort());
  });

  it("re-queues a generation job that went quiet, and gives up after the limit", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const m = await message(apiKey, { intent_id: "sweep", base_example: "Come back soon" });
    // Simulate a lost job: pending, asked long ago, with challengers wanted.
    const longAgo = Date.now() - STALE_GENERATION_MS - 60_000;
    await env.DB.prepare(
      "UPDATE experiments SET generation_status = 'pending', generation_requested_at = ?, challenger_count = 2 WHERE id = ?",
    )
      .bind(longAgo, m.experiment_id)
      .run();
    await runCron(CRONS.generationSweep);
    const after = await env.DB.prepare("SELECT generation_attempts FROM experiments WHERE id = ?")
      .bind(m.experiment_id)
      .first<number>("generation_attempts");
    expect(after).toBe(1);
    // The re-queued job runs through the real jobs queue.
    await eventually(async () => expect((await variantsOf(m.experiment_id)).length).toBe(3));

    await env.DB.prepare(
      "UPDATE experiments SET generation_status = 'pending', generation_requested_at = ?, generation_attempts = ? WHERE id = ?",
    )
      .bind(longAgo, MAX_SWEEPS, m.experiment_id)
      .run();
    await runCron(CRONS.generationSweep);
    const failed = await env.DB.prepare(
      "SELECT generation_status, generation_error FROM experiments WHERE id = ?",
    )
      .bind(m.experiment_id)
      .first<{ generation_status: string; generation_error: string }>();
    expect(failed?.generation_status).toBe("failed");
    expect(failed?.generation_error).toMatch(/did not finish after 3 re-queues/);
  });

  it("leaves fresh pending jobs alone", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const m = await message(apiKey, { intent_id: "fresh", base_example: "Hi" });
    await env.DB.prepare(
      "UPDATE experiments SET generation_status = 'pending', generation_requested_at = ? WHERE id = ?",
    )
      .bind(Date.now(), m.experiment_id)
      .run();
    await runCron(CRONS.generationSweep);
    const attempts = await env.DB.prepare("SELECT generation_attempts FROM experiments WHERE id = ?")
      .bind(m.experiment_id)
      .first<number>("generation_attempts");
    expect(attempts).toBe(0);
  });
});
