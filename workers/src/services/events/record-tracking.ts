import { utcDay } from "@pushbunny/core";
import {
  type EventInsert,
  type ImpressionInsert,
  recordTracking,
  type TouchedExperiments,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { EventsQueueMessage } from "../../queue/messages";

/**
 * Turns validated queue messages into rows and writes them in one atomic batch. An event's
 * token carries its impression, so the database creates a missing impression row from the
 * event (see recordTracking): an impression whose own message was lost still counts once it
 * earns an event, which keeps every rate within [0, 1].
 */
export async function recordTrackingMessages({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: EventsQueueMessage[];
}): Promise<{
  impressions: number;
  events: number;
  touched: TouchedExperiments[];
}> {
  const impressions = new Map<string, ImpressionInsert>();
  const events: EventInsert[] = [];
  for (const m of input) {
    if (m.kind === "impression") {
      impressions.set(m.id, {
        id: m.id,
        projectId: m.projectId,
        experimentId: m.experimentId,
        variantId: m.variantId,
        userId: m.userId,
        day: utcDay(m.createdAt),
        createdAt: m.createdAt,
        allocation: m.allocation ?? null,
        context: m.context ?? null,
      });
      continue;
    }
    for (const e of m.events) {
      events.push({
        projectId: m.projectId,
        experimentId: e.experimentId,
        variantId: e.variantId,
        impressionId: e.impressionId,
        type: e.type,
        occurredAt: e.occurredAt,
        impressionAt: e.impressionAt,
        day: utcDay(e.impressionAt),
        properties: e.properties,
        receivedAt: m.receivedAt,
      });
    }
  }
  const touched = await recordTracking(ctx.db, {
    impressions: [...impressions.values()],
    events,
    now: ctx.now(),
  });
  return {
    impressions: impressions.size,
    events: events.length,
    touched,
  };
}
