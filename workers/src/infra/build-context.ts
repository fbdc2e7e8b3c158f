import { createDb, type Db } from "@pushbunny/db";
import { type Analyst, createAnalyst, createProvider, type VariantProvider } from "@pushbunny/llm";
import type { AppContext } from "../context";
import { type Env, loadConfig } from "../env";
import { createLogger } from "../logger";
import { createDurableObjectRotation, type Rotation } from "./rotation";

// Per-isolate singletons: bindings are stable for an isolate's life, and rebuilding drizzle,
// the rotation leasers or the LLM client per request would waste the hot path's budget.
const perEnv = new WeakMap<object, { db: Db; rotation: Rotation; llm: VariantProvider; analyst: Analyst }>();

/** Builds the context verbs receive. */
export function buildContext(
  env: Env,
  waitUntil: (p: Promise<unknown>) => void,
  fields: Record<string, unknown> = {},
): AppContext {
  const config = loadConfig(env);
  let shared = perEnv.get(env);
  if (!shared) {
    const llmConfig = {
      geminiApiKey: config.gemini.apiKey,
      geminiModel: config.gemini.model,
      geminiBaseUrl: config.gemini.baseUrl,
      timeoutMs: config.llmTimeoutMs,
    };
    shared = {
      db: createDb(env.DB),
      rotation: createDurableObjectRotation(env.ROTATION),
      llm: createProvider(llmConfig),
      analyst: createAnalyst(llmConfig),
    };
    perEnv.set(env, shared);
  }
  return {
    config,
    db: shared.db,
    kv: env.KV,
    queues: { events: env.EVENTS_QUEUE, jobs: env.JOBS_QUEUE },
    rotation: shared.rotation,
    llm: shared.llm,
    analyst: shared.analyst,
    logger: createLogger(config.logLevel, fields),
    now: Date.now,
    waitUntil,
    env,
  };
}
