import { type AdInsightWriter, createAdInsightWriter } from "@pushbunny/llm";
import type { AppContext } from "../../../context";

// Per isolate, like the analyst in build-context: the Gemini client is built once per env.
const writers = new WeakMap<object, AdInsightWriter>();

/** Gemini's ad-insight writer when GEMINI_API_KEY is set, else the template. */
export function adInsightWriter(ctx: AppContext): AdInsightWriter {
  let writer = writers.get(ctx.env);
  if (!writer) {
    writer = createAdInsightWriter({
      geminiApiKey: ctx.config.gemini.apiKey,
      geminiModel: ctx.config.gemini.model,
      geminiBaseUrl: ctx.config.gemini.baseUrl,
      timeoutMs: ctx.config.llmTimeoutMs,
    });
    writers.set(ctx.env, writer);
  }
  return writer;
}
