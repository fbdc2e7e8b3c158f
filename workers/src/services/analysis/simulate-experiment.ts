import {
  createRng,
  DAY_MS,
  fnv1a32,
  hashUnit,
  newTimeId,
  pickWeighted,
  signTrackingToken,
} from "@pushbunny/core";
import { clearSimulation, type VariantRow } from "@pushbunny/db";
import { armLabel } from "@pushbunny/llm";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import type { EventsMessage, ImpressionMessage } from "../../queue/messages";
import { spendQuota } from "../../ratelimit/quotas";
import { ingestEvents } from "../events/ingest-events";
import { recordTrackingMessages } from "../events/record-tracking";
import { mustFind } from "../experiments/lookup";
import type { Analysis } from "./analyses";
import { analyzeExperimentNow } from "./analyze-experiment";
import { comparedArms } from "./statistics";

export const SIMULATION_LIMITS = { minUsers: 10, maxUsers: 20_000, maxDays: 30 } as const;
const DEFAULT_OPEN_RATE = 0.05;
// What the consumer writes per D1 batch; the same bound the events queue batches give it.
const WRITE_CHUNK = 2_000;
// The ingest path takes a request's worth of events at a time, as /v1/events does.
const INGEST_CHUNK = 1_000;

export interface SimulateInput {
  experimentId: string;
  users: number;
  days: number;
  seed: string;
  /** Per-arm true open rates by variant id or label ("Control", "B", …); others get the default. */
  openRates: Record<string, number>;
  /** Per-arm true conversion rates per impression (each ≤ the arm's open rate). */
  conversionRates: Record<string, number>;
  /** Assignment weights by variant id or label; equal when absent. */
  weights: Record<string, number>;
}

export interface SimulationResult {
  simulation: {
    users: number;
    days: number;
    seed: string;
    impressions: number;
    events: { opened: number; conversion: number; rejected: number };
    arms: {
      variantId: string;
      label: string;
      /** Share of the assignment weight, 0–1. */
      weight: number;
      trueOpenRate: number;
      trueConversionRate: number;
      users: number;
    }[];
  };
  analysis: Analysis;
}

/**
 * Injects synthetic traffic into an experiment and analyses it. Users are assigned by a
 * stable hash of (seed, experiment, user) over the weights; impressions are spread over the
 * past `days`; opens and conversions follow the true rates. Every event carries a tracking
 * token signed like a real one and goes through the ingest verification and the consumer's
 * writer. Impression ids start with `sim_`, so the rows are counted apart from real traffic
 * (migration 0003): real statistics never move. A new simulation replaces the previous one.
 */
