import { createEmailCopyWriter, type EmailCopyWriter } from "@pushbunny/llm";
import type { AppContext } from "../../../context";

// Per isolate, like the analyst in build-context: the Gemini client is built once per env.
const writers = new WeakMap<object, EmailCopyWriter>();

/** Gemini's email copy writer when GEMINI_API_KEY is set, else the offline writer. */
export function emailCopyWriter(ctx: AppContext): EmailCopyWriter {
  let writer = writers.get(ctx.env);
  if (!writer) {
    writer = createEmailCopyWriter({
      geminiApiKey: ctx.config.gemini.apiKey,
      geminiModel: ctx.config.gemini.model,
      geminiBaseUrl: ctx.config.gemini.baseUrl,
      timeoutMs: ctx.config.llmTimeoutMs,
    });
    writers.set(ctx.env, writer);
  }
  return writer;
}
