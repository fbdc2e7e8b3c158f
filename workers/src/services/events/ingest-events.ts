import { type TokenVerification, type TrackingClaims, verifyTrackingToken } from "@pushbunny/core";
import type { AppContext } from "../../context";
import { ServiceUnavailableError } from "../../errors";
import type { EventsMessage, TrackedEvent } from "../../queue/messages";

export const MAX_EVENTS_PER_REQUEST = 1_000;
// Clients' clocks drift; an event this far before its impression or after "now" is refused.
export const CLOCK_SKEW_MS = 5 * 60_000;
// Below this a timestamp is almost surely Unix seconds, a common client mistake.
const MIN_PLAUSIBLE_MS = 100_000_000_000;
const MAX_PROPERTIES = 20;
const MAX_PROPERTY_KEY = 64;
const MAX_PROPERTY_VALUE = 512;
// Stay well under the queue's 128 KB message and 256 KB batch limits.
const MAX_MESSAGE_BYTES = 96_000;
const MAX_BATCH_BYTES = 230_000;
const MAX_BATCH_MESSAGES = 100;

export interface Rejection {
  index: number;
  reason: string;
}

/**
 * Names an event's stored type once its token is verified (the claims say which experiment it
 * belongs to), or why it is refused. /v1/events takes `type` as sent; /v1/web/events maps a
 * metric name to `conversion` or `m:<name>`.
 */
export type EventTypeMapper = (
  event: Record<string, unknown>,
  claims: TrackingClaims,
) => { type: TrackedEvent["type"] } | { reason: string };

export interface IngestResult {
  recorded: number;
  total: number;
  rejected: Rejection[];
}

/**
 * Verifies each event at the edge (shape, signature, project, time) and queues the valid ones.
 * A bad event is reported by index and never blocks the rest. Resolves only once the queue has
 * accepted every valid event, so a 200 means nothing can be lost.
 */
export async function ingestEvents({
  ctx,
  projectId,
  input,
  mapType,
  deliver,
}: {
  ctx: AppContext;
  projectId: string;
  input: readonly unknown[];
  /** How an event's type is found; absent: `type` must be 'opened' or 'conversion'. */
  mapType?: EventTypeMapper;
  /**
   * Where the packed messages go; the events queue by default. A simulation hands them
   * straight to the consumer's writer so its analysis can read them in the same request.
   */
  deliver?: (messages: EventsMessage[]) => Promise<void>;
}): Promise<IngestResult> {
  const now = ctx.now();
  const rejected: Rejection[] = [];
  const accepted: TrackedEvent[] = [];
  // An open and a conversion often share a token: verify each distinct token once. The check
  // is synchronous (no promise per event or per token).
  const secret = ctx.config.trackingSecret;
  const verified = new Map<string, TokenVerification>();
  const verify = (token: string) => {
    let result = verified.get(token);
    if (!result) {
      result = verifyTrackingToken(secret, token);
      verified.set(token, result);
    }
    return result;
  };
  for (let index = 0; index < input.length; index++) {
    const r = checkEvent(verify, projectId, input[index], now, mapType);
    if (typeof r === "string") rejected.push({ index, reason: r });
    else accepted.push(r);
  }
  if (accepted.length > 0) await enqueue(ctx, projectId, accepted, now, deliver);
  return { recorded: accepted.length, total: input.length, rejected };
}

