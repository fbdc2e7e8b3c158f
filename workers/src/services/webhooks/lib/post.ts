/** The first KB of a receiver's answer is kept in the delivery log. */
export const RESPONSE_KEEP_BYTES = 1024;
/** Default time a receiver gets to answer. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface PostOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  response: string | null;
  durationMs: number;
}

/** Reads at most `limit` bytes of a body and drops the rest (a receiver may answer with gigabytes). */
async function readCapped(res: Response, limit: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.byteLength;
    if (offset >= bytes.length) break;
  }
  // A cut in the middle of a UTF-8 sequence becomes U+FFFD rather than an error.
  return new TextDecoder().decode(bytes);
}

/**
 * POSTs one signed delivery. Redirects are not followed (a 3xx is a failure: following one
 * would let a receiver point us past the destination checks); the whole exchange, body
 * included, has `timeoutMs`; any 2xx is success.
 */
export async function postWebhook(input: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  fetcher?: typeof fetch;
  clock?: () => number;
}): Promise<PostOutcome> {
  const clock = input.clock ?? Date.now;
  const started = clock();
  const signal = AbortSignal.timeout(input.timeoutMs);
  try {
    const res = await (input.fetcher ?? fetch)(input.url, {
      method: "POST",
      headers: input.headers,
      body: input.body,
      redirect: "manual",
      signal,
    });
    const response = await readCapped(res, RESPONSE_KEEP_BYTES);
    const ok = res.status >= 200 && res.status < 300;
    let error: string | null = null;
    if (res.status >= 300 && res.status < 400) error = `redirect (${res.status}) not followed`;
    else if (!ok) error = `HTTP ${res.status}`;
    return { ok, statusCode: res.status, error, response, durationMs: clock() - started };
  } catch (err) {
    const timedOut =
      signal.aborted || (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError"));
    const error = timedOut
      ? `no answer within ${input.timeoutMs % 1000 === 0 ? `${input.timeoutMs / 1000} s` : `${input.timeoutMs} ms`}`
      : `network error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
    return { ok: false, statusCode: null, error, response: null, durationMs: clock() - started };
  }
}
