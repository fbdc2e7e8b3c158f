// The web build is what wrangler bundles for workerd (it resolves the "browser" export condition);
// importing it by name makes the Node test run exercise the same code instead of the Node build,
// which pulls in google-auth-library, ws and fs.

import type { GenerateContentResponse, Schema } from "@google/genai/web";
import { ApiError, GoogleGenAI, Type } from "@google/genai/web";
import * as z from "zod";
import { isLlmError, LlmError } from "./errors";
import { buildPrompt } from "./prompt";
import {
  assertGenerateInput,
  type GenerateInput,
  type GenerateOptions,
  MAX_COUNT,
  type VariantProvider,
} from "./types";

export const DEFAULT_GEMINI_MODEL = "gemini-2.5-flash";
export const DEFAULT_TIMEOUT_MS = 15_000;

// A couple more than asked for, since validation usually drops one or two (duplicates, too long).
const SPARE_CANDIDATES = 2;
const TEMPERATURE = 0.9;

type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface GeminiOptions {
  apiKey: string;
  model: string;
  /** Defaults to https://generativelanguage.googleapis.com; the SDK appends /{apiVersion}/models/…. */
  baseUrl?: string;
  /** Wall-clock limit for one generate() call, response body included. */
  timeoutMs?: number;
  /** Used for every HTTP request (handed to the SDK as httpOptions.fetch). */
  fetch?: typeof fetch;
}

const RESPONSE_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: {
    variants: { type: Type.ARRAY, items: { type: Type.STRING } },
  },
  required: ["variants"],
};

const variantsPayload = z.object({ variants: z.array(z.unknown()) });

const errorBody = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.unknown()).optional(),
  }),
});
type ErrorBody = z.infer<typeof errorBody>["error"];

const retryInfo = z.object({ "@type": z.string().endsWith("google.rpc.RetryInfo"), retryDelay: z.string() });
const errorInfo = z.object({ "@type": z.string().endsWith("google.rpc.ErrorInfo"), reason: z.string() });

/** What the last HTTP response said, captured because the SDK's ApiError drops the headers. */
interface ResponseMeta {
  status: number;
  retryAfter: string | null;
}

/** Variant generation through the Gemini API (structured JSON output) via @google/genai. */
export function createGeminiProvider(opts: GeminiOptions): VariantProvider {
  const callJson = createGeminiJsonCaller(opts);
  return {
    name: "gemini",
    async generate(input: GenerateInput, options?: GenerateOptions): Promise<string[]> {
      assertGenerateInput(input);
      const requested = Math.min(input.count + SPARE_CANDIDATES, MAX_COUNT + SPARE_CANDIDATES);
      const text = await callJson({
        prompt: buildPrompt(input, requested),
        schema: RESPONSE_SCHEMA,
        temperature: TEMPERATURE,
        ...(options?.signal ? { signal: options.signal } : {}),
      });
      return parseVariantsJson(text);
    },
  };
}

export interface JsonCall {
  prompt: string;
  schema: Schema;
  temperature: number;
  signal?: AbortSignal;
}

/**
 * One structured-output call to Gemini: returns the model's JSON text, or throws a classified
 * LlmError (timeout, rate limit with its Retry-After, auth, upstream, malformed, bad request).
 * Shared by variant generation and experiment analysis.
 */
export function createGeminiJsonCaller(opts: GeminiOptions): (call: JsonCall) => Promise<string> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userFetch = opts.fetch;
  // Looked up per call, not captured: tests and wrappers may swap globalThis.fetch after creation.
  const baseFetch: FetchLike = userFetch ? (i, init) => userFetch(i, init) : (i, init) => fetch(i, init);
  // Configuration mistakes surface on the call, where callers already handle LlmError, instead
  // of throwing while the worker builds its per-isolate context.
  const configError = checkConfig(opts);
  const ai = configError
    ? undefined
    : new GoogleGenAI({
        apiKey: opts.apiKey,
        httpOptions: { ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}), timeout: timeoutMs },
      });

  return async ({ prompt, schema, temperature, signal: callerSignal }) => {
    if (!ai) throw configError ?? new LlmError("bad_request", "Gemini provider is misconfigured");
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = (): void => controller.abort();
    if (callerSignal?.aborted) controller.abort();
    else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });

    // Per call, not per client: the provider is an isolate-wide singleton serving concurrent
    // requests, and each call must read the headers of its own response.
    let last: ResponseMeta | undefined;
    const recordingFetch: FetchLike = async (i, init) => {
      const response = await baseFetch(i, init);
      last = { status: response.status, retryAfter: response.headers.get("retry-after") };
      return response;
    };

    // The SDK honours abortSignal, but a custom fetch might not; racing guarantees we return on time.
    const aborted = new Promise<never>((_, reject) => {
      const fail = (): void => reject(new LlmError("timeout", "aborted"));
      if (controller.signal.aborted) fail();
      else controller.signal.addEventListener("abort", fail, { once: true });
    });
    const call = ai.models.generateContent({
      model: opts.model,
      contents: [{ role: "user", parts: [{ text: prompt }] }],
      config: {
        responseMimeType: "application/json",
        responseSchema: schema,
        temperature,
        candidateCount: 1,
        // One request per call keeps the timeout and error mapping about a single response.
        automaticContinuation: false,
        abortSignal: controller.signal,
        httpOptions: { fetch: recordingFetch },
      },
    });
    // Whichever promise loses the race must not surface later as an unhandled rejection.
    call.catch(() => {});
    aborted.catch(() => {});

    try {
      const response = await Promise.race([call, aborted]);
      return textOf(response);
    } catch (err) {
      throw toLlmError(err, { timedOut, callerAborted: callerSignal?.aborted === true, timeoutMs, last });
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    }
  };
}

