// Bandit simulation bench: a Thompson experiment served through the production functions
// (thompsonWeights + pickArm on the sticky hash path, posteriors refreshed in batches), side by
// side with per-impression Thompson sampling and round-robin on the same seeds and outcomes.
//
//   pnpm bench:bandit [--seeds N] [--impressions N] [--refresh N] [--burn-in N] [--floor F]
//                     [--draws N] [--rates 0.02,0.03,0.05] [--json]
//
// Targets (medians over seeds, edge policy): ≥ 90% of post-burn-in impressions on the best arm,
// and cumulative expected regret ≤ 15% of round-robin's. Prints PASS/FAIL per target; exits 1 on
// any FAIL, 2 on bad arguments. --json prints one JSON summary instead of the table.
// "After burn-in" means, for the edge policy, impressions served under a plan computed once every
// arm had `--burn-in` impressions; for the reference policies, impressions after the first
// k × burn-in. Regret is expected regret, Σ (p_best − p_chosen), so it has no outcome noise.
// Runs TypeScript sources directly (Node ≥ 22.18 strips types; scripts/register-ts.mjs resolves
// extensionless imports). No dependencies.

import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  compare,
  edgeThompson,
  type PolicySummary,
  perImpressionThompson,
  roundRobin,
  type SimulationOptions,
  type Spread,
} from "./bandit-sim";

const TARGETS = { bestShare: 0.9, regretRatio: 0.15 };

interface Cli {
  options: SimulationOptions;
  seeds: number;
  json: boolean;
}

function positive(name: string, raw: string, integer = true): number {
  const value = Number(raw);
  const valid = Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!valid) {
    throw new RangeError(`--${name} must be a positive ${integer ? "integer" : "number"}, got ${raw}`);
  }
  return value;
}

function parseCli(argv: string[]): Cli {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: "string", default: "50" },
      impressions: { type: "string", default: "20000" },
      refresh: { type: "string", default: "100" },
      "burn-in": { type: "string", default: "100" },
      floor: { type: "string", default: "0.01" },
      draws: { type: "string" },
      rates: { type: "string", default: "0.02,0.03,0.05" },
      json: { type: "boolean", default: false },
    },
  });
  const rates = values.rates.split(",").map((r) => positive("rates", r, false));
  const floor = Number(values.floor);
  if (!(floor >= 0 && floor < 1)) throw new RangeError(`--floor must be in [0, 1), got ${values.floor}`);
  return {
    seeds: positive("seeds", values.seeds),
    json: values.json,
    options: {
      rates,
      impressions: positive("impressions", values.impressions),
      refreshEvery: positive("refresh", values.refresh),
      burnIn: positive("burn-in", values["burn-in"]),
      floor,
      draws: values.draws === undefined ? undefined : positive("draws", values.draws),
    },
  };
}

function targetsOf(edge: PolicySummary) {
  return [
    {
      name: "median share of post-burn-in impressions on the best arm",
      target: `>= ${TARGETS.bestShare}`,
      value: edge.bestShareAfterBurnIn.median,
      pass: edge.bestShareAfterBurnIn.median >= TARGETS.bestShare,
    },
    {
      name: "median regret / round-robin regret",
      target: `<= ${TARGETS.regretRatio}`,
      value: edge.regretVsRoundRobin.median,
      pass: edge.regretVsRoundRobin.median <= TARGETS.regretRatio,
    },
  ];
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
const format = (s: Spread, f: (x: number) => string) => `${f(s.median)} (p10 ${f(s.p10)}, p90 ${f(s.p90)})`;

function printTable(cli: Cli, results: Record<string, PolicySummary>, targets: ReturnType<typeof targetsOf>) {
  const o = cli.options;
  console.log(
    `Bandit simulation: rates ${o.rates.join(", ")}, ${o.impressions} impressions, refresh every ${o.refreshEvery}, ` +
      `burn-in ${o.burnIn}, floor ${o.floor}, ${cli.seeds} seeds (median, p10, p90 over seeds)\n`,
  );
  for (const [name, r] of Object.entries(results)) {
    console.log(name);
    console.log(`  best arm, after burn-in  ${format(r.bestShareAfterBurnIn, percent)}`);
    console.log(`  expected regret          ${format(r.regret, (x) => x.toFixed(1))}`);
    console.log(`  regret / round-robin     ${format(r.regretVsRoundRobin, percent)}`);
  }
  console.log("");
  for (const t of targets) {
    console.log(`${t.pass ? "PASS" : "FAIL"}  ${t.name}: ${t.value.toFixed(3)} (target ${t.target})`);
  }
}

function main(): number {
  let cli: Cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 2;
  }
  const started = performance.now();
  const seeds = Array.from({ length: cli.seeds }, (_, i) => i + 1);
  const results = compare({ edgeThompson, perImpressionThompson, roundRobin }, cli.options, seeds);
  const targets = targetsOf(results.edgeThompson!);
  const pass = targets.every((t) => t.pass);
  const elapsedMs = Math.round(performance.now() - started);
  if (cli.json) {
    console.log(
      JSON.stringify({ options: cli.options, seeds: cli.seeds, results, targets, pass, elapsedMs }, null, 2),
    );
  } else {
    printTable(cli, results, targets);
    console.log(`\n${cli.seeds} seeds in ${(elapsedMs / 1000).toFixed(1)} s`);
  }
  return pass ? 0 : 1;
}

process.exitCode = main();
