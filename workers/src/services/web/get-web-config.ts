import type { AppContext } from "../../context";
import { loadRuntimeConfig, REFRESH_SECONDS } from "./runtime-config";

export interface WebConfigView {
  experiments: { key: string; segments: { key: string; trafficPercent: number }[]; metrics: string[] }[];
  refreshSeconds: number;
}

/**
 * What the browser SDK needs to assign segments offline: the active experiments, their
 * segments' traffic and the metrics each tracks (primary first). Served from isolate memory or
 * KV; D1 only when neither holds the project's config.
 */
export async function getWebConfig({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<WebConfigView> {
  const config = await loadRuntimeConfig(ctx, projectId);
  return {
    experiments: config.experiments.map((e) => ({
      key: e.key,
      segments: e.segments.map((s) => ({ key: s.key, trafficPercent: s.trafficPercent })),
      metrics: [e.primaryMetric, ...e.secondaryMetrics],
    })),
    refreshSeconds: REFRESH_SECONDS,
  };
}
