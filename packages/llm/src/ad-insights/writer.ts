import { type Schema, Type } from "@google/genai/web";
import { isLlmError } from "../errors";
import { createGeminiJsonCaller, type GeminiOptions, parseModelJson } from "../gemini";
import { type AdInsightReport, validateAdInsight } from "./report";
import type { AdInsightSnapshot } from "./snapshot";
import { templateAdInsight } from "./template";

export interface AdInsightResult {
  report: AdInsightReport;
  /** Who wrote the narrative that is served. */
  provider: "offline" | "gemini";
  /** Why a model's answer was not used (null when it was, or when no model is configured). */
  fallbackReason: string | null;
}

/** Narrates an ad snapshot; never throws for a model's failure (the template stands in). */
export interface AdInsightWriter {
  readonly name: "offline" | "gemini";
  write(snapshot: AdInsightSnapshot, options?: { signal?: AbortSignal }): Promise<AdInsightResult>;
}

export function createOfflineAdInsightWriter(): AdInsightWriter {
  return {
    name: "offline",
    async write(snapshot) {
      return { report: templateAdInsight(snapshot), provider: "offline", fallbackReason: null };
    },
  };
}

const DRAFT_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: {
    summary: { type: Type.STRING },
    insights: { type: Type.ARRAY, items: { type: Type.STRING } },
    recommendations: {
      type: Type.ARRAY,
      items: {
        type: Type.OBJECT,
        properties: {
          action: { type: Type.STRING, enum: ["scale", "cut"] },
          channel: { type: Type.STRING },
          campaign_id: { type: Type.STRING },
          rationale: { type: Type.STRING },
        },
        required: ["action", "channel", "campaign_id", "rationale"],
      },
    },
  },
  required: ["summary", "insights", "recommendations"],
};

/** The prompt; its first line lets test stubs tell it from the other prompts. */
export function buildAdInsightPrompt(snapshot: AdInsightSnapshot): string {
  return [
    "PUSHBUNNY AD INSIGHT v1",
    "You advise a marketer on ad spend across channels. The numbers below were computed by code and are final.",
    "Rules:",
    "- Use ONLY numbers that appear in the snapshot (a ratio or change may be shown as a rounded percentage). Never compute new numbers.",
    "- recommendations: only campaigns listed in `candidates`, with the same action (scale or cut), at most 5; say why in one or two sentences.",
    "- summary: two or three sentences on what changed and what to do. insights: 2 to 6 short observations.",
    "Snapshot (JSON):",
    "<<<SNAPSHOT",
    JSON.stringify(snapshot),
    "SNAPSHOT>>>",
  ].join("\n");
}

/**
 * Gemini writes the narrative, code validates it against the snapshot; any failure (network,
 * quota, malformed JSON, an invented number, an unlisted campaign) serves the template, with
 * the reason kept.
 */
export function createGeminiAdInsightWriter(opts: GeminiOptions): AdInsightWriter {
  const callJson = createGeminiJsonCaller(opts);
  return {
    name: "gemini",
    async write(snapshot, options) {
      let reason: string;
      try {
        const text = await callJson({
          prompt: buildAdInsightPrompt(snapshot),
          schema: DRAFT_SCHEMA,
          temperature: 0.2,
          ...(options?.signal ? { signal: options.signal } : {}),
        });
        const outcome = validateAdInsight(parseModelJson(text), snapshot);
        if (outcome.ok) return { report: outcome.report, provider: "gemini", fallbackReason: null };
        reason = `rejected: ${outcome.problems.join("; ")}`;
      } catch (err) {
        reason = isLlmError(err) ? `${err.kind}: ${err.message}` : `error: ${String(err)}`;
      }
      return {
        report: templateAdInsight(snapshot),
        provider: "offline",
        fallbackReason: reason.slice(0, 1000),
      };
    },
  };
}
