import { webEventsPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { keysetPage, readCursor } from "../../infra/cursor";
import { mustWebExperiment } from "./lib/lookup";

export const EXPORT_LIMIT = { min: 1, max: 1_000 } as const;

export interface WebEvent {
  type: "exposure" | "metric";
  segment: string | null;
  /** The metric's name for a metric event; null for an exposure. */
  metric: string | null;
  /** The SDK's anonymous id, known when the exposure was recorded through /v1/web/exposures. */
  anonymousId: string | null;
  at: number;
  properties: Record<string, string> | null;
}

/** Exposures and metric events of a web experiment, oldest first, a keyset page at a time. */
export async function exportWebEvents({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { key: string; limit: number; cursor?: string };
}): Promise<{ events: WebEvent[]; nextCursor: string | null }> {
  const row = await mustWebExperiment(ctx, projectId, input);
  const after = readCursor(
    input.cursor,
    ["number", "string"],
    ([at, id]) => Number.isSafeInteger(at) && id !== "",
  );
  const segmentOf = new Map(row.segments.map((s) => [s.variantId, s.key]));
  const page = await keysetPage(
    input.limit,
    EXPORT_LIMIT.max,
    (limit) =>
      webEventsPage(ctx.db, {
        projectId,
        experimentId: row.experimentId,
        variantIds: row.segments.map((s) => s.variantId),
        limit,
        after: after && { at: after[0], sortId: after[1] },
      }),
    (last) => [last.at, last.sortId],
  );
  return {
    events: page.rows.map((r) => ({
      type: r.kind,
      segment: segmentOf.get(r.variantId) ?? null,
      metric: r.kind === "exposure" ? null : metricName(r.type, row.primaryMetric),
      anonymousId: r.userId,
      at: r.at,
      properties: r.properties,
    })),
    nextCursor: page.nextCursor,
  };
}

function metricName(type: string | null, primary: string): string | null {
  if (type === "conversion") return primary;
  if (type?.startsWith("m:")) return type.slice(2);
  return type;
}
