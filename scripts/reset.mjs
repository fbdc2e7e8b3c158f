// `pnpm reset`: forgets all local state (D1, KV, Queues, Durable Objects under .wrangler/state).
// The next `pnpm dev` re-applies the migrations and re-seeds the development project and key.
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const state = join(dirname(fileURLToPath(import.meta.url)), "..", ".wrangler", "state");
if (!existsSync(state)) {
  console.log("Nothing to reset: there is no local state yet.");
} else {
  rmSync(state, { recursive: true, force: true });
  console.log(`Removed ${state}. The next \`pnpm dev\` starts from empty local storage.`);
}
