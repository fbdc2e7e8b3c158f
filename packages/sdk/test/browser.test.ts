// The browser entry point with stand-ins for the page: localStorage, pagehide/visibilitychange,
// and the service worker and push APIs.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, localStorageStorage } from "../src/browser";
import { fakeServer, ok, TOKEN } from "./helpers";

const BASE = "https://edge.test";
const KEY = "pb_live_key";
const PROJECT = "prj_web";

function page() {
  const store = new Map<string, string>();
  const listeners = new Map<string, Array<() => void>>();
  const document = { visibilityState: "visible" };
  vi.stubGlobal("localStorage", {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  });
  vi.stubGlobal("document", document);
  vi.stubGlobal("addEventListener", (type: string, fn: () => void) => {
    listeners.set(type, [...(listeners.get(type) ?? []), fn]);
  });
  const fire = (type: string) => {
    for (const fn of listeners.get(type) ?? []) fn();
  };
  return { store, document, fire };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("browser client", () => {
  it("keeps the queue in localStorage across a reload", async () => {
    const p = page();
    const down = fakeServer(["network"]);
    const first = createClient({ baseUrl: BASE, apiKey: KEY, fetch: down.fetch, flushAt: 100 });
    await first.track({ type: "opened", trackingToken: TOKEN(1) });
    expect(p.store.get("pushbunny:events")).toContain(TOKEN(1));
    const up = fakeServer([ok()]);
    createClient({ baseUrl: BASE, apiKey: KEY, fetch: up.fetch });
    await vi.advanceTimersByTimeAsync(0);
    expect(up.events()).toHaveLength(1);
    expect(JSON.parse(p.store.get("pushbunny:events") ?? "{}").q).toEqual([]);
  });

  it("flushes with keepalive when the page is hidden or left", async () => {
    const p = page();
    const server = fakeServer([ok()]);
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      flushAt: 100,
      flushIntervalMs: 60_000,
    });
    await c.track({ type: "opened", trackingToken: TOKEN(1) });
    p.document.visibilityState = "hidden";
    p.fire("visibilitychange");
    await vi.advanceTimersByTimeAsync(0);
    expect(server.events()).toHaveLength(1);
    expect(server.events()[0]?.keepalive).toBe(true);
    await c.track({ type: "opened", trackingToken: TOKEN(2) });
    p.fire("pagehide");
    await vi.advanceTimersByTimeAsync(0);
    expect(server.events()).toHaveLength(2);
    expect(server.events()[1]?.keepalive).toBe(true);
    // Coming back online sends at once instead of waiting for the interval.
    await c.track({ type: "opened", trackingToken: TOKEN(3) });
    p.fire("online");
    await vi.advanceTimersByTimeAsync(0);
    expect(server.events()).toHaveLength(3);
  });

  it("falls back to memory when localStorage refuses writes", async () => {
    vi.stubGlobal("localStorage", {
      getItem: () => null,
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
      removeItem: () => {},
    });
    const s = localStorageStorage();
    await s.setItem("k", "v");
    expect(await s.getItem("k")).toBe("v");
  });
});

