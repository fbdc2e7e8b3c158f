import type { AnalysisRow, AnalysisSource } from "@pushbunny/db";
import type { AnalysisReport, AnalysisSnapshot } from "@pushbunny/llm";

/**
 * A stored analysis. The snapshot and the report keep the snake_case of `@pushbunny/llm`: they
 * are what the LLM reads and writes, validated and stored as is.
 */
export interface Analysis {
  id: string;
  experimentId: string;
  source: AnalysisSource;
  provider: string;
  /** Why the LLM's answer was rejected and the template used instead. */
  fallbackReason: string | null;
  createdAt: number;
  decision: string;
  report: AnalysisReport;
  snapshot: AnalysisSnapshot;
}

/** The domain object of a stored row. */
export function analysisFromRow(row: AnalysisRow): Analysis {
  return {
    id: row.id,
    experimentId: row.experimentId,
    source: row.source,
    provider: row.provider,
    fallbackReason: row.fallbackReason,
    createdAt: row.createdAt,
    decision: row.decision,
    report: row.report as AnalysisReport,
    snapshot: row.snapshot as AnalysisSnapshot,
  };
}
