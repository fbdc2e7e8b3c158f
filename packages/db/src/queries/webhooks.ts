import { and, desc, eq, inArray, lt, lte, sql } from "drizzle-orm";
import { chunk, type Db } from "../client";
import {
  emailProviderEvents,
  type NewWebhookDeliveryRow,
  type NewWebhookEndpointRow,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
  type WebhookEventType,
  webhookDeliveries,
  webhookEndpoints,
} from "../schema";
import { olderThan, type PageAnchor } from "./keyset";

export async function insertWebhookEndpoint(db: Db, row: NewWebhookEndpointRow): Promise<WebhookEndpointRow> {
  const [out] = await db.insert(webhookEndpoints).values(row).returning();
  if (!out) throw new Error("webhook endpoint insert returned no row");
  return out;
}

export async function findWebhookEndpoint(
  db: Db,
  projectId: string,
  id: string,
): Promise<WebhookEndpointRow | null> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, projectId), eq(webhookEndpoints.id, id)))
    .limit(1);
  return row ?? null;
}

/** A page of a project's endpoints, newest first. */
export function listWebhookEndpointsPage(
  db: Db,
  projectId: string,
  opts: { limit: number; after?: PageAnchor },
): Promise<WebhookEndpointRow[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.projectId, projectId),
        olderThan(webhookEndpoints.createdAt, webhookEndpoints.id, opts.after),
      ),
    )
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
    .limit(opts.limit);
}

export async function countWebhookEndpoints(db: Db, projectId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.projectId, projectId));
  return row?.n ?? 0;
}

/** The enabled endpoints and what they listen to: the one query every emission runs. */
export function enabledWebhookEndpoints(
  db: Db,
  projectId: string,
): Promise<{ id: string; events: WebhookEventType[] }[]> {
  // `= 1` as a literal, the partial index's own predicate, so SQLite reads only that index.
  return db
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, projectId), sql`${webhookEndpoints.enabled} = 1`));
}

export async function updateWebhookEndpointRow(
  db: Db,
  projectId: string,
  id: string,
  set: Partial<
    Pick<
      WebhookEndpointRow,
      | "url"
      | "events"
      | "description"
      | "enabled"
      | "disabledReason"
      | "disabledAt"
      | "secret"
      | "previousSecret"
      | "previousSecretExpiresAt"
      | "updatedAt"
    >
  >,
): Promise<WebhookEndpointRow | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set(set)
    .where(and(eq(webhookEndpoints.projectId, projectId), eq(webhookEndpoints.id, id)))
    .returning();
  return row ?? null;
}

/**
 * Switches an endpoint off after its retries ran out. Conditional on it still being enabled, so
 * two deliveries failing for the last time at once disable (and audit) it once.
 */
export async function disableWebhookEndpoint(
  db: Db,
  input: { projectId: string; id: string; reason: string; now: number },
): Promise<boolean> {
  const rows = await db
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: input.reason, disabledAt: input.now, updatedAt: input.now })
    .where(
      and(
        eq(webhookEndpoints.projectId, input.projectId),
        eq(webhookEndpoints.id, input.id),
        eq(webhookEndpoints.enabled, true),
      ),
    )
    .returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

/** Deletes an endpoint and its delivery log. */
export async function deleteWebhookEndpointRow(db: Db, projectId: string, id: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.projectId, projectId), eq(webhookEndpoints.id, id)))
      .returning({ id: webhookEndpoints.id }),
    db
      .delete(webhookDeliveries)
      .where(and(eq(webhookDeliveries.projectId, projectId), eq(webhookDeliveries.endpointId, id))),
  ]);
  return deleted.length > 0;
}

// 15 columns: D1's 100 bound parameters allow 6 rows per multi-row insert; JSON rows go in one.
const INSERT_DELIVERIES = `INSERT INTO webhook_deliveries
  (id, project_id, endpoint_id, event_type, payload, next_attempt_at, created_at, status, attempts, updated_at)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, 'pending', 0, value ->> 6
  FROM json_each(?1)`;

/** Writes pending deliveries (before any is sent: nothing is lost if the queue send fails). */
export async function insertWebhookDeliveries(
  db: Db,
  rows: readonly (Pick<
    NewWebhookDeliveryRow,
    "id" | "projectId" | "endpointId" | "eventType" | "payload" | "createdAt"
  > & { nextAttemptAt: number })[],
): Promise<void> {
  if (rows.length === 0) return;
  const d1 = db.$client;
  // Payloads can be a few KB each: keep each JSON parameter well under D1's value size limit.
  const statements = chunk(rows, 100).map((part) =>
    d1
      .prepare(INSERT_DELIVERIES)
      .bind(
        JSON.stringify(
          part.map((r) => [
            r.id,
            r.projectId,
            r.endpointId,
            r.eventType,
            r.payload,
            r.nextAttemptAt,
            r.createdAt,
          ]),
        ),
      ),
  );
  await d1.batch(statements);
}

export async function findWebhookDelivery(
  db: Db,
  projectId: string,
  id: string,
): Promise<WebhookDeliveryRow | null> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.projectId, projectId), eq(webhookDeliveries.id, id)))
    .limit(1);
  return row ?? null;
}

/** A page of an endpoint's deliveries, newest first. */
export function listWebhookDeliveriesPage(
  db: Db,
  projectId: string,
  endpointId: string,
  opts: { limit: number; after?: PageAnchor },
): Promise<WebhookDeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        eq(webhookDeliveries.projectId, projectId),
        olderThan(webhookDeliveries.createdAt, webhookDeliveries.id, opts.after),
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(opts.limit);
}

