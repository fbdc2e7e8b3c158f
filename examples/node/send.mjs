// A Node script using @pushbunny/sdk: pick copy for an intent, record an open and a conversion,
// and read the statistics back. Against the local Worker:
//
//   npx -y pnpm@10 dev                   # terminal 1: the Worker on http://localhost:8787
//   pnpm sdk:build && node examples/node/send.mjs
//
// PUSHBUNNY_URL and PUSHBUNNY_KEY point it elsewhere. In an app: import from "@pushbunny/sdk/node".
import { createClient } from "../../packages/sdk/dist/node.js";

const client = createClient({
  baseUrl: process.env.PUSHBUNNY_URL ?? "http://localhost:8787",
  apiKey: process.env.PUSHBUNNY_KEY ?? "pb_dev_local_0000000000000000",
  onError: (err) => console.warn(`pushbunny: ${err.code}: ${err.message}`),
});

const intentId = "example_cart_abandonment";
const message = await client.message({
  intentId,
  baseExample: "You left items in your cart",
  userId: "user_42",
  context: { first_name: "Ada" },
});
console.log(
  "copy:",
  message.text,
  message.fallback ? "(fallback: the edge did not answer)" : `(variant ${message.variantId})`,
);

if (message.trackingToken) {
  await client.track({ type: "opened", trackingToken: message.trackingToken });
  await client.track({
    type: "conversion",
    trackingToken: message.trackingToken,
    properties: { plan: "pro" },
  });
}
// Sends what is queued and stops the timers: call it before a script or server exits.
await client.shutdown();

// The queue consumers count events within a second or two.
await new Promise((r) => setTimeout(r, 2000));
const stats = await client.stats({ intent_id: intentId });
console.log(
  `stats for ${intentId}: ${stats.total_impressions} impressions, ${stats.total_opens} opens, ${stats.total_conversions} conversions`,
);
for (const v of stats.variants) {
  console.log(
    `  ${v.variant_id}  ${v.impressions} shown  ${v.opens} opened  ${v.conversions} converted  "${v.text}"`,
  );
}
