// @pushbunny/sdk/browser: localStorage keeps the queue across reloads and offline spells, and
// the queue is flushed with fetch keepalive when the page is hidden or left.
import { type Client, type ClientOptions, createClient as createCoreClient } from "./core/client";
import { memoryStorage, type Storage } from "./core/storage";
import { createPush, type Push } from "./push";

export type { Client, ClientOptions } from "./core/client";
export { type ErrorCode, PushBunnyError } from "./core/errors";
export type { Intent, Message, Stats, StatsQuery, TrackEvent } from "./core/types";
export type { Push, RegistrationLike, SubscribeOptions } from "./push";

export interface BrowserClientOptions extends ClientOptions {
  /** The project id (`prj_…`), needed by push only. */
  projectId?: string;
}

export interface BrowserClient extends Client {
  push: Push;
}

interface SyncStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

interface PageGlobals {
  localStorage?: SyncStorage;
  addEventListener?: (type: string, listener: () => void) => void;
  document?: { visibilityState?: string };
}

/** window.localStorage behind the async storage interface; memory where it is missing or refused (private modes, sandboxed frames). */
export function localStorageStorage(): Storage {
  try {
    const s = (globalThis as PageGlobals).localStorage;
    if (s) {
      s.setItem("pushbunny:probe", "1");
      s.removeItem("pushbunny:probe");
      return {
        getItem: async (k) => s.getItem(k),
        setItem: async (k, v) => s.setItem(k, v),
        removeItem: async (k) => s.removeItem(k),
      };
    }
  } catch {
    // Storage refused: fall through to memory.
  }
  return memoryStorage();
}

/** A client for web pages. */
export function createClient(options: BrowserClientOptions): BrowserClient {
  const client = createCoreClient({ storage: localStorageStorage(), keepalive: true, ...options });
  const g = globalThis as PageGlobals;
  // pagehide, not unload: it fires on mobile tab switches and keeps the back/forward cache usable.
  const leave = () => void client.flush();
  g.addEventListener?.("pagehide", leave);
  // Back online: what waited offline goes now rather than at the next backoff tick.
  g.addEventListener?.("online", leave);
  g.addEventListener?.("visibilitychange", () => {
    if (g.document?.visibilityState === "hidden") leave();
  });
  const push = createPush(
    {
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      apiKey: options.apiKey,
      fetch: options.fetch ?? ((i, n) => fetch(i, n)),
      timeoutMs: options.timeoutMs ?? 10_000,
    },
    options.projectId,
  );
  return Object.assign(client, { push });
}
