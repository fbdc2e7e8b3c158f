// `pnpm cron <name>`: fires one of the Worker's Cron Triggers on the local `pnpm dev` server, by
// the name it has in workers/src/scheduled/crons.ts (wrangler dev does not fire them on its own).
//
//   npx -y pnpm@10 cron adSync
//   npx -y pnpm@10 cron --list

import { CRONS, type CronName } from "../workers/src/scheduled/crons";

const args = process.argv.slice(2).filter((a) => a !== "--");
const base = process.env.PB ?? "http://localhost:8787";
const names = Object.keys(CRONS) as CronName[];

if (args.length === 0 || args[0] === "--list") {
  console.log("Crons (name → schedule):");
  for (const name of names) console.log(`  ${name.padEnd(20)} ${CRONS[name]}`);
  console.log("\nRun one with: npx -y pnpm@10 cron <name>");
  process.exit(args.length === 0 ? 1 : 0);
}

const name = args[0] as CronName;
if (!names.includes(name)) {
  console.error(`✖ no cron named '${name}'. Known: ${names.join(", ")}`);
  process.exit(1);
}
const url = `${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(CRONS[name])}`;
try {
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) {
    console.error(`✖ ${res.status} from ${url}\n${text}`);
    process.exit(1);
  }
  console.log(`✓ ${name} (${CRONS[name]}) ran on ${base}`);
} catch (err) {
  console.error(`✖ cannot reach ${base}: is \`pnpm dev\` running? (${String(err)})`);
  process.exit(1);
}