function checkEvent(
  verify: (token: string) => TokenVerification,
  projectId: string,
  raw: unknown,
  now: number,
  mapType: EventTypeMapper | undefined,
): TrackedEvent | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "event must be an object";
  const e = raw as Record<string, unknown>;
  const sentType = e.type;
  if (!mapType && sentType !== "opened" && sentType !== "conversion")
    return "type must be 'opened' or 'conversion'";
  if (typeof e.tracking_token !== "string" || e.tracking_token === "") return "tracking_token is required";
  const ts = e.timestamp;
  if (typeof ts !== "number" || !Number.isSafeInteger(ts))
    return "timestamp must be an integer (Unix milliseconds)";
  if (ts < MIN_PLAUSIBLE_MS) return "timestamp looks like seconds: send Unix milliseconds";
  if (ts > now + CLOCK_SKEW_MS) return "timestamp is in the future";
  const properties = checkProperties(e.properties);
  if (typeof properties === "string") return properties;
  const checked = verify(e.tracking_token);
  if (!checked.ok) return `tracking_token: ${checked.problem}`;
  const claims = checked.claims;
  if (claims.projectId !== projectId) return "tracking_token belongs to another project";
  if (ts < claims.issuedAt - CLOCK_SKEW_MS) return "timestamp is before the message was served";
  let type: TrackedEvent["type"];
  if (mapType) {
    const mapped = mapType(e, claims);
    if ("reason" in mapped) return mapped.reason;
    type = mapped.type;
  } else if (sentType === "opened" || sentType === "conversion") type = sentType;
  else return "type must be 'opened' or 'conversion'";
  return {
    impressionId: claims.impressionId,
    experimentId: claims.experimentId,
    variantId: claims.variantId,
    type,
    occurredAt: ts,
    impressionAt: claims.issuedAt,
    properties,
  };
}

function checkProperties(value: unknown): Record<string, string> | null | string {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) return "properties must be an object of strings";
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_PROPERTIES) return `properties: at most ${MAX_PROPERTIES} keys`;
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > MAX_PROPERTY_KEY)
      return `properties: keys must be 1-${MAX_PROPERTY_KEY} characters`;
    // Assigning "__proto__" to a plain object would drop it silently: refuse it instead.
    if (k === "__proto__") return "properties: '__proto__' is not allowed as a key";
    if (typeof v !== "string") return `properties.${k}: expected string`;
    if (v.length > MAX_PROPERTY_VALUE) return `properties.${k}: at most ${MAX_PROPERTY_VALUE} characters`;
    out[k] = v;
  }
  return out;
}

// Serializing every event just to measure it cost a tenth of ingest time; ids and numbers
// have bounded length, and property text is counted at 6 bytes a character (the worst case:
// a JSON-escaped control character), so an estimate never undercounts.
const EVENT_OVERHEAD_BYTES = 320;
function estimateBytes(event: TrackedEvent): number {
  let bytes = EVENT_OVERHEAD_BYTES;
  if (event.properties) {
    for (const [k, v] of Object.entries(event.properties)) bytes += 6 + 6 * (k.length + v.length);
  }
  return bytes;
}

/** Packs events into as few queue messages and sendBatch calls as the size limits allow. */
async function enqueue(
  ctx: AppContext,
  projectId: string,
  events: TrackedEvent[],
  now: number,
  deliver?: (messages: EventsMessage[]) => Promise<void>,
): Promise<void> {
  const messages: { body: EventsMessage; bytes: number }[] = [];
  let current: TrackedEvent[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    messages.push({
      body: { kind: "events", projectId, receivedAt: now, events: current },
      bytes: bytes + 100,
    });
    current = [];
    bytes = 0;
  };
  for (const event of events) {
    const size = estimateBytes(event);
    if (bytes + size > MAX_MESSAGE_BYTES) flush();
    current.push(event);
    bytes += size;
  }
  flush();
  if (deliver) {
    await deliver(messages.map((m) => m.body));
    return;
  }

  let batch: { body: EventsMessage }[] = [];
  let batchBytes = 0;
  const sends: Promise<unknown>[] = [];
  for (const m of messages) {
    if (batch.length === MAX_BATCH_MESSAGES || batchBytes + m.bytes > MAX_BATCH_BYTES) {
      sends.push(ctx.queues.events.sendBatch(batch));
      batch = [];
      batchBytes = 0;
    }
    batch.push({ body: m.body });
    batchBytes += m.bytes;
  }
  if (batch.length > 0) sends.push(ctx.queues.events.sendBatch(batch));
  try {
    await Promise.all(sends);
  } catch (err) {
    // Nothing was recorded and every event is idempotent per (token, type): a retry is safe.
    throw new ServiceUnavailableError("events could not be queued; retry the request", 5, { cause: err });
  }
}
