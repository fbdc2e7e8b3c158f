// CPU cost of one Web Push message in Node, with the library the Worker uses: buildPushRequest
// from packages/webpush (RFC 8291 aes128gcm encryption to a fresh subscriber each time, VAPID
// JWT from its per-origin cache, as in a broadcast). Part of `pnpm bench` phase e.
//
//   node --import ./scripts/register-ts.mjs scripts/bench-push-encrypt.ts [--messages N]
//
// Prints one JSON line. Node's WebCrypto runs on OpenSSL, workerd's on BoringSSL: this is the
// library's cost on this machine, not the Worker's (the bench measures that from workerd's CPU).

import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { buildPushRequest, generateVapidKeys } from "../packages/webpush/src/index";
import { keyProblems } from "../packages/webpush/src/subscription";
import { decryptAes128gcm, generateSubscriberKeys } from "../workers/test-support/fake-push-service";

const { values } = parseArgs({ options: { messages: { type: "string", default: "2000" } } });
const messages = Number(values.messages);
if (!Number.isInteger(messages) || messages <= 0) {
  console.error(`bench-push-encrypt: --messages must be a positive integer, got '${values.messages}'`);
  process.exit(2);
}
const WARMUP = 100;
// Any loopback origin: nothing is sent, and one origin means one cached JWT, as in a broadcast.
const ENDPOINT = "http://127.0.0.1:9/push/";

const vapid = { subject: "mailto:bench@pushbunny.invalid", ...(await generateVapidKeys()) };
const subscribers = Array.from({ length: WARMUP + messages }, () => generateSubscriberKeys());
// The shape and size of what sendPushBatch encrypts for a plain broadcast.
const payloadFor = (i: number): string =>
  JSON.stringify({
    title: "Bench broadcast",
    body: "10,000 subscribers, one message each",
    notification_id: "ntf_0000000000000000000000",
    delivery_id: `dlv_${String(i).padStart(22, "0")}`,
    receipt: `rcp_v1.prj_bootstrap.dlv_${String(i).padStart(22, "0")}.${"x".repeat(22)}`,
  });

const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function run(from: number, to: number): Promise<{ cpuUs: number; wallUs: number; bytes: number }> {
  let bytes = 0;
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  for (let i = from; i < to; i++) {
    const s = subscribers[i];
    if (!s) continue;
    const req = await buildPushRequest(
      { endpoint: `${ENDPOINT}${i}`, keys: { p256dh: s.p256dh, auth: s.authSecret } },
      payloadFor(i),
      { ttl: 86_400 },
      vapid,
    );
    bytes = req.encryptedBytes;
  }
  return { cpuUs: cpuMicros() - cpu0, wallUs: (performance.now() - t0) * 1000, bytes };
}

// The first message signs the JWT (ECDSA) and fills the cache; the warm-up also lets V8 optimize.
const first = subscribers[0];
if (!first) throw new Error("no subscribers");
const firstReq = await buildPushRequest(
  { endpoint: `${ENDPOINT}0`, keys: { p256dh: first.p256dh, auth: first.authSecret } },
  payloadFor(0),
  { ttl: 86_400 },
  vapid,
);
// A message that does not decrypt would make the timing meaningless.
if (decryptAes128gcm(firstReq.init.body, first) !== payloadFor(0)) {
  throw new Error("the first message did not decrypt to its payload");
}
await run(1, WARMUP);
const measured = await run(WARMUP, WARMUP + messages);

// buildPushRequest imports the subscriber's point to check it lies on the curve; alone it is this.
const keyCpu0 = cpuMicros();
for (let i = WARMUP; i < WARMUP + messages; i++) {
  const s = subscribers[i];
  if (s) await keyProblems({ p256dh: s.p256dh, auth: s.authSecret });
}
const keyCheckCpuUs = cpuMicros() - keyCpu0;

process.stdout.write(
  `${JSON.stringify({
    messages,
    node: process.version,
    openssl: process.versions.openssl,
    encrypted_bytes: measured.bytes,
    cpu_us_per_message: measured.cpuUs / messages,
    wall_us_per_message: measured.wallUs / messages,
    messages_per_cpu_second: (1e6 * messages) / measured.cpuUs,
    key_check_cpu_us_per_message: keyCheckCpuUs / messages,
  })}\n`,
);
