// The browser build's budget, measured the way `pnpm sdk:size` measures it.
import { describe, expect, it } from "vitest";
import { measure } from "../scripts/size.mjs";

describe("size", () => {
  it("the browser build (message + track + experiment) stays within 5.5 KB min+gzip", async () => {
    const r = await measure();
    expect(r.budget).toBe(5.5 * 1024);
    expect(r.browser.gzip, `browser build is ${r.browser.gzip} bytes min+gzip`).toBeLessThanOrEqual(r.budget);
    // A real bundle, not an empty one.
    expect(r.browser.gzip).toBeGreaterThan(1000);
    expect(r.core.gzip).toBeLessThan(r.browser.gzip);
  }, 30_000);
});
