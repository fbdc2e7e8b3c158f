import { newId, normalizeText } from "@pushbunny/core";
import {
  applyExperimentChange,
  type ExperimentRow,
  type ExperimentWithVariants,
  experimentTotals,
  findExperiment,
  GOAL_METRICS,
  type GoalMetric,
  type HistoryAction,
  type HistoryEntry,
  type HistoryRow,
  listExperimentsPage,
  listHistory,
  type NewVariantRow,
  ON_WINNER,
  type OnWinner,
  STRATEGIES,
  type Strategy,
  type VariantRow,
  variantCounts,
} from "@pushbunny/db";
import { MAX_VARIANT_LENGTH, normalizeForCompare } from "@pushbunny/llm";
import type { AppContext } from "../context";
import { BadRequestError, ConflictError, type ErrorIssue, NotFoundError } from "../errors";
import type { GenerateJob } from "../queue/messages";
import { publishPool, servingArms } from "./pool";

/** An experiment never grows past this many variants (control, holdout and retired ones included). */
export const MAX_VARIANTS = 24;

/**
 * One rule for "this copy is already in the experiment", shared by hand-added variants and
 * applied iteration proposals. It folds more than the unique index's `normalized` column
 * (quotes, trailing punctuation), so passing it also keeps the insert clear of that index.
 */
export function readsTheSame(a: string, b: string): boolean {
  return normalizeForCompare(a) === normalizeForCompare(b);
}

/** A variant row for new copy, written by a person (`manual`) or the LLM. */
export function newVariantRow(input: {
  projectId: string;
  experimentId: string;
  text: string;
  source: "manual" | "llm";
  now: number;
}): NewVariantRow & { id: string } {
  return {
    id: newId("var"),
    projectId: input.projectId,
    experimentId: input.experimentId,
    text: input.text,
    normalized: normalizeText(input.text),
    source: input.source,
    createdAt: input.now,
    updatedAt: input.now,
  };
}

export interface ExperimentSettings {
  strategy?: Strategy;
  goalMetric?: GoalMetric;
  holdoutShare?: number;
  minSample?: number;
  trafficFloor?: number;
  retireBelow?: number;
  onWinner?: OnWinner;
  challengerCount?: number;
}

/** Bounds of each numeric setting; the HTTP schema and the verb both enforce them. */
export const SETTING_LIMITS = {
  holdoutShare: { min: 0, max: 0.5, integer: false },
  minSample: { min: 10, max: 1_000_000, integer: true },
  trafficFloor: { min: 0, max: 0.2, integer: false },
  retireBelow: { min: 0, max: 0.2, integer: false },
  challengerCount: { min: 0, max: 10, integer: true },
} as const;

const ENUM_SETTINGS = {
  strategy: STRATEGIES,
  goalMetric: GOAL_METRICS,
  onWinner: ON_WINNER,
} as const;

/**
 * Re-checks settings (queues and crons call verbs too): each value in range, and a traffic
 * floor the arms can all receive (floor × arms < 1; at 1 the floors alone take all traffic).
 */
