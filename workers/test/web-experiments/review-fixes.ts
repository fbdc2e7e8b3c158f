import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { WEB_EVENTS_PER_IP, WEB_EXPOSURES_PER_IP } from "../../src/http/routes/web/limits";
import { buildContext } from "../../src/infra/build-context";
import { getWebConfig } from "../../src/services/web/get-web-config";
import { recordWebExposure } from "../../src/services/web/record-web-exposure";
import {
  clearIsolateRuntimeConfigs,
  loadRuntimeConfig,
  type RuntimeConfig,
  runtimeConfigKvKey,
} from "../../src/services/web/runtime-config";
import { activateWebExperiment } from "../../src/services/web-experiments/activate-web-experiment";
import { call, expectError, json, keyWithScopes, seedProject } from "../helpers";
import { activate, collectingContext, create, NO_D1 } from "./helpers";

/**
 * A context whose KV runs `between` right before its first write of the runtime config goes
 * through: another request landing between this one's D1 read and its KV write. `settle` runs
 * it if no such write ever came. Other keys (the engine's pool) pass untouched.
 */
function kvInterleaving(between: () => Promise<void>) {
  const puts: string[] = [];
  let ran = false;
  const once = async () => {
    if (ran) return;
    ran = true;
    await between();
  };
  const base = env.KV;
  const kv = {
    get: base.get.bind(base),
    delete: base.delete.bind(base),
    list: base.list.bind(base),
    getWithMetadata: base.getWithMetadata.bind(base),
    put: async (key: string, value: string, options?: KVNamespacePutOptions) => {
      if (key.startsWith(runtimeConfigKvKey(""))) {
        puts.push(key);
        await once();
      }
      return base.put(key, value, options);
    },
  } as unknown as KVNamespace;
  const { ctx, sent } = collectingContext({ kv });
  return { ctx, sent, puts, settle: once };
}

const kvConfigKeys = async (projectId: string) =>
  ((await env.KV.get<RuntimeConfig>(runtimeConfigKvKey(projectId), "json"))?.experiments ?? []).map(
    (e) => e.key,
  );

const finishByApi = async (apiKey: string, key: string) => {
  await json(await call(`/v1/web-experiments/${key}/finish`, { key: apiKey, method: "POST" }), 200);
};

