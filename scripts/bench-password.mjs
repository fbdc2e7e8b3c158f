// CPU cost of one password hash, in Node (docs/adr/0015-password-hashing.md). PBKDF2 runs
// through WebCrypto exactly as in the Worker; scrypt through node:crypto for comparison. Each
// measurement is process CPU time (user + system), run serially so no thread pool overlaps.
//
//   node --import ./scripts/register-ts.mjs scripts/bench-password.mjs [rounds]

import { scryptSync } from "node:crypto";
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "../packages/core/src/password.ts";

const rounds = Number(process.argv[2] ?? 20);

async function cpuMsPerCall(label, fn) {
  await fn(); // warm-up: JIT and the first WebCrypto key import
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const p90 = samples[Math.floor(samples.length * 0.9)];
  console.log(`${label.padEnd(44)} median ${median.toFixed(1)} ms  p90 ${p90.toFixed(1)} ms  (n=${rounds})`);
}

const stored = await hashPassword("correct horse battery staple");
console.log(`node ${process.version}, ${process.arch}`);
await cpuMsPerCall(`hashPassword (PBKDF2-SHA256, ${PBKDF2_ITERATIONS})`, () =>
  hashPassword("correct horse battery staple"),
);
await cpuMsPerCall("verifyPassword", () => verifyPassword("correct horse battery staple", stored));
await cpuMsPerCall("scryptSync N=2^14 r=8 p=1 (16 MiB)", async () =>
  scryptSync("correct horse battery staple", "0123456789abcdef", 32, { N: 2 ** 14, r: 8, p: 1 }),
);
await cpuMsPerCall("scryptSync N=2^15 r=8 p=1 (32 MiB)", async () =>
  scryptSync("correct horse battery staple", "0123456789abcdef", 32, {
    N: 2 ** 15,
    r: 8,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  }),
);
