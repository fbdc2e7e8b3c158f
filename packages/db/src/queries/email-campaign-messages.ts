import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  contacts,
  type EmailMessageRow,
  emailCampaigns,
  emailMessages,
  emailOutbox,
  suppressions,
} from "../schema";

/** Recipients per batch: one jobs-queue message and one provider call each. */
export const CAMPAIGN_BATCH_SIZE = 100;
/** A claimed batch whose job died is claimable again after this long. */
export const CLAIM_LEASE_MS = 5 * 60_000;

/**
 * Writes one `queued` row per subscribed recipient (all contacts, or those `where` matches), with
 * batch numbers in contact order, in one statement. INSERT OR IGNORE on (campaign, contact): a
 * redelivered start adds nobody twice. `updated_at` 0 marks a row as not claimed.
 */
export async function materializeRecipients(
  db: Db,
  input: { projectId: string; campaignId: string; where: SQL | undefined; now: number },
): Promise<number> {
  await db
    .insert(emailMessages)
    .select(
      db
        .select({
          id: sql<string>`'emm_' || lower(hex(randomblob(10)))`.as("id"),
          projectId: contacts.projectId,
          campaignId: sql<string>`${input.campaignId}`.as("campaign_id"),
          contactId: contacts.id,
          email: contacts.email,
          batch:
            sql<number>`(row_number() over (order by ${contacts.id}) - 1) / ${sql.raw(String(CAMPAIGN_BATCH_SIZE))}`.as(
              "batch",
            ),
          status: sql<"queued">`'queued'`.as("status"),
          variantId: sql<null>`null`.as("variant_id"),
          trackingToken: sql<null>`null`.as("tracking_token"),
          providerMessageId: sql<null>`null`.as("provider_message_id"),
          links: sql<null>`null`.as("links"),
          error: sql<null>`null`.as("error"),
          attempts: sql<number>`0`.as("attempts"),
          sentAt: sql<null>`null`.as("sent_at"),
          openedAt: sql<null>`null`.as("opened_at"),
          machineOpen: sql<null>`null`.as("machine_open"),
          clickedAt: sql<null>`null`.as("clicked_at"),
          createdAt: sql<number>`${input.now}`.as("created_at"),
          updatedAt: sql<number>`0`.as("updated_at"),
        })
        .from(contacts)
        .where(and(eq(contacts.projectId, input.projectId), eq(contacts.status, "subscribed"), input.where)),
    )
    .onConflictDoNothing();
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(emailMessages)
    .where(eq(emailMessages.campaignId, input.campaignId));
  return row?.n ?? 0;
}

/** Batch numbers that still hold queued rows. */
export async function pendingBatches(db: Db, campaignId: string): Promise<number[]> {
  const rows = await db
    .selectDistinct({ batch: emailMessages.batch })
    .from(emailMessages)
    .where(and(eq(emailMessages.campaignId, campaignId), eq(emailMessages.status, "queued")))
    .orderBy(emailMessages.batch);
  return rows.map((r) => r.batch);
}

/**
 * Marks the batch's queued rows whose contact is no longer subscribed (or is suppressed) as
 * skipped, then claims the rest: a compare-and-set on `updated_at`, so a second consumer of the
 * same batch claims nothing until the lease runs out.
 */
export async function claimBatch(
  db: Db,
  input: { projectId: string; campaignId: string; batch: number; now: number },
): Promise<EmailMessageRow[]> {
  const inBatch = and(
    eq(emailMessages.campaignId, input.campaignId),
    eq(emailMessages.batch, input.batch),
    eq(emailMessages.status, "queued"),
  );
  await db
    .update(emailMessages)
    .set({ status: "skipped", error: "suppressed after scheduling", updatedAt: input.now })
    .where(
      and(
        inBatch,
        sql`(exists (select 1 from ${suppressions} s where s.project_id = ${input.projectId} and s.email = ${emailMessages.email})
          or not exists (select 1 from ${contacts} c where c.id = ${emailMessages.contactId} and c.status = 'subscribed'))`,
      ),
    );
  return db
    .update(emailMessages)
    .set({ updatedAt: input.now, attempts: sql`${emailMessages.attempts} + 1` })
    .where(and(inBatch, sql`${emailMessages.updatedAt} < ${input.now - CLAIM_LEASE_MS}`))
    .returning();
}

/** Stores what each claimed row became: sent with the provider id, failed, or back to queued (a retry). */
export async function settleMessages(
  db: Db,
  updates: { id: string; set: Partial<Omit<EmailMessageRow, "id" | "projectId" | "campaignId">> }[],
): Promise<void> {
  if (updates.length === 0) return;
  const statements = updates.map((u) =>
    db.update(emailMessages).set(u.set).where(eq(emailMessages.id, u.id)),
  );
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/**
 * Recomputes a campaign's counters from its rows (idempotent under redelivery) and marks it sent
 * when it is sending and no row is queued any more.
 */
export async function refreshCampaignCounts(db: Db, campaignId: string, now: number): Promise<void> {
  const count = (statuses: readonly EmailMessageRow["status"][]) =>
    sql<number>`(select count(*) from ${emailMessages} m where m.campaign_id = ${campaignId} and m.status in (${sql.join(
      statuses.map((s) => sql`${s}`),
      sql`, `,
    )}))`;
  await db
    .update(emailCampaigns)
    .set({
      recipients: sql`(select count(*) from ${emailMessages} m where m.campaign_id = ${campaignId})`,
      sent: count(["sent", "delivered", "opened", "clicked", "bounced", "complained"]),
      failed: count(["failed"]),
      skipped: count(["skipped"]),
      updatedAt: now,
    })
    .where(eq(emailCampaigns.id, campaignId));
  await db
    .update(emailCampaigns)
    .set({ status: "sent", completedAt: now })
    .where(
      and(
        eq(emailCampaigns.id, campaignId),
        eq(emailCampaigns.status, "sending"),
        sql`not exists (select 1 from ${emailMessages} m where m.campaign_id = ${campaignId} and m.status = 'queued')`,
      ),
    );
}

export async function findEmailMessage(db: Db, id: string): Promise<EmailMessageRow | null> {
  const [row] = await db.select().from(emailMessages).where(eq(emailMessages.id, id)).limit(1);
  return row ?? null;
}

export async function listCampaignMessages(db: Db, projectId: string, campaignId: string, limit: number) {
  return db
    .select()
    .from(emailMessages)
    .where(and(eq(emailMessages.projectId, projectId), eq(emailMessages.campaignId, campaignId)))
    .orderBy(emailMessages.batch, emailMessages.contactId)
    .limit(limit);
}

/** Contacts by id, within a project (the ids as one JSON parameter: D1 binds at most 100). */
export function contactsByIds(db: Db, projectId: string, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.projectId, projectId),
        sql`${contacts.id} in (select value from json_each(${JSON.stringify(ids)}))`,
      ),
    );
}

/** Stores outbox mail; a retried batch (same provider id) overwrites its own rows. */
export async function putOutboxMail(db: Db, row: typeof emailOutbox.$inferInsert): Promise<void> {
  await db.insert(emailOutbox).values(row).onConflictDoNothing();
}

export function listOutboxMail(db: Db, projectId: string, limit: number) {
  return db
    .select()
    .from(emailOutbox)
    .where(eq(emailOutbox.projectId, projectId))
    .orderBy(sql`${emailOutbox.createdAt} desc`)
    .limit(limit);
}
