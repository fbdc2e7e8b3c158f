import {
  type AdInsightWriter,
  createGeminiAdInsightWriter,
  createOfflineAdInsightWriter,
} from "./ad-insights/writer";
import { type Analyst, createGeminiAnalyst, createOfflineAnalyst } from "./analysis/analyst";
import { createGeminiProvider, DEFAULT_GEMINI_MODEL } from "./gemini";
import { createOfflineProvider } from "./offline";
import type { VariantProvider } from "./types";

export { isLlmError, LlmError, type LlmErrorKind } from "./errors";
export { createGeminiProvider, type GeminiOptions } from "./gemini";
export { createOfflineProvider } from "./offline";
export type { GenerateInput, VariantProvider } from "./types";
export {
  MAX_VARIANT_LENGTH,
  normalizeForCompare,
  type ValidationResult,
  validateCandidates,
} from "./validate";

/** What the worker knows from its environment; everything optional, so no key means offline. */
export interface ProviderConfig {
  geminiApiKey?: string;
  geminiModel?: string;
  geminiBaseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Gemini when an API key is set, else the offline generator (the default). */
export function createProvider(config: ProviderConfig): VariantProvider {
  const apiKey = config.geminiApiKey?.trim();
  if (!apiKey) return createOfflineProvider();
  return createGeminiProvider({
    apiKey,
    model: config.geminiModel?.trim() || DEFAULT_GEMINI_MODEL,
    ...(config.geminiBaseUrl?.trim() ? { baseUrl: config.geminiBaseUrl.trim() } : {}),
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
}

export {
  type AnalysisResult,
  type Analyst,
  buildAnalysisPrompt,
  createGeminiAnalyst,
  createOfflineAnalyst,
} from "./analysis/analyst";
export { templateReport } from "./analysis/offline";
export {
  type AnalysisReport,
  type ChartSpec,
  DraftReport,
  expectedRecommendation,
  finishReport,
  numbersIn,
  type RecommendationAction,
  snapshotNumbers,
  validateReport,
} from "./analysis/report";
export {
  type AnalysisFlag,
  type AnalysisSnapshot,
  armLabel,
  type DecisionStatus,
  flagsFor,
  type SnapshotArm,
} from "./analysis/snapshot";

/** Gemini's analyst when an API key is set, else the template (the default). */
export function createAnalyst(config: ProviderConfig): Analyst {
  const apiKey = config.geminiApiKey?.trim();
  if (!apiKey) return createOfflineAnalyst();
  return createGeminiAnalyst({
    apiKey,
    model: config.geminiModel?.trim() || DEFAULT_GEMINI_MODEL,
    ...(config.geminiBaseUrl?.trim() ? { baseUrl: config.geminiBaseUrl.trim() } : {}),
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
}

export {
  AdInsightDraft,
  type AdInsightReport,
  adSnapshotNumbers,
  validateAdInsight,
} from "./ad-insights/report";
export {
  AD_ALERT_KINDS as AD_INSIGHT_ALERT_KINDS,
  type AdCandidate,
  type AdEntityStats,
  type AdInsightSnapshot,
  type AdSnapshotAlert,
  type AdWindowStats,
} from "./ad-insights/snapshot";
export { templateAdInsight } from "./ad-insights/template";
export {
  type AdInsightResult,
  type AdInsightWriter,
  buildAdInsightPrompt,
  createGeminiAdInsightWriter,
  createOfflineAdInsightWriter,
} from "./ad-insights/writer";

/** Gemini's ad-insight writer when an API key is set, else the template. */
export function createAdInsightWriter(config: ProviderConfig): AdInsightWriter {
  const apiKey = config.geminiApiKey?.trim();
  if (!apiKey) return createOfflineAdInsightWriter();
  return createGeminiAdInsightWriter({
    apiKey,
    model: config.geminiModel?.trim() || DEFAULT_GEMINI_MODEL,
    ...(config.geminiBaseUrl?.trim() ? { baseUrl: config.geminiBaseUrl.trim() } : {}),
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
}

export * from "./agent";
export * from "./email-copy";

import {
  createGeminiEmailCopyWriter,
  createOfflineEmailCopyWriter,
  type EmailCopyWriter,
} from "./email-copy";

/** Gemini's email copy writer when an API key is set, else the offline writer. */
export function createEmailCopyWriter(config: ProviderConfig): EmailCopyWriter {
  const apiKey = config.geminiApiKey?.trim();
  if (!apiKey) return createOfflineEmailCopyWriter();
  return createGeminiEmailCopyWriter({
    apiKey,
    model: config.geminiModel?.trim() || DEFAULT_GEMINI_MODEL,
    ...(config.geminiBaseUrl?.trim() ? { baseUrl: config.geminiBaseUrl.trim() } : {}),
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
}
