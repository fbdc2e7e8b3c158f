import type { Context } from "hono";
import { BadRequestError, PayloadTooLargeError } from "../../../errors";
import { MAX_EVENTS_PER_REQUEST } from "../../../services/events/ingest-events";

/**
 * The events of a batch body, checked by hand rather than by the route's schema: each event is
 * then judged on its own and a bad one is reported by index instead of failing the batch.
 * `{ "events": [...] }`, and a bare array where `bareArray` allows it (/v1/events' older shape).
 */
export async function readEventBatch(c: Context, opts: { bareArray: boolean }): Promise<unknown[]> {
  const shape = opts.bareArray ? 'an array of events or { "events": [...] }' : '{ "events": [...] }';
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new BadRequestError(`body must be JSON: ${shape}`);
  }
  const events =
    opts.bareArray && Array.isArray(body)
      ? body
      : typeof body === "object" && body !== null && Array.isArray((body as { events?: unknown }).events)
        ? (body as { events: unknown[] }).events
        : null;
  if (!events) throw new BadRequestError(`body must be ${shape}`);
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    throw new PayloadTooLargeError(
      `at most ${MAX_EVENTS_PER_REQUEST} events per request, got ${events.length}`,
    );
  }
  return events;
}
