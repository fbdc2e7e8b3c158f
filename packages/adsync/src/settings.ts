import { AdSyncError } from "./errors";
import type { FetchLike, HttpClient } from "./http";
import { DEFAULT_RETRY, type RetryContext } from "./retry";
import type { Channel, ConnectorOptions, RetryPolicy } from "./types";

export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_PAGE_SIZE = 500;
// TikTok rejects page_size above 1000; Meta accepts more but gets slow and truncates.
const MAX_PAGE_SIZE = 1000;

type BaseUrlKey = keyof NonNullable<ConnectorOptions["baseUrls"]>;

/** ConnectorOptions with defaults applied and checked. */
export interface Settings {
  fetch: FetchLike;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  timeoutMs: number;
  pageSize: number;
  baseUrl: (key: BaseUrlKey, fallback: string) => string;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Settings for a connector, or the "config" error describing what is wrong with the options.
 * Returned rather than thrown so a bad option surfaces on fetchMetrics, where callers already handle
 * AdSyncError, instead of while a Worker builds its services.
 */
export function resolveSettings(channel: Channel, options: ConnectorOptions = {}): Settings | AdSyncError {
  const problems = optionProblems(options);
  if (problems.length > 0) {
    return new AdSyncError("config", channel, `invalid connector options: ${problems.join("; ")}`);
  }
  const userFetch = options.fetch;
  const baseUrls = options.baseUrls ?? {};
  return {
    // Looked up per call, not captured: tests and wrappers may swap globalThis.fetch after creation.
    // Called as a plain function: workerd throws "Illegal invocation" when fetch gets a foreign `this`.
    fetch: (input, init) => (userFetch ?? fetch)(input, init),
    retry: { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) },
    sleep: options.sleep ?? realSleep,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
    baseUrl: (key, fallback) => (baseUrls[key] ?? fallback).replace(/\/+$/, ""),
  };
}

function optionProblems(options: ConnectorOptions): string[] {
  const problems: string[] = [];
  const retry = options.retry ?? {};
  if (retry.maxAttempts !== undefined && !(Number.isInteger(retry.maxAttempts) && retry.maxAttempts >= 1)) {
    problems.push("retry.maxAttempts must be an integer ≥ 1");
  }
  if (retry.baseDelayMs !== undefined && !(retry.baseDelayMs >= 0))
    problems.push("retry.baseDelayMs must be ≥ 0");
  if (retry.maxDelayMs !== undefined && !(retry.maxDelayMs >= 0))
    problems.push("retry.maxDelayMs must be ≥ 0");
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) problems.push("timeoutMs must be > 0");
  const pageSize = options.pageSize;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE)) {
    problems.push(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  for (const [key, value] of Object.entries(options.baseUrls ?? {})) {
    if (value !== undefined && !isHttpUrl(value)) problems.push(`baseUrls.${key} must be an http(s) URL`);
  }
  return problems;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function httpClient(channel: Channel, settings: Settings): HttpClient {
  return { channel, fetch: settings.fetch, timeoutMs: settings.timeoutMs };
}

export function retryContext(channel: Channel, settings: Settings, signal?: AbortSignal): RetryContext {
  return { channel, policy: settings.retry, sleep: settings.sleep, signal };
}
