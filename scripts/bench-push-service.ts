// The fake push service (workers/test-support/fake-push-service.ts) as a process of its own, for
// `pnpm bench` phase e. Its decryption and VAPID checks then burn their own CPU, not the bench
// client's, and the bench reads that CPU from /proc like the Worker's.
//
//   node --import ./scripts/register-ts.mjs scripts/bench-push-service.ts
//
// Prints one JSON line, { baseUrl, audience, pid }, then serves until its stdin closes (the bench
// exited, however it exited) or it gets SIGTERM. Driven over the service's HTTP control API.

import { startFakePushService } from "../workers/test-support/fake-push-service";

const service = await startFakePushService();
process.stdout.write(
  `${JSON.stringify({ baseUrl: service.baseUrl, audience: service.audience, pid: process.pid })}\n`,
);

// The service unrefs its server so tests can exit around it; here an open stdin keeps us alive.
const stop = (): void => {
  void service.close().finally(() => process.exit(0));
};
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