describe("web experiments: review fixes", () => {
  it("the public runtime paths never write KV: a finish between their D1 read and a write stays finished", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    await create(apiKey, "cold-config");
    await activate(apiKey, "cold-config");
    // No KV entry and a cold isolate: GET /v1/web/experiments reads D1.
    await env.KV.delete(runtimeConfigKvKey(projectId));
    clearIsolateRuntimeConfigs();
    const config = kvInterleaving(() => finishByApi(apiKey, "cold-config"));
    const served = await getWebConfig({ ctx: config.ctx, projectId });
    expect(served.experiments.map((e) => e.key)).toEqual(["cold-config"]);
    await config.settle();
    expect(config.puts).toEqual([]);
    expect(await kvConfigKeys(projectId)).toEqual([]);

    // An exposure for an experiment this isolate's copy does not list yet reads D1 too.
    await create(apiKey, "late-exposure");
    await activate(apiKey, "late-exposure");
    await env.KV.put(
      runtimeConfigKvKey(projectId),
      JSON.stringify({ v: 1, projectId, experiments: [], builtAt: Date.now() } satisfies RuntimeConfig),
    );
    clearIsolateRuntimeConfigs();
    const exposure = kvInterleaving(() => finishByApi(apiKey, "late-exposure"));
    const out = await recordWebExposure({
      ctx: exposure.ctx,
      projectId,
      input: { experiment: "late-exposure", anonymousId: "v1" },
    });
    expect(out.experiment).toBe("late-exposure");
    expect(exposure.sent).toHaveLength(1);
    await exposure.settle();
    expect(exposure.puts).toEqual([]);
    expect(await kvConfigKeys(projectId)).toEqual([]);
    clearIsolateRuntimeConfigs();
    await expectError(
      await call("/v1/web/exposures", {
        key: await keyWithScopes(projectId, "message"),
        body: { experiment: "late-exposure", anonymous_id: "v2" },
      }),
      409,
      "CONFLICT",
    );
  });

  it("two racing transitions: the one whose KV write lands last checks D1 again and writes the newer set", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    for (const key of ["race-a", "race-b", "race-c"]) await create(apiKey, key);
    await activate(apiKey, "race-a");
    await activate(apiKey, "race-b");
    // Activating race-c reads D1 (a, b, c active); race-b finishes and publishes (a, c) before
    // race-c's write of (a, b, c) lands.
    const racing = kvInterleaving(() => finishByApi(apiKey, "race-b"));
    const row = await activateWebExperiment({
      ctx: racing.ctx,
      projectId,
      actor: "test",
      input: { key: "race-c" },
    });
    expect(row.status).toBe("active");
    expect(await kvConfigKeys(projectId)).toEqual(["race-a", "race-c"]);
    expect(racing.puts.length).toBe(2);
    clearIsolateRuntimeConfigs();
    const { ctx } = collectingContext({ db: NO_D1 });
    expect((await loadRuntimeConfig(ctx, projectId)).experiments.map((e) => e.key)).toEqual([
      "race-a",
      "race-c",
    ]);
  });

  it("a transition whose KV write fails drops the KV copy, so the old config cannot outlive it", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    await create(apiKey, "kv-down-a");
    await create(apiKey, "kv-down-b");
    await activate(apiKey, "kv-down-a");
    expect(await kvConfigKeys(projectId)).toEqual(["kv-down-a"]);
    const base = env.KV;
    const kv = {
      get: base.get.bind(base),
      delete: base.delete.bind(base),
      put: async (key: string, value: string, options?: KVNamespacePutOptions) => {
        if (key.startsWith(runtimeConfigKvKey(""))) throw new Error("KV write failed");
        return base.put(key, value, options);
      },
    } as unknown as KVNamespace;
    const { ctx } = collectingContext({ kv });
    const row = await activateWebExperiment({ ctx, projectId, actor: "test", input: { key: "kv-down-b" } });
    expect(row.status).toBe("active");
    expect(await env.KV.get(runtimeConfigKvKey(projectId))).toBeNull();
    clearIsolateRuntimeConfigs();
    const served = await getWebConfig({ ctx: buildContext(env, () => {}), projectId });
    expect(served.experiments.map((e) => e.key)).toEqual(["kv-down-a", "kv-down-b"]);
  });

  it("exposures and events are limited per address and project, beside the key's class budget", async () => {
    const { projectId } = await seedProject({ challengerCount: 0 });
    const other = await seedProject({ challengerCount: 0 });
    const sdkKey = await keyWithScopes(projectId, "message");
    const otherKey = await keyWithScopes(other.projectId, "message");
    for (const [path, rule] of [
      ["/v1/web/exposures", WEB_EXPOSURES_PER_IP],
      ["/v1/web/events", WEB_EVENTS_PER_IP],
    ] as const) {
      const from = (ip: string, key = sdkKey) =>
        call(path, { key, body: {}, headers: { "cf-connecting-ip": ip } });
      // Malformed bodies count: the address is charged before the body is read.
      for (let i = 0; i < rule.limit; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, rule.limit - i) }, () => from("198.51.100.7")),
        );
        expect(batch.map((r) => r.status).every((st) => st === 400)).toBe(true);
      }
      const refused = await from("198.51.100.7");
      await expectError(refused, 429, "RATE_LIMITED", /from this address for this project/);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      // Another address, or the same address on another project, has its own budget.
      expect((await from("198.51.100.8")).status).toBe(400);
      expect((await from("198.51.100.7", otherKey)).status).toBe(400);
    }
    // IPv6: a /64 is one subscriber line, so one budget.
    for (let i = 0; i < WEB_EXPOSURES_PER_IP.limit; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          call("/v1/web/exposures", {
            key: sdkKey,
            body: {},
            headers: { "cf-connecting-ip": `2001:db8:1:2::${(i + j).toString(16)}` },
          }),
        ),
      );
    }
    await expectError(
      await call("/v1/web/exposures", {
        key: sdkKey,
        body: {},
        headers: { "cf-connecting-ip": "2001:db8:1:2:ffff::1" },
      }),
      429,
      "RATE_LIMITED",
    );
  });
});
