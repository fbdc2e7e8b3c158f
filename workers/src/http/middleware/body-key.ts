import type { Context } from "hono";
import { BadRequestError, PayloadTooLargeError } from "../../errors";
import type { AppEnv } from "../types";

/**
 * Reads a request body of at most `maxBytes` and leaves it in Hono's body cache, so the route's
 * validator parses the same text without reading the stream again. For routes whose credential
 * may travel in the body: the auth middleware has to see the body before the route's own limit
 * could run, so the limit is enforced here, while reading.
 */
export async function readBoundedBody(c: Context<AppEnv>, maxBytes: number): Promise<string> {
  // Hono keeps promises in its body cache, typed as the values.
  const cache = c.req.bodyCache as { text?: Promise<string> };
  if (cache.text) return cache.text;
  const tooLarge = () => new PayloadTooLargeError(`request body exceeds ${maxBytes} bytes`);
  const declared = Number(c.req.header("content-length"));
  if (declared > maxBytes) throw tooLarge();
  const stream = c.req.raw.body;
  let text = "";
  if (stream) {
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const read = () =>
      reader.read().catch(() => {
        throw new BadRequestError("the request body could not be read: send it again");
      });
    for (let r = await read(); !r.done; r = await read()) {
      const value = r.value;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    text = new TextDecoder().decode(bytes);
  }
  cache.text = Promise.resolve(text);
  return text;
}

/**
 * The API key a JSON body carries as `api_key` (the mobile SDKs' way), undefined when it carries
 * none. A body that is not JSON is the validator's 400 when a header brought the credential;
 * without one it is answered here, as the key cannot be found.
 */
export async function bodyApiKey(
  c: Context<AppEnv>,
  maxBytes: number,
  required: boolean,
): Promise<string | undefined> {
  const text = await readBoundedBody(c, maxBytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (!required) return undefined;
    throw new BadRequestError(
      "send a JSON body with 'Content-Type: application/json' carrying `api_key`, or the key as 'Authorization: Bearer <api key>'",
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const key = (body as { api_key?: unknown }).api_key;
  if (key === undefined || key === null || key === "") return undefined;
  if (typeof key !== "string") {
    throw BadRequestError.fromIssues([
      { path: "api_key", message: "must be a string (your project's API key)" },
    ]);
  }
  return key;
}
