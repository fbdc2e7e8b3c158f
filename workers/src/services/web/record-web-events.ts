import type { AppContext } from "../../context";
import { type EventTypeMapper, type IngestResult, ingestEvents } from "../events/ingest-events";
import { loadRuntimeConfig } from "./runtime-config";

/**
 * Records web experiment metrics against the exposures their tracking tokens stand for. The
 * token must be ours, of this project and of an active web experiment that tracks the event:
 * the primary metric is stored as a `conversion` (what the engine's statistics count), a
 * secondary one as `m:<name>`. Verification and queueing are /v1/events' own.
 */
export async function recordWebEvents({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: readonly unknown[];
}): Promise<IngestResult> {
  const config = await loadRuntimeConfig(ctx, projectId);
  const byExperimentId = new Map(config.experiments.map((e) => [e.experimentId, e]));
  const mapType: EventTypeMapper = (event, claims) => {
    const name = event.event;
    if (typeof name !== "string" || name === "") return { reason: "event must be a metric name" };
    const experiment = byExperimentId.get(claims.experimentId);
    if (!experiment) return { reason: "tracking_token is not of an active web experiment" };
    if (name === experiment.primaryMetric) return { type: "conversion" };
    if (experiment.secondaryMetrics.includes(name)) return { type: `m:${name}` };
    return { reason: `web experiment '${experiment.key}' does not track '${name.slice(0, 64)}'` };
  };
  return ingestEvents({ ctx, projectId, input, mapType });
}
