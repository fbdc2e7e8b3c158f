import type { Db } from "@pushbunny/db";
import type { Analyst, VariantProvider } from "@pushbunny/llm";
import type { Config, Env } from "./env";
import type { Rotation } from "./infra/rotation";
import type { Logger } from "./logger";

/** Everything a verb may use; built once per request, queue batch or cron run. */
export interface AppContext {
  config: Config;
  db: Db;
  kv: KVNamespace;
  queues: { events: Queue<unknown>; jobs: Queue<unknown> };
  rotation: Rotation;
  llm: VariantProvider;
  /** Writes analysis narratives (Gemini when configured, else the template). */
  analyst: Analyst;
  logger: Logger;
  now: () => number;
  /** Work that must finish after the response is sent (ExecutionContext.waitUntil). */
  waitUntil: (promise: Promise<unknown>) => void;
  env: Env;
}
