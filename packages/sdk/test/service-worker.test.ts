// The Worker's service worker (workers/src/http/routes/push/public/assets.ts) run against a
// stand-in `self`: registered on its own, and imported into a site's own service worker with
// importScripts, which is how README tells apps to avoid a second registration.
import { describe, expect, it } from "vitest";
import { serviceWorkerScript } from "../../../workers/src/http/routes/push/public/assets";

const EDGE = "https://edge.test";

function run(location: string, script: string, config?: Record<string, unknown>) {
  const listeners = new Map<string, (event: unknown) => void>();
  const fetches: { url: string; body: unknown }[] = [];
  const self: Record<string, unknown> = {
    location: { href: location },
    PUSHBUNNY: config,
    addEventListener: (type: string, fn: (event: unknown) => void) => listeners.set(type, fn),
    skipWaiting: () => {},
    clients: { claim: async () => {}, openWindow: async () => {} },
    registration: { showNotification: async () => {} },
  };
  const fetch = async (url: string, init: { body: string }) => {
    fetches.push({ url, body: JSON.parse(init.body) });
    return new Response("{}");
  };
  // The host's own top-level names, as a site's service worker would have them.
  const host = "const here = 'host'; const report = () => 'host'; function keyBytes() {}\n";
  new Function("self", "fetch", `${host}${script}`)(self, fetch);
  return { listeners, fetches };
}

const click = (data: unknown) => {
  const waits: Promise<unknown>[] = [];
  return {
    event: { notification: { close: () => {}, data }, waitUntil: (p: Promise<unknown>) => waits.push(p) },
    done: () => Promise.all(waits),
  };
};

describe("the service worker script", () => {
  it("registered on the Worker's origin, takes control at once and reports clicks there", async () => {
    const sw = run(`${EDGE}/push/prj_a/sw.js?topics=news`, serviceWorkerScript(EDGE, "prj_a"));
    expect([...sw.listeners.keys()].sort()).toEqual([
      "activate",
      "install",
      "notificationclick",
      "push",
      "pushsubscriptionchange",
    ]);
    const c = click({ receipt: "rcp_1", tracking_token: "trk_1" });
    sw.listeners.get("notificationclick")?.(c.event);
    await c.done();
    expect(sw.fetches).toEqual([
      { url: `${EDGE}/push/receipts`, body: { receipt: "rcp_1", event: "clicked", tracking_token: "trk_1" } },
    ]);
  });

  it("imported by a site's own service worker, leaves its lifecycle alone and still talks to the Worker", async () => {
    const sw = run("https://shop.example/sw.js", serviceWorkerScript(EDGE, "prj_a"), { topics: ["news"] });
    expect([...sw.listeners.keys()].sort()).toEqual(["notificationclick", "push", "pushsubscriptionchange"]);
    const c = click({ receipt: "rcp_2", delivery_id: "dlv_2" });
    sw.listeners.get("notificationclick")?.(c.event);
    await c.done();
    expect(sw.fetches[0]?.url).toBe(`${EDGE}/push/receipts`);
  });

  it("imported, leaves the site's own pushes and clicks to the site", async () => {
    const sw = run("https://shop.example/sw.js", serviceWorkerScript(EDGE, "prj_a"));
    let closed = false;
    const waits: unknown[] = [];
    sw.listeners.get("notificationclick")?.({
      notification: { close: () => (closed = true), data: { url: "/orders" } },
      waitUntil: (p: unknown) => waits.push(p),
    });
    sw.listeners.get("push")?.({
      data: { json: () => ({ title: "The site's own" }) },
      waitUntil: (p: unknown) => waits.push(p),
    });
    expect([closed, waits.length, sw.fetches.length]).toEqual([false, 0, 0]);
  });
});
