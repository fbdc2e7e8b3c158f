// @pushbunny/sdk/node: servers and scripts. The queue is in memory; call shutdown() before the
// process exits so nothing waiting is lost (pass `storage` to keep it elsewhere).
import { type Client, type ClientOptions, createClient as createCoreClient } from "./core/client";

export type { Client, ClientOptions } from "./core/client";
export { type ErrorCode, PushBunnyError } from "./core/errors";
export { memoryStorage, type Storage } from "./core/storage";
export type { Intent, Message, Stats, StatsQuery, TrackEvent } from "./core/types";

/** A client for Node (and Deno, Bun or Workers: anything with a global fetch). */
export function createClient(options: ClientOptions): Client {
  return createCoreClient(options);
}