describe("push", () => {
  const PUBLIC_KEY =
    "BAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0A";
  const keyBytes = () => {
    const b64 = PUBLIC_KEY.replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  };

  function browserPush(permission = "granted", existingKey?: Uint8Array) {
    const calls: string[] = [];
    const subscription = (key: Uint8Array) => ({
      options: { applicationServerKey: key.buffer as ArrayBuffer },
      toJSON: () => ({
        endpoint: "https://push.example/abc",
        expirationTime: null,
        keys: { p256dh: "p", auth: "a" },
      }),
      unsubscribe: async () => {
        calls.push("unsubscribe");
        return true;
      },
    });
    let current = existingKey ? subscription(existingKey) : null;
    const registration = {
      active: { state: "activated", addEventListener: () => {} },
      installing: null,
      waiting: null,
      pushManager: {
        getSubscription: async () => current,
        subscribe: async (o: { applicationServerKey: Uint8Array }) => {
          calls.push("subscribe");
          current = subscription(o.applicationServerKey);
          return current;
        },
      },
    };
    vi.stubGlobal("Notification", {
      requestPermission: async () => {
        calls.push("permission");
        return permission;
      },
    });
    vi.stubGlobal("navigator", {
      serviceWorker: {
        register: async (url: string, o: { scope: string }) => {
          calls.push(`register ${url} ${o.scope}`);
          return registration;
        },
        getRegistration: async (scope: string) => {
          calls.push(`getRegistration ${scope}`);
          return registration;
        },
      },
    });
    return { calls, registration };
  }

  const server = () =>
    fakeServer([
      (req) =>
        req.url.endsWith("/vapid-public-key")
          ? ok({ public_key: PUBLIC_KEY })
          : ok({ subscription_id: "sub_1", receiving: true }, 201),
    ]);

  it("asks permission first, registers the Worker's service worker and stores the subscription", async () => {
    page();
    const b = browserPush();
    const s = server();
    const c = createClient({ baseUrl: BASE, apiKey: KEY, projectId: PROJECT, fetch: s.fetch });
    const out = await c.push.subscribe({
      topics: ["news", "sales"],
      userId: "u1",
      userHash: "ab".repeat(32),
    });
    expect(out).toEqual({ subscriptionId: "sub_1", receiving: true });
    expect(b.calls).toEqual([
      "permission",
      `register ${BASE}/push/${PROJECT}/sw.js?topics=news%2Csales&user=u1&user_hash=${"ab".repeat(32)} ${BASE}/push/${PROJECT}/`,
      "subscribe",
    ]);
    expect(s.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${BASE}/push/${PROJECT}/vapid-public-key`,
      `POST ${BASE}/push/${PROJECT}/subscriptions`,
    ]);
    expect(s.seen[1]?.body).toEqual({
      endpoint: "https://push.example/abc",
      expirationTime: null,
      keys: { p256dh: "p", auth: "a" },
      topics: ["news", "sales"],
      user_id: "u1",
      user_hash: "ab".repeat(32),
    });
  });

  it("uses the app's own registration, and replaces a subscription made for another key", async () => {
    page();
    const b = browserPush("granted", new Uint8Array(65));
    const s = server();
    const c = createClient({ baseUrl: BASE, apiKey: KEY, projectId: PROJECT, fetch: s.fetch });
    await c.push.subscribe({ registration: b.registration });
    expect(b.calls).toEqual(["permission", "unsubscribe", "subscribe"]);
    expect(s.seen[1]?.body).not.toHaveProperty("topics");
    // Same key now: subscribing again reuses the subscription.
    await c.push.subscribe({ registration: b.registration });
    expect(b.calls.slice(3)).toEqual(["permission"]);
    expect(keyBytes()).toHaveLength(65);
  });

  it("refuses without permission, before registering anything", async () => {
    page();
    const b = browserPush("denied");
    const s = server();
    const c = createClient({ baseUrl: BASE, apiKey: KEY, projectId: PROJECT, fetch: s.fetch });
    await expect(c.push.subscribe()).rejects.toMatchObject({ code: "permission" });
    expect(b.calls).toEqual(["permission"]);
    expect(s.seen).toHaveLength(0);
  });

  it("unsubscribes this browser", async () => {
    page();
    const b = browserPush("granted", keyBytes());
    const c = createClient({ baseUrl: BASE, apiKey: KEY, projectId: PROJECT, fetch: server().fetch });
    expect(await c.push.unsubscribe()).toBe(true);
    expect(b.calls).toEqual([`getRegistration ${BASE}/push/${PROJECT}/`, "unsubscribe"]);
  });

  it("needs a project id", async () => {
    page();
    browserPush();
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server().fetch });
    await expect(c.push.subscribe()).rejects.toMatchObject({ code: "unsupported" });
  });
});