export function validateSettings(settings: ExperimentSettings, armCount: number): void {
  const issues: ErrorIssue[] = [];
  for (const [key, limit] of Object.entries(SETTING_LIMITS) as [
    keyof typeof SETTING_LIMITS,
    (typeof SETTING_LIMITS)[keyof typeof SETTING_LIMITS],
  ][]) {
    const value = settings[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < limit.min || value > limit.max) {
      issues.push({ path: SETTING_COLUMNS[key], message: `must be between ${limit.min} and ${limit.max}` });
    } else if (limit.integer && !Number.isInteger(value)) {
      issues.push({ path: SETTING_COLUMNS[key], message: "must be an integer" });
    }
  }
  for (const [key, allowed] of Object.entries(ENUM_SETTINGS) as [
    keyof typeof ENUM_SETTINGS,
    readonly string[],
  ][]) {
    const value = settings[key];
    if (value !== undefined && !allowed.includes(value)) {
      issues.push({ path: SETTING_COLUMNS[key], message: `must be one of ${allowed.join(", ")}` });
    }
  }
  const floor = settings.trafficFloor;
  if (issues.length === 0 && floor !== undefined && armCount > 1 && floor * armCount >= 1) {
    issues.push({
      path: "traffic_floor",
      message: `${floor} × ${armCount} arms leaves no traffic to allocate; use less than ${(1 / armCount).toFixed(4)}`,
    });
  }
  if (issues.length > 0) {
    throw new BadRequestError(issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
  }
}

/** Who made a change: `api_key:<prefix>` for API calls, `loop` for the optimisation loop. */
export type Actor = string;

export function summarize(
  e: ExperimentRow,
  totals?: { impressions: number; opens: number; conversions: number },
  counts?: { total: number; active: number },
) {
  return {
    experiment_id: e.id,
    intent_id: e.intentId,
    locale: e.locale,
    status: e.status,
    strategy: e.strategy,
    goal_metric: e.goalMetric,
    holdout_share: e.holdoutShare,
    min_sample: e.minSample,
    traffic_floor: e.trafficFloor,
    retire_below: e.retireBelow,
    on_winner: e.onWinner,
    challenger_count: e.challengerCount,
    winner_variant_id: e.winnerVariantId,
    generation_status: e.generationStatus,
    generation_error: e.generationError,
    decision: e.decision
      ? { status: e.decision.status, variant_id: e.decision.variantId, reason: e.decision.reason }
      : null,
    variants_active: counts?.active ?? 0,
    variants_total: counts?.total ?? 0,
    impressions: totals?.impressions ?? 0,
    opens: totals?.opens ?? 0,
    conversions: totals?.conversions ?? 0,
    created_at: new Date(e.createdAt).toISOString(),
    updated_at: new Date(e.updatedAt).toISOString(),
    analyzed_at: e.analyzedAt === null ? null : new Date(e.analyzedAt).toISOString(),
  };
}

export type ExperimentSummary = ReturnType<typeof summarize>;

// URL-safe base64 without padding: clients paste the cursor into a query string as is.
const cursorOf = (e: ExperimentRow) =>
  btoa(`${e.createdAt}:${e.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
function parseCursor(cursor: string): { createdAt: number; id: string } {
  let decoded = "";
  try {
    decoded = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    // fall through to the error below
  }
  const m = /^(\d{1,16}):(exp_[0-9a-z]{1,64})$/.exec(decoded);
  if (!m)
    throw new BadRequestError("cursor is not one this API returned", [
      { path: "cursor", message: "invalid" },
    ]);
  return { createdAt: Number(m[1]), id: m[2] as string };
}

/** A page of the project's experiments with all-time counts, newest first. */
export async function listExperiments({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: {
    status?: "running" | "paused";
    strategy?: Strategy;
    intentId?: string;
    limit: number;
    cursor?: string;
  };
}) {
  const rows = await listExperimentsPage(ctx.db, projectId, {
    status: input.status,
    strategy: input.strategy,
    intentId: input.intentId,
    limit: input.limit + 1,
    after: input.cursor ? parseCursor(input.cursor) : undefined,
  });
  const page = rows.slice(0, input.limit);
  const ids = page.map((e) => e.id);
  const [totals, counts] = await Promise.all([
    experimentTotals(ctx.db, projectId, ids),
    variantCounts(ctx.db, projectId, ids),
  ]);
  const totalsOf = new Map(totals.map((t) => [t.experimentId, t]));
  const countsOf = new Map(counts.map((c) => [c.experimentId, c]));
  const last = page.at(-1);
  return {
    experiments: page.map((e) => summarize(e, totalsOf.get(e.id), countsOf.get(e.id))),
    next_cursor: rows.length > input.limit && last ? cursorOf(last) : null,
  };
}

export async function mustFind(
  ctx: AppContext,
  projectId: string,
  experimentId: string,
): Promise<ExperimentWithVariants> {
  const found = await findExperiment(ctx.db, projectId, experimentId);
  if (!found) throw new NotFoundError(`experiment '${experimentId}' not found`);
  return found;
}

export function describeVariant(v: VariantRow) {
  return {
    variant_id: v.id,
    text: v.text,
    source: v.source,
    status: v.status,
    created_at: new Date(v.createdAt).toISOString(),
  };
}

export function describeHistory(h: HistoryRow) {
  return {
    at: new Date(h.at).toISOString(),
    actor: h.actor,
    action: h.action,
    reason: h.reason,
    detail: h.detail,
  };
}

/** One experiment with its variants and history (newest first). */
export async function getExperiment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experimentId: string };
}) {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const [totals, counts, history] = await Promise.all([
    experimentTotals(ctx.db, projectId, [found.experiment.id]),
    variantCounts(ctx.db, projectId, [found.experiment.id]),
    listHistory(ctx.db, projectId, found.experiment.id),
  ]);
  return {
    ...summarize(found.experiment, totals[0], counts[0]),
    base_example: found.experiment.baseExample,
    variants: found.variants.map(describeVariant),
    history: history.map(describeHistory),
  };
}

function entry(
  ctx: AppContext,
  e: ExperimentRow,
  actor: Actor,
  action: HistoryAction,
  reason: string | null,
  detail: Record<string, unknown> | null,
): HistoryEntry {
  return {
    id: newId("hst"),
    projectId: e.projectId,
    experimentId: e.id,
    at: ctx.now(),
    actor,
    action,
    reason,
    detail,
  };
}

const SETTING_COLUMNS: Record<keyof ExperimentSettings, string> = {
  strategy: "strategy",
  goalMetric: "goal_metric",
  holdoutShare: "holdout_share",
  minSample: "min_sample",
  trafficFloor: "traffic_floor",
  retireBelow: "retire_below",
  onWinner: "on_winner",
  challengerCount: "challenger_count",
};

/** Changes settings; the first holdout share above zero creates the holdout group. */
export async function updateExperiment({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; settings: ExperimentSettings; reason?: string };
}) {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  validateSettings(
    input.settings,
    servingArms({ ...e, status: "running", winnerVariantId: null }, found.variants).length,
  );
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, value] of Object.entries(input.settings) as [keyof ExperimentSettings, unknown][]) {
    if (value === undefined || e[key] === value) continue;
    changed[SETTING_COLUMNS[key]] = { from: e[key], to: value };
  }
  if (Object.keys(changed).length > 0) {
    const holdout = found.variants.find((v) => v.source === "holdout");
    const control = found.variants.find((v) => v.source === "control");
    const now = ctx.now();
    const newVariants =
      (input.settings.holdoutShare ?? 0) > 0 && !holdout && control
        ? [
            {
              id: newId("var"),
              projectId,
              experimentId: e.id,
              text: control.text,
              normalized: control.normalized,
              source: "holdout" as const,
              status: "active" as const,
              createdAt: now,
              updatedAt: now,
            },
          ]
        : [];
    await applyExperimentChange(ctx.db, {
      projectId,
      experimentId: e.id,
      set: input.settings,
      newVariants,
      history: [entry(ctx, e, actor, "settings_changed", input.reason ?? null, changed)],
      now,
    });
  }
  return republish(ctx, projectId, e.id);
}

/** Pause (everyone gets the control) or resume. */
export async function setExperimentStatus({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; status: "running" | "paused"; reason?: string };
}) {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  if (e.status !== input.status) {
    await applyExperimentChange(ctx.db, {
      projectId,
      experimentId: e.id,
      set: { status: input.status },
      history: [
        entry(ctx, e, actor, input.status === "paused" ? "paused" : "resumed", input.reason ?? null, null),
      ],
      now: ctx.now(),
    });
  }
  return republish(ctx, projectId, e.id);
}

/** Adds a hand-written variant to the rotation. */
export async function addManualVariant({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; text: string; reason?: string };
}) {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  const text = input.text.trim();
  if (text === "") throw new BadRequestError("text must not be empty", [{ path: "text", message: "empty" }]);
  if ([...text].length > MAX_VARIANT_LENGTH) {
    throw new BadRequestError(`text: at most ${MAX_VARIANT_LENGTH} characters`, [
      { path: "text", message: "too long" },
    ]);
  }
  if (found.variants.length >= MAX_VARIANTS) {
    throw new ConflictError(
      `an experiment holds at most ${MAX_VARIANTS} variants; retire is not enough, start a new intent`,
    );
  }
  const same = found.variants.find((v) => v.source !== "holdout" && readsTheSame(v.text, text));
  if (same) throw new ConflictError(`variant '${same.id}' already reads the same (${same.status})`);
  const now = ctx.now();
  const row = newVariantRow({ projectId, experimentId: e.id, text, source: "manual", now });
  const id = row.id;
  await applyExperimentChange(ctx.db, {
    projectId,
    experimentId: e.id,
    newVariants: [row],
    history: [entry(ctx, e, actor, "variant_added", input.reason ?? null, { variant_id: id, text })],
    now,
  });
  const after = await mustFind(ctx, projectId, e.id);
  const added = after.variants.find((v) => v.id === id);
  if (!added) throw new ConflictError("a variant with the same text was added concurrently");
  await publishPool(ctx, after);
  return describeVariant(added);
}

function mustVariant(found: ExperimentWithVariants, variantId: string): VariantRow {
  const v = found.variants.find((x) => x.id === variantId && x.source !== "holdout");
  if (!v) throw new NotFoundError(`variant '${variantId}' not found in experiment '${found.experiment.id}'`);
  return v;
}

/** Takes a variant out of rotation for good (its counts stay in the statistics). */
export async function retireVariant({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; variantId: string; reason?: string };
}) {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const v = mustVariant(found, input.variantId);
  if (v.source === "control") {
    throw new ConflictError(
      "the control cannot be retired: it is the baseline; pause the experiment instead",
    );
  }
  if (v.status === "retired") throw new ConflictError(`variant '${v.id}' is already retired`);
  const e = found.experiment;
  await applyExperimentChange(ctx.db, {
    projectId,
    experimentId: e.id,
    set: e.winnerVariantId === v.id ? { winnerVariantId: null } : {},
    variantStatus: [{ id: v.id, status: "retired" }],
    history: [
      entry(ctx, e, actor, "variant_retired", input.reason ?? null, { variant_id: v.id, text: v.text }),
    ],
    now: ctx.now(),
  });
  return republish(ctx, projectId, e.id);
}

/** Declares a winner: it serves everyone but the holdout until the winner is cleared. */
export async function declareWinner({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; variantId: string; reason?: string; detail?: Record<string, unknown> };
}) {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const v = mustVariant(found, input.variantId);
  if (v.status === "retired")
    throw new ConflictError(`variant '${v.id}' is retired: a retired arm cannot win`);
  const e = found.experiment;
  if (e.winnerVariantId !== v.id) {
    const previous = e.winnerVariantId;
    await applyExperimentChange(ctx.db, {
      projectId,
      experimentId: e.id,
      set: { winnerVariantId: v.id },
      variantStatus: [
        ...(previous ? [{ id: previous, status: "active" as const }] : []),
        { id: v.id, status: "winner" },
      ],
      history: [
        entry(ctx, e, actor, "winner_promoted", input.reason ?? null, {
          variant_id: v.id,
          text: v.text,
          ...input.detail,
        }),
      ],
      now: ctx.now(),
    });
  }
  return republish(ctx, projectId, e.id);
}

/** Clears a declared winner: every active arm is tested again. */
export async function clearWinner({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; reason?: string };
}) {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  if (e.winnerVariantId) {
    await applyExperimentChange(ctx.db, {
      projectId,
      experimentId: e.id,
      set: { winnerVariantId: null },
      variantStatus: [{ id: e.winnerVariantId, status: "active" }],
      history: [
        entry(ctx, e, actor, "winner_cleared", input.reason ?? "winner cleared, testing again", {
          winner_cleared: e.winnerVariantId,
        }),
      ],
      now: ctx.now(),
    });
  }
  return republish(ctx, projectId, e.id);
}

/** Asks for new challengers (topping the pool up to the challenger count). */
export async function requestChallengers(
  ctx: AppContext,
  e: ExperimentRow,
  actor: Actor,
  reason: string,
): Promise<void> {
  const now = ctx.now();
  await applyExperimentChange(ctx.db, {
    projectId: e.projectId,
    experimentId: e.id,
    set: {
      generationStatus: "pending",
      generationError: null,
      generationAttempts: 0,
      generationRequestedAt: now,
    },
    history: [entry(ctx, e, actor, "challengers_requested", reason, null)],
    now,
  });
  const job: GenerateJob = { kind: "generate", projectId: e.projectId, experimentId: e.id };
  await ctx.queues.jobs.send(job);
}

export { entry as historyEntry };

async function republish(ctx: AppContext, projectId: string, experimentId: string) {
  const found = await mustFind(ctx, projectId, experimentId);
  await publishPool(ctx, found);
  return getExperiment({ ctx, projectId, input: { experimentId } });
}