/**
 * Claims a due delivery for one send: pending and due, or sending with a lapsed lease (its sender
 * died). `next_attempt_at` doubles as the lease's end while sending, so one index finds both.
 * Returns null when another sender has it or it is not due.
 */
export async function claimWebhookDelivery(
  db: Db,
  input: { projectId: string; id: string; now: number; leaseMs: number },
): Promise<WebhookDeliveryRow | null> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({
      status: "sending",
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      leaseUntil: input.now + input.leaseMs,
      nextAttemptAt: input.now + input.leaseMs,
      updatedAt: input.now,
    })
    .where(
      and(
        eq(webhookDeliveries.id, input.id),
        eq(webhookDeliveries.projectId, input.projectId),
        inArray(webhookDeliveries.status, ["pending", "sending"]),
        lte(webhookDeliveries.nextAttemptAt, input.now),
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Records the outcome of a claimed attempt. Only the claim that made attempt `attempt` may write
 * it: a sender whose lease lapsed and was re-claimed changes nothing.
 */
export async function finishWebhookDelivery(
  db: Db,
  input: {
    id: string;
    attempt: number;
    status: "pending" | "succeeded" | "failed";
    nextAttemptAt: number | null;
    statusCode: number | null;
    error: string | null;
    response: string | null;
    now: number;
  },
): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set({
      status: input.status,
      nextAttemptAt: input.nextAttemptAt,
      leaseUntil: null,
      lastAttemptAt: input.now,
      lastStatusCode: input.statusCode,
      lastError: input.error,
      lastResponse: input.response,
      updatedAt: input.now,
    })
    .where(
      and(
        eq(webhookDeliveries.id, input.id),
        eq(webhookDeliveries.status, "sending"),
        eq(webhookDeliveries.attempts, input.attempt),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

/** Makes a finished or waiting delivery due now (a manual retry); not one being sent. */
export async function requeueWebhookDelivery(
  db: Db,
  input: { projectId: string; id: string; now: number },
): Promise<WebhookDeliveryRow | null> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: input.now, updatedAt: input.now })
    .where(
      and(
        eq(webhookDeliveries.projectId, input.projectId),
        eq(webhookDeliveries.id, input.id),
        inArray(webhookDeliveries.status, ["pending", "succeeded", "failed"]),
      ),
    )
    .returning();
  return row ?? null;
}

/** Deliveries whose next try (or whose lapsed lease) is due: the cron sweep's work list. */
export function dueWebhookDeliveries(
  db: Db,
  input: { now: number; limit: number },
): Promise<{ id: string; projectId: string }[]> {
  return (
    db
      .select({ id: webhookDeliveries.id, projectId: webhookDeliveries.projectId })
      .from(webhookDeliveries)
      // Spelled as the partial index's predicate (literals, not parameters) so SQLite uses it.
      .where(
        and(
          sql`${webhookDeliveries.status} IN ('pending', 'sending')`,
          lte(webhookDeliveries.nextAttemptAt, input.now),
        ),
      )
      .orderBy(webhookDeliveries.nextAttemptAt)
      .limit(input.limit)
  );
}

/** Gives up the waiting deliveries of an endpoint that was disabled or deleted. */
export async function failPendingWebhookDeliveries(
  db: Db,
  input: { projectId: string; endpointId: string; error: string; now: number },
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: "failed", nextAttemptAt: null, lastError: input.error, updatedAt: input.now })
    .where(
      and(
        eq(webhookDeliveries.projectId, input.projectId),
        eq(webhookDeliveries.endpointId, input.endpointId),
        eq(webhookDeliveries.status, "pending"),
      ),
    );
}

/** A deleted project sends nothing more: every endpoint off with the reason, waiting deliveries failed. */
export async function disableProjectWebhooks(
  db: Db,
  input: { projectId: string; reason: string; now: number },
): Promise<void> {
  await db.batch([
    db
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: input.reason, disabledAt: input.now, updatedAt: input.now })
      .where(and(eq(webhookEndpoints.projectId, input.projectId), eq(webhookEndpoints.enabled, true))),
    db
      .update(webhookDeliveries)
      .set({ status: "failed", nextAttemptAt: null, lastError: input.reason, updatedAt: input.now })
      .where(and(eq(webhookDeliveries.projectId, input.projectId), eq(webhookDeliveries.status, "pending"))),
  ]);
}

/**
 * Deletes at most `limit` settled deliveries and provider-event receipts created before `before`:
 * the log keeps 30 days, and one hourly pass stays a bounded amount of work.
 */
export async function pruneWebhookHistory(
  db: Db,
  input: { before: number; limit: number },
): Promise<{ deliveries: number; providerEvents: number }> {
  const [deliveries, providerEvents] = await db.batch([
    db
      .delete(webhookDeliveries)
      .where(
        inArray(
          webhookDeliveries.id,
          db
            .select({ id: webhookDeliveries.id })
            .from(webhookDeliveries)
            .where(
              and(
                lt(webhookDeliveries.createdAt, input.before),
                inArray(webhookDeliveries.status, ["succeeded", "failed"]),
              ),
            )
            .limit(input.limit),
        ),
      )
      .returning({ id: webhookDeliveries.id }),
    db
      .delete(emailProviderEvents)
      .where(
        inArray(
          emailProviderEvents.id,
          db
            .select({ id: emailProviderEvents.id })
            .from(emailProviderEvents)
            .where(lt(emailProviderEvents.createdAt, input.before))
            .limit(input.limit),
        ),
      )
      .returning({ id: emailProviderEvents.id }),
  ]);
  return { deliveries: deliveries.length, providerEvents: providerEvents.length };
}
