import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AppContext } from "../../src/context";
import { authenticate } from "../../src/infra/api-keys";
import { buildContext } from "../../src/infra/build-context";
import { clearIsolatePools } from "../../src/infra/pool";
import { getMessage } from "../../src/services/message/get-message";
import { seedProject } from "../helpers";

/** A context whose D1 client throws on any use: proof that a path never touches D1. */
function withoutD1(ctx: AppContext): AppContext {
  const trap = new Proxy(
    {},
    {
      get(_t, prop) {
        throw new Error(`D1 touched on the warm path (db.${String(prop)})`);
      },
    },
  ) as AppContext["db"];
  return { ...ctx, db: trap };
}

describe("warm /v1/message path", () => {
  it("reads no D1 once the key and pool are cached, in isolate memory or in KV", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const pending: Promise<unknown>[] = [];
    const ctx = buildContext(env, (p) => pending.push(p));
    const input = { intentId: "warm", baseExample: "Hello there", locale: null, userId: "u1", context: {} };

    // Cold: creates the experiment and caches key and pool.
    const owner = await authenticate(ctx, apiKey);
    const cold = await getMessage({ ctx, owner, input });
    await Promise.all(pending);

    const cut = withoutD1(ctx);
    const warmOwner = await authenticate(cut, apiKey);
    const warm = await getMessage({ ctx: cut, owner: warmOwner, input });
    expect(warm.experimentId).toBe(cold.experimentId);

    // With the isolate cache gone, the pool still comes from KV, not D1.
    clearIsolatePools();
    const fromKv = await getMessage({ ctx: cut, owner: warmOwner, input });
    expect(fromKv.experimentId).toBe(cold.experimentId);
    expect(fromKv.text).toBe("Hello there");
  });
});