export async function simulateExperiment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: SimulateInput;
}): Promise<SimulationResult> {
  const issues = [
    ...(Number.isInteger(input.users) &&
    input.users >= SIMULATION_LIMITS.minUsers &&
    input.users <= SIMULATION_LIMITS.maxUsers
      ? []
      : [
          {
            path: "users",
            message: `must be an integer from ${SIMULATION_LIMITS.minUsers} to ${SIMULATION_LIMITS.maxUsers}`,
          },
        ]),
    ...(Number.isInteger(input.days) && input.days >= 1 && input.days <= SIMULATION_LIMITS.maxDays
      ? []
      : [{ path: "days", message: `must be an integer from 1 to ${SIMULATION_LIMITS.maxDays}` }]),
  ];
  if (issues.length > 0) throw BadRequestError.fromIssues(issues);
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  const arms = comparedArms(found.variants).filter((v) => v.status !== "retired");
  if (arms.length === 0) throw new ConflictError("the experiment has no arm to simulate");
  const labels = labelArms(arms);
  const resolve = (map: Record<string, number>, field: string) => resolveByArm(map, field, arms, labels);
  const openRates = resolve(input.openRates, "open_rates");
  const conversionRates = resolve(input.conversionRates, "conversion_rates");
  const weightsIn = resolve(input.weights, "weights");
  const plan = arms.map((v) => {
    const open = openRates.get(v.id) ?? DEFAULT_OPEN_RATE;
    const conversion = conversionRates.get(v.id) ?? 0;
    if (conversion > open) {
      throw new BadRequestError(
        `conversion_rates: ${labels.get(v.id)} converts more often than it is opened`,
        [{ path: `conversion_rates.${labels.get(v.id)}`, message: "must not exceed the open rate" }],
      );
    }
    return { variant: v, open, conversion, weight: weightsIn.get(v.id) ?? 1, users: 0 };
  });
  if (!(plan.reduce((s, p) => s + p.weight, 0) > 0)) {
    throw new BadRequestError("weights: at least one arm needs a positive weight", [
      { path: "weights", message: "all zero" },
    ]);
  }

  // Thousands of rows and an analysis: counted against the project's hourly analysis quota.
  await spendQuota(ctx, projectId, "analysis");
  await clearSimulation(ctx.db, projectId, e.id);
  const now = ctx.now();
  const rng = createRng(fnv1a32(`${input.seed}:${e.id}`));
  const span = input.days * DAY_MS;
  const hashSeed = `sim:${input.seed}:${e.id}:`;
  const weights = plan.map((p) => p.weight);
  const impressions: ImpressionMessage[] = [];
  const events: { type: "opened" | "conversion"; tracking_token: string; timestamp: number }[] = [];
  for (let i = 0; i < input.users; i++) {
    const userId = `sim-user-${i}`;
    const arm = plan[pickWeighted(weights, hashUnit(hashSeed, userId))];
    if (!arm) continue;
    arm.users++;
    // Served at a random moment in the window, never later than a minute ago.
    const createdAt = Math.floor(now - span + rng() * (span - 60_000));
    const impressionId = newTimeId("sim", createdAt);
    impressions.push({
      kind: "impression",
      id: impressionId,
      projectId,
      experimentId: e.id,
      variantId: arm.variant.id,
      userId,
      createdAt,
      allocation: null,
    });
    const token = signTrackingToken(ctx.config.trackingSecret, {
      projectId,
      experimentId: e.id,
      variantId: arm.variant.id,
      impressionId,
      issuedAt: createdAt,
    });
    if (rng() < arm.open) {
      // Opens come within hours of the send; conversions after the open.
      const openedAt = Math.min(now, createdAt + Math.floor(rng() * 6 * 3_600_000));
      events.push({ type: "opened", tracking_token: token, timestamp: openedAt });
      if (rng() < arm.conversion / arm.open) {
        const convertedAt = Math.min(now, openedAt + Math.floor(rng() * 3_600_000));
        events.push({ type: "conversion", tracking_token: token, timestamp: convertedAt });
      }
    }
  }

  for (let i = 0; i < impressions.length; i += WRITE_CHUNK) {
    await recordTrackingMessages({ ctx, input: impressions.slice(i, i + WRITE_CHUNK) });
  }
  let rejected = 0;
  const deliver = async (messages: EventsMessage[]) => {
    await recordTrackingMessages({ ctx, input: messages });
  };
  for (let i = 0; i < events.length; i += INGEST_CHUNK) {
    const result = await ingestEvents({ ctx, projectId, input: events.slice(i, i + INGEST_CHUNK), deliver });
    rejected += result.rejected.length;
  }
  if (rejected > 0)
    ctx.logger.error("simulated events were rejected by ingest", { rejected, experimentId: e.id });

  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const analysis = await analyzeExperimentNow({
    ctx,
    projectId,
    input: {
      experimentId: e.id,
      source: "simulation",
      // The split a simulation should show is its own weights, not the allocation history.
      srm:
        plan.length >= 2
          ? {
              observed: plan.map((p) => p.users),
              expected: plan.map((p) => (input.users * p.weight) / totalWeight),
            }
          : null,
    },
  });
  return {
    simulation: {
      users: input.users,
      days: input.days,
      seed: input.seed,
      impressions: impressions.length,
      events: {
        opened: events.filter((x) => x.type === "opened").length,
        conversion: events.filter((x) => x.type === "conversion").length,
        rejected,
      },
      arms: plan.map((p) => ({
        variantId: p.variant.id,
        label: labels.get(p.variant.id) ?? p.variant.id,
        weight: p.weight / totalWeight,
        trueOpenRate: p.open,
        trueConversionRate: p.conversion,
        users: p.users,
      })),
    },
    analysis,
  };
}

/** The labels analyses use: Control, then B, C … in pool order. */
function labelArms(arms: VariantRow[]): Map<string, string> {
  const out = new Map<string, string>();
  let n = 0;
  for (const v of arms) {
    const control = v.source === "control";
    out.set(v.id, armLabel(control ? 0 : ++n, control));
  }
  return out;
}

function resolveByArm(
  map: Record<string, number>,
  field: string,
  arms: VariantRow[],
  labels: Map<string, string>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of Object.entries(map)) {
    const arm = arms.find((v) => v.id === key || labels.get(v.id)?.toLowerCase() === key.toLowerCase());
    if (!arm) {
      throw new BadRequestError(`${field}: '${key}' is not an active arm of this experiment`, [
        { path: `${field}.${key}`, message: `use a variant id or one of ${[...labels.values()].join(", ")}` },
      ]);
    }
    out.set(arm.id, value);
  }
  return out;
}
