import { encodeCursor } from "@pushbunny/core";
import {
  countsFromAggregates,
  type ExperimentRow,
  listExperimentsForIntent,
  listExperimentsPage,
  listVariantsOf,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";

/** One copy with its counts, in the mobile SDKs' dashboard shape. */
export interface VariantSummary {
  variantId: string;
  experimentId: string;
  intentId: string;
  locale: string;
  message: string;
  source: string;
  status: string;
  sent: number;
  opens: number;
  conversions: number;
}

/** Experiments per page of GET /v1/variants (each carries a handful of variants). */
export const VARIANTS_PAGE = { default: 100, max: 200 } as const;

/** The copies of these experiments with all-time real counts; the holdout is no copy and is left out. */
async function summaries(
  ctx: AppContext,
  projectId: string,
  rows: ExperimentRow[],
): Promise<VariantSummary[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((e) => e.id);
  const [variants, counts] = await Promise.all([
    listVariantsOf(ctx.db, projectId, ids),
    countsFromAggregates(ctx.db, { projectId, experimentIds: ids }),
  ]);
  const countOf = new Map(counts.map((c) => [c.variantId, c]));
  const experimentOf = new Map(rows.map((e) => [e.id, e]));
  // Experiments in the page's order, then each one's variants oldest first (the control leads).
  const order = new Map(ids.map((id, i) => [id, i]));
  return variants
    .filter((v) => v.source !== "holdout")
    .sort(
      (a, b) =>
        (order.get(a.experimentId) ?? 0) - (order.get(b.experimentId) ?? 0) || a.createdAt - b.createdAt,
    )
    .map((v) => {
      const e = experimentOf.get(v.experimentId);
      const c = countOf.get(v.id);
      return {
        variantId: v.id,
        experimentId: v.experimentId,
        intentId: e?.intentId ?? "",
        locale: e?.locale ?? "",
        message: v.text,
        source: v.source,
        status: v.status,
        sent: c?.impressions ?? 0,
        opens: c?.opens ?? 0,
        conversions: c?.conversions ?? 0,
      };
    });
}

/** Locales (experiments) GET /v1/variants/{intent_id} reads: more than any app ships. */
export const INTENT_LOCALES_MAX = 200;

/** GET /v1/variants/{intent_id}: the copies of one intent's first 200 locales; [] for an unknown intent. */
export async function listIntentVariants({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { intentId: string };
}): Promise<VariantSummary[]> {
  return summaries(
    ctx,
    projectId,
    await listExperimentsForIntent(ctx.db, projectId, input.intentId, undefined, INTENT_LOCALES_MAX),
  );
}

/**
 * GET /v1/variants: copies grouped by intent, a page of experiments (newest first) at a time.
 * An intent's locales are separate experiments and may fall on two pages; the SDKs' dashboards
 * read one page, which holds the newest intents.
 */
export async function listAllVariants({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ byIntent: Map<string, VariantSummary[]>; nextCursor: string | null }> {
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => id.startsWith("exp_"));
  const rows = await listExperimentsPage(ctx.db, projectId, {
    limit: input.limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const byIntent = new Map<string, VariantSummary[]>();
  for (const v of await summaries(ctx, projectId, page)) {
    const list = byIntent.get(v.intentId) ?? [];
    list.push(v);
    byIntent.set(v.intentId, list);
  }
  return {
    byIntent,
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
