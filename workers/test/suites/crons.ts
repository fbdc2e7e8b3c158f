import { describe, expect, it } from "vitest";
import { CRONS, nextRun } from "../../src/scheduled/crons";

const at = (iso: string) => Date.parse(iso);

describe("nextRun derives from the cron table", () => {
  it.each([
    ["adSync", "2026-12-06T09:00:00.000Z", "2026-12-06T10:00:00.000Z"],
    ["adSync", "2026-12-06T09:59:59.999Z", "2026-12-06T10:00:00.000Z"],
    ["experimentAnalysis", "2026-12-06T09:10:00.000Z", "2026-12-06T09:30:00.000Z"],
    ["experimentAnalysis", "2026-12-06T09:30:00.000Z", "2026-12-06T10:30:00.000Z"],
    ["optimizationLoop", "2026-12-06T09:14:30.000Z", "2026-12-06T09:15:00.000Z"],
    ["generationSweep", "2026-12-06T23:58:00.000Z", "2026-12-07T00:00:00.000Z"],
    ["everyMinute", "2026-12-06T09:14:30.000Z", "2026-12-06T09:15:00.000Z"],
  ] as const)("%s after %s is %s", (name, now, next) => {
    expect(new Date(nextRun(name, at(now))).toISOString()).toBe(next);
  });

  it("understands every schedule in the table", () => {
    for (const name of Object.keys(CRONS) as (keyof typeof CRONS)[]) {
      expect(nextRun(name, 0)).toBeGreaterThan(0);
    }
  });
});
