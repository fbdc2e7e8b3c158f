// The browser side of Web Push, served by the Worker: a service worker and a small subscribe
// page. Kept as strings so the Worker ships them without a static-assets binding.

/**
 * The service worker, for the Worker at `origin` (and, at /push/{project}/sw.js, that project).
 * Registered as /push/<project>/sw.js[?topics=a,b][&user=<id>&user_hash=<hmac>] with scope
 * /push/<project>/ (or, from before per-project scopes, /push/sw.js?project=<id>): the address
 * tells it where to re-subscribe when the browser rotates the subscription.
 *
 * A site that has its own service worker imports this one instead of registering a second:
 * `importScripts("https://<edge>/push/<project>/sw.js")`, optionally after
 * `self.PUSHBUNNY = { topics, userId, userHash }`. Everything sits in one function scope so no
 * name clashes with the host script, requests go to the Worker's origin (not the site's), and
 * an imported copy leaves the host's install/activate lifecycle alone.
 */
export function serviceWorkerScript(origin: string, project: string | null): string {
  return `// PushBunny Edge service worker
(() => {
const ORIGIN = ${JSON.stringify(origin)};
const here = new URL(self.location.href);
const params = here.searchParams;
const CONFIG = self.PUSHBUNNY || {};
const STANDALONE = here.origin === ORIGIN && /^\\/push\\/(?:[^/]+\\/)?sw\\.js$/.test(here.pathname);
const PROJECT = CONFIG.projectId || ${JSON.stringify(project)} || params.get("project") || (here.pathname.match(/^\\/push\\/([^/]+)\\/sw\\.js$/) || [])[1] || null;
const TOPICS = CONFIG.topics || (params.get("topics") || "").split(",").filter(Boolean);
const USER = CONFIG.userId || params.get("user");
const USER_HASH = CONFIG.userHash || params.get("user_hash");

if (STANDALONE) {
  self.addEventListener("install", () => self.skipWaiting());
  self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
}

function report(data, event) {
  if (!data || !data.receipt) return Promise.resolve();
  return fetch(ORIGIN + "/push/receipts", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ receipt: data.receipt, event, tracking_token: data.tracking_token || undefined }),
    keepalive: true,
  }).catch(() => {});
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = { body: event.data ? event.data.text() : "" };
  }
  // Imported into a site's own service worker: its own pushes are the site's to show.
  if (!STANDALONE && !(data && data.delivery_id)) return;
  const options = {
    body: data.body || "",
    icon: data.icon,
    image: data.image,
    badge: data.badge,
    tag: data.tag,
    actions: data.actions || [],
    data,
  };
  event.waitUntil(
    Promise.all([self.registration.showNotification(data.title || "", options), report(data, "displayed")]),
  );
});

self.addEventListener("notificationclick", (event) => {
  const data = event.notification.data || {};
  if (!STANDALONE && !data.delivery_id) return;
  event.notification.close();
  const open = data.url ? self.clients.openWindow(data.url) : Promise.resolve();
  // A click on a tracked notification is reported as an "opened" event for its variant.
  event.waitUntil(Promise.all([report(data, "clicked"), open]));
});

function keyBytes(base64url) {
  const b64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function resubscribe() {
  if (!PROJECT) return;
  const key = await (await fetch(ORIGIN + "/push/" + PROJECT + "/vapid-public-key")).json();
  const sub = await self.registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: keyBytes(key.public_key),
  });
  // A user id goes only with its proof (the HMAC the site's backend made); without one the
  // subscription is anonymous.
  const identity = USER && USER_HASH ? { user_id: USER, user_hash: USER_HASH } : {};
  const post = (extra) =>
    fetch(ORIGIN + "/push/" + PROJECT + "/subscriptions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(Object.assign(sub.toJSON(), extra, identity)),
    });
  const res = await post({ topics: TOPICS });
  // A topic the site no longer lists as public would refuse the new endpoint on every
  // rotation: store the subscription without topics rather than lose it.
  if (res.status === 400 && TOPICS.length > 0) await post({});
}

// The browser replaced (or dropped) the subscription: register a new one with the current key.
self.addEventListener("pushsubscriptionchange", (event) => event.waitUntil(resubscribe()));
})();
`;
}

/** The subscribe page's stylesheet, served as /push/subscribe.css (no inline style: CSP). */
export const SUBSCRIBE_CSS = `body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; }
button { font: inherit; padding: .6rem 1.2rem; border-radius: .4rem; border: 0; background: #5b3cc4; color: #fff; cursor: pointer; }
pre { background: #f4f4f8; padding: .8rem; border-radius: .4rem; white-space: pre-wrap; word-break: break-all; }
`;

/**
 * The subscribe page's script, served as /push/subscribe.js (no inline script: the default CSP
 * allows scripts from this origin only). The project id comes from the page's data-project.
 */
export const SUBSCRIBE_JS = `const PROJECT = document.body.dataset.project;
const statusEl = document.getElementById("status");
const show = (state, text) => { statusEl.dataset.state = state; statusEl.textContent = text; };
const keyBytes = (b) => {
  const b64 = b.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
};
async function register() {
  if (!("serviceWorker" in navigator)) { show("unsupported", "This browser has no service workers."); return null; }
  const topics = document.getElementById("topics").value.split(",").map((t) => t.trim()).filter(Boolean);
  const base = "/push/" + encodeURIComponent(PROJECT) + "/";
  const url = base + "sw.js" + (topics.length ? "?topics=" + encodeURIComponent(topics.join(",")) : "");
  const registration = await navigator.serviceWorker.register(url, { scope: base });
  await navigator.serviceWorker.ready;
  show("registered", "Service worker: registered (scope " + registration.scope + ").");
  return { registration, topics };
}
async function subscribe() {
  try {
    const reg = await register();
    if (!reg) return;
    if ((await Notification.requestPermission()) !== "granted") { show("denied", "Notifications are blocked for this site."); return; }
    const key = await (await fetch("/push/" + PROJECT + "/vapid-public-key")).json();
    const sub = await reg.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.public_key) });
    const res = await fetch("/push/" + PROJECT + "/subscriptions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(Object.assign(sub.toJSON(), { topics: reg.topics })),
    });
    const body = await res.json();
    if (!res.ok) show("error", "Error: " + body.error.message);
    else if (!body.receiving) show("error", "This site has turned notifications off for this browser.");
    else show("subscribed", "Subscribed: " + body.subscription_id);
  } catch (err) {
    show("error", "Could not subscribe: " + err.message);
  }
}
document.getElementById("subscribe").addEventListener("click", subscribe);
register().catch((err) => show("error", "Service worker: " + err.message));
`;

/**
 * A minimal page that registers the service worker and subscribes this browser. `projectId`
 * is a known project's id (prj_ + [0-9a-z_]), so it is safe in an attribute as is.
 */
export function subscribePage(projectId: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Notifications · PushBunny</title>
<link rel="stylesheet" href="/push/subscribe.css">
<script type="module" src="/push/subscribe.js"></script>
</head>
<body data-project="${projectId}">
<h1>Stay in the loop</h1>
<p>Get a notification when something needs your attention.</p>
<label>Topics (comma-separated) <input id="topics" value=""></label>
<p><button id="subscribe">Enable notifications</button></p>
<pre id="status" data-state="idle">Service worker: not registered yet.</pre>
</body>
</html>
`;
}
