// `pnpm cron <name>` against a local stand-in for wrangler dev's scheduled handler.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { CRONS } from "../../workers/src/scheduled/crons";

function run(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "./scripts/register-ts.mjs", "scripts/cron.ts", ...args],
      {
        env: { ...process.env, ...env },
      },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("pnpm cron", () => {
  it("lists every cron of the table by name and schedule", async () => {
    const { code, out } = await run(["--list"]);
    expect(code).toBe(0);
    for (const [name, schedule] of Object.entries(CRONS))
      expect(out).toContain(`${name.padEnd(20)} ${schedule}`);
  });

  it("fires the named cron through the scheduled handler, and refuses an unknown name", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? "");
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await run(["optimizationLoop"], { PB: base });
      expect(ok.code, ok.out).toBe(0);
      expect(seen).toEqual([`/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(CRONS.optimizationLoop)}`]);
      const bad = await run(["nope"], { PB: base });
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/no cron named 'nope'/);
      expect(seen).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});
