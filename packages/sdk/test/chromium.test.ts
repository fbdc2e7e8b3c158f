// The web example in headless Chromium against the Worker as `pnpm dev` runs it: the SDK's
// browser build with a real localStorage, fetch keepalive, CORS, offline mode and a service
// worker that imports the Worker's. Chromium is the system one (Debian `chromium`); without it
// (CI) the suite is skipped and its title says why, as in scripts/test/browser-push.test.ts.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_API_KEY, type LocalWorker, startLocalWorker } from "../../../scripts/lib/local-worker";
import { browserSuiteTitle, findChromium } from "../../../scripts/test/helpers/chromium";

const found = findChromium();
const executablePath = "executablePath" in found ? found.executablePath : undefined;
const example = (file: string) => new URL(`../../../examples/web/${file}`, import.meta.url);

interface StatsBody {
  total_impressions: number;
  total_opens: number;
}

describe.skipIf(!executablePath)(browserSuiteTitle("the web example in headless Chromium", found), () => {
  let worker: LocalWorker | undefined;
  let browser: Browser | undefined;
  let site: Server | undefined;
  let siteOrigin = "";

  beforeAll(async () => {
    if (!executablePath) throw new Error("unreachable: the suite is skipped without Chromium");
    const [w, b, bundle, html, sw] = await Promise.all([
      startLocalWorker(),
      chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] }),
      build({
        entryPoints: [new URL("../src/browser.ts", import.meta.url).pathname],
        bundle: true,
        minify: true,
        format: "esm",
        write: false,
      }),
      readFile(example("index.html"), "utf8"),
      readFile(example("sw.js"), "utf8"),
    ]);
    worker = w;
    browser = b;
    const files: Record<string, [string, string | Uint8Array]> = {
      "/": ["text/html", html],
      "/pushbunny.js": ["text/javascript", bundle.outputFiles[0]?.contents ?? ""],
      // The example imports from the default dev port; this Worker runs on a free one.
      "/sw.js": ["text/javascript", sw.replace("http://localhost:8787", w.origin)],
      // A page that renders the segment of the web experiment `?key=` and reports a sign-up.
      "/experiment.html": [
        "text/html",
        `<!doctype html><script type="module">
          import { createClient } from "/pushbunny.js";
          const pb = createClient({ baseUrl: ${JSON.stringify(w.origin)}, apiKey: ${JSON.stringify(DEV_API_KEY)} });
          const segment = await pb.experiment(new URLSearchParams(location.search).get("key"));
          document.documentElement.dataset.segment = String(segment);
          const tracked = await pb.track("signup");
          await pb.flush();
          document.documentElement.dataset.tracked = String(tracked);
        </script>`,
      ],
    };
    site = createServer((req, res) => {
      const file = files[new URL(req.url ?? "/", "http://x").pathname];
      if (!file) res.writeHead(404).end();
      else res.writeHead(200, { "content-type": file[0] }).end(file[1]);
    });
    await new Promise<void>((resolve) => site?.listen(0, "localhost", resolve));
    siteOrigin = `http://localhost:${(site.address() as AddressInfo).port}`;
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    site?.close();
    await worker?.stop();
  }, 30_000);

  const stats = async (intent: string) => {
    const res = await fetch(`${worker?.origin}/v1/stats?intent_id=${intent}`, {
      headers: { authorization: `Bearer ${DEV_API_KEY}` },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as StatsBody;
  };
  const counted = async (intent: string, want: Partial<StatsBody>) => {
    for (let i = 0; ; i++) {
      const s = await stats(intent);
      if (Object.entries(want).every(([k, v]) => s[k as keyof StatsBody] === v) || i === 60) return s;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const open = async (intent: string) => {
    if (!browser || !worker) throw new Error("beforeAll did not finish");
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(err.message));
    await page.goto(
      `${siteOrigin}/?base=${encodeURIComponent(worker.origin)}&key=${DEV_API_KEY}&intent=${intent}`,
    );
    await page.waitForSelector('#copy:not([data-state="loading"])', { timeout: 15_000 });
    expect(await page.getAttribute("#copy", "data-state")).toBe("served");
    return { context, page, problems };
  };

  it("shows the served copy and counts a click as one open", async () => {
    const { context, page, problems } = await open("web_click");
    expect(await page.textContent("#copy")).toContain("Welcome back!");
    await page.click("#open");
    await page.waitForSelector("#stats[data-opens]", { timeout: 20_000 });
    expect(await counted("web_click", { total_impressions: 1, total_opens: 1 })).toMatchObject({
      total_impressions: 1,
      total_opens: 1,
    });
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it("an open clicked offline waits in localStorage and is sent after a reload", async () => {
    const { context, page } = await open("web_offline");
    await context.setOffline(true);
    await page.click("#open");
    await page.waitForFunction(() => (localStorage.getItem("pushbunny:events") ?? "").includes('"opened"'));
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("pushbunny:events") ?? "{}"));
    expect(stored.q).toHaveLength(1);
    expect((await stats("web_offline")).total_opens).toBe(0);
    await context.setOffline(false);
    await page.reload();
    // The reloaded page served the copy again (a second impression) and sent the stored open.
    expect(await counted("web_offline", { total_impressions: 2, total_opens: 1 })).toMatchObject({
      total_impressions: 2,
      total_opens: 1,
    });
    await page.waitForFunction(
      () => JSON.parse(localStorage.getItem("pushbunny:events") ?? "{}").q?.length === 0,
    );
    await context.close();
  }, 60_000);

  it("an open clicked right before leaving the page is still counted", async () => {
    const { context, page } = await open("web_leave");
    // Page code as a string: this project's types are the Workers runtime's, with no DOM.
    await page.evaluate(`document.getElementById("open").click(); location.href = "about:blank";`);
    await page.waitForURL("about:blank");
    expect(await counted("web_leave", { total_opens: 1 })).toMatchObject({
      total_impressions: 1,
      total_opens: 1,
    });
    await context.close();
  }, 60_000);

  it("a #seg- preview link renders that segment and records nothing", async () => {
    if (!browser || !worker) throw new Error("beforeAll did not finish");
    const context = await browser.newContext();
    const page = await context.newPage();
    const toWorker: string[] = [];
    page.on("request", (req) => {
      if (req.url().startsWith(worker?.origin ?? "-")) toWorker.push(req.url());
    });
    await page.goto(`${siteOrigin}/experiment.html?key=hero#top&seg-bold`);
    await page.waitForSelector("html[data-tracked]", { timeout: 15_000 });
    expect(await page.getAttribute("html", "data-segment")).toBe("bold");
    expect(await page.getAttribute("html", "data-tracked")).toBe("false");
    // The config is read (to tell a known experiment's segments from a stray slug), and that
    // is all: no exposure, no metric, and no visitor id made for a preview.
    expect(toWorker.map((u) => new URL(u).pathname)).toEqual(["/v1/web/experiments"]);
    expect(await page.evaluate(() => localStorage.getItem("pushbunny:anonymous_id"))).toBeNull();
    await context.close();
  }, 60_000);

  it("a web experiment renders the Worker's segment, counts one exposure and the metric", async () => {
    if (!browser || !worker) throw new Error("beforeAll did not finish");
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${worker?.origin}${path}`, {
        method,
        headers: { authorization: `Bearer ${DEV_API_KEY}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return res.json() as Promise<Record<string, unknown>>;
    };
    await api("POST", "/v1/web-experiments", {
      key: "sdk-e2e",
      hypothesis: "A bolder hero gets more sign-ups",
      target_type: "page",
      target: "/",
      segments: [
        { key: "control", name: "Today's hero", traffic_percent: 50 },
        { key: "bold", name: "Bold hero", traffic_percent: 50 },
      ],
      primary_metric: "signup",
    });
    await api("POST", "/v1/web-experiments/sdk-e2e/activate");
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(err.message));
    await page.goto(`${siteOrigin}/experiment.html?key=sdk-e2e`);
    await page.waitForSelector("html[data-tracked]", { timeout: 20_000 });
    const segment = await page.getAttribute("html", "data-segment");
    expect(["control", "bold"]).toContain(segment);
    expect(await page.getAttribute("html", "data-tracked")).toBe("true");
    // A reload renders the same segment and records no second exposure.
    await page.reload();
    await page.waitForSelector("html[data-tracked]", { timeout: 20_000 });
    expect(await page.getAttribute("html", "data-segment")).toBe(segment);
    type Results = { segments: { key: string; exposures: number; primary: { conversions: number } }[] };
    let mine: Results["segments"][number] | undefined;
    for (let i = 0; i < 60; i++) {
      const r = (await api("GET", "/v1/web-experiments/sdk-e2e/results")) as unknown as Results;
      mine = r.segments.find((s) => s.key === segment);
      if (mine?.exposures === 1 && mine.primary.conversions === 1) break;
      await new Promise((done) => setTimeout(done, 250));
    }
    expect(mine).toMatchObject({ exposures: 1, primary: { conversions: 1 } });
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it("the site's own service worker imports the Worker's and activates", async () => {
    const { context, page, problems } = await open("web_sw");
    const active = await page.evaluate<{ script?: string; state?: string }>(
      // `ready` resolves once a worker is active, which may still be "activating": wait for the
      // activation to finish (or fail) before reading its state.
      `navigator.serviceWorker.ready.then((reg) => new Promise((done) => {
        const w = reg.active;
        const report = () => done({ script: w.scriptURL, state: w.state });
        if (w.state !== "activating") return report();
        w.addEventListener("statechange", report, { once: true });
      }))`,
    );
    expect(active).toEqual({ script: `${siteOrigin}/sw.js`, state: "activated" });
    // importScripts ran the Worker's script inside this worker: its config global is there.
    const sw = context.serviceWorkers()[0];
    expect(await sw?.evaluate(() => typeof (self as unknown as { PUSHBUNNY?: unknown }).PUSHBUNNY)).toBe(
      "object",
    );
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
