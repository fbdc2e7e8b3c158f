import { describe, expect, it } from "vitest";
import { AdSyncError, type AdSyncErrorKind } from "../src/index";
import { retryDelayMs, withRetry } from "../src/retry";
import { adSyncFailure, recordingSleep } from "./stub-server";

const POLICY = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

/** An operation that fails with `errors` in turn, then returns "ok"; counts its calls. */
function flaky(errors: AdSyncError[]) {
  const op = {
    calls: 0,
    run: async (): Promise<string> => {
      const err = errors[op.calls++];
      if (err) throw err;
      return "ok";
    },
  };
  return op;
}

const fail = (kind: AdSyncErrorKind, retryAfterMs?: number) =>
  new AdSyncError(kind, "tiktok", `${kind} failure`, { retryAfterMs });

describe("retryDelayMs", () => {
  it("draws full jitter under an exponential ceiling", () => {
    expect(retryDelayMs(POLICY, 1, undefined, () => 0.999)).toBe(500);
    expect(retryDelayMs(POLICY, 2, undefined, () => 0.5)).toBe(500);
    expect(retryDelayMs(POLICY, 3, undefined, () => 0.25)).toBe(500);
    expect(retryDelayMs(POLICY, 3, undefined, () => 0)).toBe(0);
  });

  it("caps the ceiling at maxDelayMs", () => {
    expect(retryDelayMs(POLICY, 20, undefined, () => 0.999_999)).toBe(30_000);
  });

  it("waits at least as long as the channel asked, and gives up past maxDelayMs", () => {
    expect(retryDelayMs(POLICY, 1, 7_000, () => 0.5)).toBe(7_000);
    expect(retryDelayMs(POLICY, 8, 1_000, () => 1)).toBe(30_000);
    expect(retryDelayMs(POLICY, 1, 30_000, () => 0)).toBe(30_000);
    expect(retryDelayMs(POLICY, 1, 30_001, () => 0)).toBeUndefined();
  });
});

describe("withRetry", () => {
  it("retries transient and rate-limited failures, then returns", async () => {
    const { sleeps, sleep } = recordingSleep();
    const op = flaky([fail("transient"), fail("rate_limited", 2_000)]);
    const out = await withRetry({ channel: "tiktok", policy: POLICY, sleep, random: () => 0.5 }, op.run);
    expect(out).toBe("ok");
    expect(op.calls).toBe(3);
    expect(sleeps).toEqual([250, 2_000]);
  });

  it.each<AdSyncErrorKind>(["auth", "bad_response", "config"])("never retries %s", async (kind) => {
    const { sleeps, sleep } = recordingSleep();
    const op = flaky([fail(kind)]);
    await adSyncFailure(withRetry({ channel: "tiktok", policy: POLICY, sleep }, op.run), kind);
    expect(op.calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("stops after maxAttempts with the last error", async () => {
    const { sleeps, sleep } = recordingSleep();
    const last = fail("transient");
    const op = flaky([fail("transient"), fail("transient"), last, fail("transient")]);
    const err = await adSyncFailure(
      withRetry({ channel: "tiktok", policy: { ...POLICY, maxAttempts: 3 }, sleep }, op.run),
      "transient",
    );
    expect(err).toBe(last);
    expect(op.calls).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it("does not retry errors that are not AdSyncErrors", async () => {
    const { sleep } = recordingSleep();
    let calls = 0;
    const run = async (): Promise<never> => {
      calls++;
      throw new TypeError("bug");
    };
    await expect(withRetry({ channel: "tiktok", policy: POLICY, sleep }, run)).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });

  it("stops at once when the signal fires during a pause", async () => {
    const controller = new AbortController();
    const op = flaky([fail("transient"), fail("transient")]);
    const neverWakes = (): Promise<void> => {
      setTimeout(() => controller.abort(), 5);
      return new Promise(() => {});
    };
    const err = await adSyncFailure(
      withRetry({ channel: "tiktok", policy: POLICY, sleep: neverWakes, signal: controller.signal }, op.run),
      "transient",
    );
    expect(err.message).toContain("aborted by the caller");
    expect(op.calls).toBe(1);
  });
});