function checkConfig(opts: GeminiOptions): LlmError | undefined {
  if (!opts.apiKey || opts.apiKey.trim() === "") return new LlmError("auth", "Gemini API key is empty");
  // The SDK refuses these too, but with a plain Error we could not tell from a network failure.
  if (!opts.model || /\.\.|[?&\s]/.test(opts.model)) {
    return new LlmError("bad_request", `invalid Gemini model name ${JSON.stringify(opts.model)}`);
  }
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) {
    return new LlmError("bad_request", `timeoutMs must be positive, got ${opts.timeoutMs}`);
  }
  return undefined;
}

function textOf(response: GenerateContentResponse): string {
  const blocked = response.promptFeedback?.blockReason;
  // The same prompt would be blocked again, so this is not worth a retry.
  if (blocked) throw new LlmError("bad_request", `Gemini blocked the prompt (${blocked})`);
  const candidate = response.candidates?.[0];
  const text = (candidate?.content?.parts ?? [])
    .filter((p) => typeof p.text === "string" && p.thought !== true)
    .map((p) => p.text)
    .join("");
  if (text.trim() === "") {
    throw new LlmError(
      "malformed",
      `Gemini returned no text (finishReason ${candidate?.finishReason ?? "none"})`,
    );
  }
  return text;
}

/** Strips the code fences models occasionally add even in JSON mode, then parses. */
export function parseModelJson(text: string): unknown {
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/iu, "")
    .replace(/\s*```$/u, "");
  try {
    return JSON.parse(unfenced);
  } catch (err) {
    throw new LlmError("malformed", `Gemini returned invalid JSON: ${preview(text)}`, { cause: err });
  }
}

/** Parses the model's `{"variants": [...]}` text; anything else is a retryable "malformed" error. */
export function parseVariantsJson(text: string): string[] {
  const json = parseModelJson(text);
  const parsed = variantsPayload.safeParse(json);
  if (!parsed.success) {
    throw new LlmError("malformed", `Gemini returned JSON without a "variants" array: ${preview(text)}`);
  }
  const variants = parsed.data.variants.filter((v): v is string => typeof v === "string");
  if (variants.length === 0) throw new LlmError("malformed", "Gemini returned no string variants");
  return variants;
}

interface FailureContext {
  timedOut: boolean;
  callerAborted: boolean;
  timeoutMs: number;
  last: ResponseMeta | undefined;
}

function toLlmError(err: unknown, ctx: FailureContext): LlmError {
  if (ctx.timedOut)
    return new LlmError("timeout", `Gemini did not answer within ${ctx.timeoutMs} ms`, { cause: err });
  if (ctx.callerAborted)
    return new LlmError("timeout", "Gemini request aborted by the caller", { cause: err });
  if (isLlmError(err)) return err;

  const status = apiStatus(err);
  if (status !== undefined) return fromHttpStatus(status, parseErrorBody(err), ctx.last, err);

  if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError")) {
    return new LlmError("timeout", `Gemini request aborted: ${err.message}`, { cause: err });
  }
  // A 2xx whose body is not JSON at all fails inside the SDK's response.json().
  if (err instanceof SyntaxError) {
    return new LlmError("malformed", `Gemini response body is not JSON: ${err.message}`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LlmError("upstream", `Gemini request failed: ${message}`, { cause: err });
}

function apiStatus(err: unknown): number | undefined {
  if (err instanceof ApiError) return err.status;
  if (err instanceof Error && err.name === "ApiError") {
    const status = (err as { status?: unknown }).status;
    if (typeof status === "number") return status;
  }
  return undefined;
}

/** The SDK puts the JSON error body, stringified, in ApiError.message. */
function parseErrorBody(err: unknown): ErrorBody | undefined {
  if (!(err instanceof Error)) return undefined;
  try {
    const parsed = errorBody.safeParse(JSON.parse(err.message));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

function fromHttpStatus(
  status: number,
  body: ErrorBody | undefined,
  last: ResponseMeta | undefined,
  cause: unknown,
): LlmError {
  const detail = body?.message ? `: ${preview(body.message)}` : "";
  const label = `Gemini HTTP ${status}${body?.status ? ` ${body.status}` : ""}${detail}`;
  const retryAfterSeconds =
    (last?.status === status ? parseRetryAfter(last.retryAfter) : undefined) ?? retryDelayFrom(body);
  const extra = { cause, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };

  if (status === 429) return new LlmError("rate_limited", label, extra);
  if (status === 401 || status === 403) return new LlmError("auth", label, extra);
  // Gemini answers a wrong key with 400 INVALID_ARGUMENT + ErrorInfo API_KEY_INVALID, not 401.
  if (errorReasons(body).some((r) => r.startsWith("API_KEY"))) return new LlmError("auth", label, extra);
  if (status === 408) return new LlmError("timeout", label, extra);
  if (status >= 500) return new LlmError("upstream", label, extra);
  return new LlmError("bad_request", label, extra);
}

function errorReasons(body: ErrorBody | undefined): string[] {
  return (body?.details ?? []).flatMap((d) => {
    const parsed = errorInfo.safeParse(d);
    return parsed.success ? [parsed.data.reason] : [];
  });
}

/** RetryInfo.retryDelay is a protobuf Duration in JSON form, e.g. "37s" or "1.5s". */
function retryDelayFrom(body: ErrorBody | undefined): number | undefined {
  for (const d of body?.details ?? []) {
    const parsed = retryInfo.safeParse(d);
    const match = parsed.success ? /^(\d+(?:\.\d+)?)s$/.exec(parsed.data.retryDelay) : null;
    if (match?.[1] !== undefined) return Math.ceil(Number(match[1]));
  }
  return undefined;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
