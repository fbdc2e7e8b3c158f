// This site's own service worker (caching, offline pages…) with PushBunny's push handling
// imported into it, instead of a second registration. The script at /push/<project>/sw.js
// keeps its names to itself, sends receipts to the Worker's origin, and leaves this worker's
// install/activate lifecycle alone. The topics are used when the browser rotates the subscription.
self.PUSHBUNNY = { topics: [] };
importScripts("http://localhost:8787/push/prj_dev/sw.js");

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
