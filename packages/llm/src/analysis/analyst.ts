import { type Schema, Type } from "@google/genai/web";
import { isLlmError } from "../errors";
import { createGeminiJsonCaller, type GeminiOptions, parseModelJson } from "../gemini";
import { templateReport } from "./offline";
import { type AnalysisReport, expectedRecommendation, finishReport, validateReport } from "./report";
import type { AnalysisSnapshot } from "./snapshot";

export interface AnalysisResult {
  report: AnalysisReport;
  /** Who wrote the narrative that is served. */
  provider: "offline" | "gemini";
  /** Why an LLM answer was not used (null when it was, or when no LLM is configured). */
  fallbackReason: string | null;
}

/** Writes the narrative of an analysis; never throws for an LLM failure. */
export interface Analyst {
  readonly name: "offline" | "gemini";
  analyze(snapshot: AnalysisSnapshot, options?: { signal?: AbortSignal }): Promise<AnalysisResult>;
}

export function createOfflineAnalyst(): Analyst {
  return {
    name: "offline",
    async analyze(snapshot) {
      return {
        report: finishReport(templateReport(snapshot), snapshot),
        provider: "offline",
        fallbackReason: null,
      };
    },
  };
}

const PLOT_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: {
    type: { type: Type.STRING, enum: ["bar", "line", "pie"] },
    title: { type: Type.STRING },
    labels: { type: Type.ARRAY, items: { type: Type.STRING } },
    datasets: {
      type: Type.ARRAY,
      items: {
        type: Type.OBJECT,
        properties: {
          label: { type: Type.STRING },
          data: { type: Type.ARRAY, items: { type: Type.NUMBER } },
        },
        required: ["label", "data"],
      },
    },
  },
  required: ["type", "title", "labels", "datasets"],
};

const REPORT_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: {
    summary: { type: Type.STRING },
    insights: { type: Type.ARRAY, items: { type: Type.STRING } },
    winner_recommendation: {
      type: Type.OBJECT,
      properties: {
        action: { type: Type.STRING, enum: ["promote", "keep_testing", "stop", "investigate_srm"] },
        variant_id: { type: Type.STRING, nullable: true },
        rationale: { type: Type.STRING },
      },
      required: ["action", "variant_id", "rationale"],
    },
    plots: { type: Type.ARRAY, items: PLOT_SCHEMA },
  },
  required: ["summary", "insights", "winner_recommendation", "plots"],
};

/** The analysis prompt; the marker line lets test stubs tell it from a generation prompt. */
export function buildAnalysisPrompt(snapshot: AnalysisSnapshot): string {
  const rec = expectedRecommendation(snapshot);
  return [
    "PUSHBUNNY ANALYSIS v1",
    "You are the analyst of a push-notification A/B test. The statistics below were computed by code and are final.",
    "Write for a marketer: plain words, short sentences.",
    "Rules:",
    "- Use ONLY numbers that appear in the snapshot (you may show a rate or probability as a percentage, rounded). Never compute new numbers (no differences, sums or ratios of your own).",
    "- Refer to arms by their label (Control, B, C, …).",
    `- The decision is "${snapshot.decision.status}". winner_recommendation must be action "${rec.action}" with variant_id ${rec.variant_id ? `"${rec.variant_id}"` : "null"}.`,
    snapshot.flags.length > 0
      ? `- The summary must say plainly: ${snapshot.flags.map((f) => f.replace(/_/g, " ")).join(", ")}.`
      : "- State the result and how sure it is.",
    "- insights: 2 to 6 short observations. plots: 1 to 4 Chart.js series (bar, line or pie) whose labels are arm labels or days from the snapshot and whose data are snapshot numbers.",
    "Snapshot (JSON):",
    "<<<SNAPSHOT",
    JSON.stringify(snapshot),
    "SNAPSHOT>>>",
  ].join("\n");
}

/**
 * Gemini writes the narrative; code validates it against the snapshot. Any failure (network,
 * quota, malformed JSON, an invented number, a recommendation that contradicts the decision)
 * falls back to the template, with the reason kept.
 */
export function createGeminiAnalyst(opts: GeminiOptions): Analyst {
  const callJson = createGeminiJsonCaller(opts);
  return {
    name: "gemini",
    async analyze(snapshot, options) {
      let reason: string;
      try {
        const text = await callJson({
          prompt: buildAnalysisPrompt(snapshot),
          schema: REPORT_SCHEMA,
          temperature: 0.2,
          ...(options?.signal ? { signal: options.signal } : {}),
        });
        const outcome = validateReport(parseModelJson(text), snapshot);
        if (outcome.ok) return { report: outcome.report, provider: "gemini", fallbackReason: null };
        reason = `rejected: ${outcome.problems.join("; ")}`;
      } catch (err) {
        reason = isLlmError(err) ? `${err.kind}: ${err.message}` : `error: ${String(err)}`;
      }
      return {
        report: finishReport(templateReport(snapshot), snapshot),
        provider: "offline",
        fallbackReason: reason.slice(0, 1000),
      };
    },
  };
}
