// `pnpm push:receiver`: a real Web Push subscription without a browser. It starts a push service
// on loopback that does what a browser and its push service do together (checks the VAPID
// signature, decrypts RFC 8291 aes128gcm with the subscriber's own keys), subscribes it to the
// local Worker with the development key, and prints every notification it receives.
//
//   npx -y pnpm@10 push:receiver                          # against http://localhost:8787
//   npx -y pnpm@10 push:receiver -- --user-id u_42 --topics news,deals
//   PB=http://localhost:8790 KEY=pb_… npx -y pnpm@10 push:receiver
//
// The Worker accepts loopback endpoints only outside production (PUSH_ALLOW_LOOPBACK).

import { parseArgs } from "node:util";
import { startFakePushService } from "../workers/test-support/fake-push-service";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--")),
  options: {
    "user-id": { type: "string" },
    topics: { type: "string" },
    base: { type: "string" },
    key: { type: "string" },
  },
});
const base = values.base ?? process.env.PB ?? "http://localhost:8787";
const key = values.key ?? process.env.KEY ?? "pb_dev_local_0000000000000000";

const service = await startFakePushService();
const subscriber = service.createSubscriber("ok");
const body = {
  endpoint: subscriber.endpoint,
  keys: subscriber.keys,
  ...(values["user-id"] ? { user_id: values["user-id"] } : {}),
  ...(values.topics ? { topics: values.topics.split(",").map((t) => t.trim()) } : {}),
};

let res: Response;
try {
  res = await fetch(`${base}/v1/subscriptions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
} catch (err) {
  console.error(`✖ cannot reach ${base}: is \`pnpm dev\` running? (${String(err)})`);
  process.exit(1);
}
const text = await res.text();
if (!res.ok) {
  console.error(`✖ subscribing failed: ${res.status} ${text}`);
  process.exit(1);
}
const { subscription_id: subscriptionId } = JSON.parse(text) as { subscription_id: string };
console.log(`
  Push receiver on ${service.baseUrl}
  Subscribed as ${subscriptionId}${values["user-id"] ? ` (user ${values["user-id"]})` : ""}

  Send it something from another terminal:

  curl -s ${base}/v1/notifications/send -H "Authorization: Bearer ${key}" \\
       -H 'Content-Type: application/json' \\
       -d '{"payload":{"title":"Hello","body":"From PushBunny"},"target":{"subscription_ids":["${subscriptionId}"]}}'

  Waiting for notifications (Ctrl-C to stop)…
`);

let shown = 0;
let failuresShown = 0;
const timer = setInterval(() => {
  const deliveries = service.deliveries({ id: subscriber.id });
  for (const d of deliveries.slice(shown)) {
    console.log(`• ${new Date(d.at).toISOString()} TTL ${d.ttl} urgency ${d.urgency ?? "-"}\n  ${d.payload}`);
  }
  shown = deliveries.length;
  const failures = service.failures({ id: subscriber.id });
  for (const f of failures.slice(failuresShown)) console.log(`✖ refused a delivery: ${f.status} ${f.reason}`);
  failuresShown = failures.length;
}, 250);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    clearInterval(timer);
    void service.close().finally(() => process.exit(0));
  });
}
