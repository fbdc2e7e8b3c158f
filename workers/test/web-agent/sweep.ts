import { describe, expect, it } from "vitest";
import { CRONS } from "../../src/scheduled/crons";
import { json, runCron } from "../helpers";
import { deliver, implement, ready, status, withAgent } from "./helpers";

describe("the sweep", () => {
  it("fails a run whose heartbeat went quiet for 15 minutes, and its experiment", async () => {
    const { apiKey, key } = await ready();
    const started = await json<{ run_id: string }>(await implement(withAgent(), apiKey, key), 202);
    await runCron(CRONS.generationSweep, Date.now() + 5 * 60_000);
    expect((await status(apiKey, key)).run?.status).toBe("queued");
    await runCron(CRONS.generationSweep, Date.now() + 16 * 60_000);
    const s = await status(apiKey, key);
    expect(s.status).toBe("failed");
    expect(s.run).toMatchObject({ id: started.run_id, status: "failed" });
    expect(s.reason).toMatch(/the implementation stopped/);
    // The job arriving late does nothing.
    const late = await deliver(withAgent(), started.run_id);
    expect(late.result.explicitAcks).toHaveLength(1);
    expect((await status(apiKey, key)).run?.status).toBe("failed");
  });
});
