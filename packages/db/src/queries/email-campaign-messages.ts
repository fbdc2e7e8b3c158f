import { and, eq, gt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  contacts,
  type EmailMessageRow,
  type EmailMessageStatus,
  emailCampaigns,
  emailMessages,
  suppressions,
} from "../schema";

/** Recipients per batch: one jobs-queue message and one provider call each. */
export const CAMPAIGN_BATCH_SIZE = 100;
/** A claimed batch whose job died is claimable again after this long. */
export const CLAIM_LEASE_MS = 5 * 60_000;

/** Rows of one due instant share batches; a due group's batches start at a multiple of this. */
export const DUE_GROUP_STRIDE = 1_000_000;

/**
 * Writes one `queued` row per subscribed recipient (all contacts, or those `where` matches), with
 * batch numbers in contact order, in one statement. INSERT OR IGNORE on (campaign, contact): a
 * redelivered start adds nobody twice. `updated_at` 0 marks a row as not claimed.
 *
 * `dueAt` (recipient time zones) gives each contact the instant its row may be sent, as an SQL
 * expression over `contacts`; rows are batched per instant, so a batch is due all at once.
 */
export async function materializeRecipients(
  db: Db,
  input: {
    projectId: string;
    campaignId: string;
    where: SQL | undefined;
    now: number;
    dueAt?: SQL;
  },
): Promise<number> {
  const due = input.dueAt ?? sql`null`;
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
          batch: sql<number>`(dense_rank() over (order by ${due}) - 1) * ${sql.raw(String(DUE_GROUP_STRIDE))}
              + (row_number() over (partition by ${due} order by ${contacts.id}) - 1) / ${sql.raw(String(CAMPAIGN_BATCH_SIZE))}`.as(
            "batch",
          ),
          status: sql<"queued">`'queued'`.as("status"),
          variantId: sql<null>`null`.as("variant_id"),
          trackingToken: sql<null>`null`.as("tracking_token"),
          providerMessageId: sql<null>`null`.as("provider_message_id"),
          links: sql<null>`null`.as("links"),
          error: sql<null>`null`.as("error"),
          attempts: sql<number>`0`.as("attempts"),
          dueAt: sql<number | null>`${due}`.as("due_at"),
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

/** Batches that still hold queued rows, with when they are due (null: now). */
export async function pendingBatches(
  db: Db,
  campaignId: string,
): Promise<{ batch: number; dueAt: number | null }[]> {
  return db
    .select({ batch: emailMessages.batch, dueAt: sql<number | null>`min(${emailMessages.dueAt})` })
    .from(emailMessages)
    .where(and(eq(emailMessages.campaignId, campaignId), eq(emailMessages.status, "queued")))
    .groupBy(emailMessages.batch)
    .orderBy(emailMessages.batch);
}

/** The instants a campaign's queued rows are still due at, soonest first, with how many each. */
export function queuedDueInstants(
  db: Db,
  campaignId: string,
  limit: number,
): Promise<{ dueAt: number | null; queued: number }[]> {
  return db
    .select({ dueAt: emailMessages.dueAt, queued: sql<number>`count(*)` })
    .from(emailMessages)
    .where(and(eq(emailMessages.campaignId, campaignId), eq(emailMessages.status, "queued")))
    .groupBy(emailMessages.dueAt)
    .orderBy(emailMessages.dueAt)
    .limit(limit);
}

/** The time zones of a would-be audience, with how many subscribed contacts each (null: none set). */
export function audienceTimeZones(
  db: Db,
  projectId: string,
  where: SQL | undefined,
): Promise<{ timeZone: string | null; contacts: number }[]> {
  return db
    .select({ timeZone: contacts.timeZone, contacts: sql<number>`count(*)` })
    .from(contacts)
    .where(and(eq(contacts.projectId, projectId), eq(contacts.status, "subscribed"), where))
    .groupBy(contacts.timeZone);
}

/**
 * Marks the batch's queued rows whose contact is no longer subscribed (or is suppressed) as
 * skipped (counted on the campaign), then claims the rest: a compare-and-set on `updated_at`, so
 * a second consumer of the same batch claims nothing until the lease runs out. One D1 batch:
 * one round trip, and the count and the rows it counts cannot drift apart.
 */
export async function claimBatch(
  db: Db,
  input: { projectId: string; campaignId: string; batch: number; now: number },
): Promise<EmailMessageRow[]> {
  const inBatch = and(
    eq(emailMessages.campaignId, input.campaignId),
    eq(emailMessages.batch, input.batch),
    eq(emailMessages.status, "queued"),
    // A row of a later zone is never sent early, whatever woke the batch.
    sql`(${emailMessages.dueAt} is null or ${emailMessages.dueAt} <= ${input.now})`,
  );
  const unsendable = and(
    inBatch,
    sql`(exists (select 1 from ${suppressions} s where s.project_id = ${input.projectId} and s.email = ${emailMessages.email})
      or not exists (select 1 from ${contacts} c where c.id = ${emailMessages.contactId} and c.status = 'subscribed'))`,
  );
  const [, , claimed] = await db.batch([
    db
      .update(emailCampaigns)
      .set({
        skipped: sql`${emailCampaigns.skipped} + (select count(*) from ${emailMessages} where ${unsendable})`,
      })
      .where(eq(emailCampaigns.id, input.campaignId)),
    db
      .update(emailMessages)
      .set({ status: "skipped", error: "suppressed after scheduling", updatedAt: input.now })
      .where(unsendable),
    db
      .update(emailMessages)
      .set({ updatedAt: input.now, attempts: sql`${emailMessages.attempts} + 1` })
      .where(and(inBatch, sql`${emailMessages.updatedAt} < ${input.now - CLAIM_LEASE_MS}`))
      .returning(),
  ]);
  return claimed;
}

/** What a claimed row became after the provider's answer. */
export interface SettledMessage {
  id: string;
  status: "sent" | "queued" | "failed";
  /** Kept as they are when null. */
  variantId: string | null;
  trackingToken: string | null;
  links: string[] | null;
  providerMessageId: string | null;
  sentAt: number | null;
  error: string | null;
  updatedAt: number;
}

/**
 * Stores a batch's outcome in one D1 batch: every row by one UPDATE … FROM json_each (not one
 * statement per row), the campaign's counters moved by what this batch sent and failed, and the
 * campaign marked sent when no row is queued any more. The rows were claimed by this job alone,
 * so the increments count each row once; retries go back to queued and count nothing.
 */
export async function settleBatch(
  db: Db,
  input: { campaignId: string; now: number; messages: SettledMessage[] },
): Promise<void> {
  const sent = input.messages.filter((m) => m.status === "sent").length;
  const failed = input.messages.filter((m) => m.status === "failed").length;
  const rows = JSON.stringify(
    input.messages.map((m) => ({
      i: m.id,
      s: m.status,
      v: m.variantId,
      t: m.trackingToken,
      l: m.links,
      p: m.providerMessageId,
      a: m.sentAt,
      e: m.error,
      u: m.updatedAt,
    })),
  );
  const j = (field: string) => sql.raw(`json_extract(j.value, '$.${field}')`);
  await db.batch([
    db
      .update(emailMessages)
      .set({
        status: sql`${j("s")}`,
        variantId: sql`coalesce(${j("v")}, ${emailMessages.variantId})`,
        trackingToken: sql`coalesce(${j("t")}, ${emailMessages.trackingToken})`,
        links: sql`coalesce(json(${j("l")}), ${emailMessages.links})`,
        providerMessageId: sql`coalesce(${j("p")}, ${emailMessages.providerMessageId})`,
        sentAt: sql`coalesce(${j("a")}, ${emailMessages.sentAt})`,
        error: sql`${j("e")}`,
        updatedAt: sql`${j("u")}`,
      })
      .from(sql`json_each(${rows}) j`)
      // The unary plus keeps SQLite off the campaign index: json_each must drive the join (a
      // primary-key lookup per settled row), or every row of the campaign is joined with it.
      .where(sql`+${emailMessages.campaignId} = ${input.campaignId} and ${emailMessages.id} = ${j("i")}`),
    db
      .update(emailCampaigns)
      .set({
        sent: sql`${emailCampaigns.sent} + ${sent}`,
        failed: sql`${emailCampaigns.failed} + ${failed}`,
        updatedAt: input.now,
      })
      .where(eq(emailCampaigns.id, input.campaignId)),
    completeIfDone(db, input.campaignId, input.now),
  ]);
}

/** Marks a sending campaign sent once none of its rows is queued (an index lookup). */
function completeIfDone(db: Db, campaignId: string, now: number) {
  return db
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

/** completeIfDone on its own: a batch that found nothing to claim may have been the last. */
export async function completeCampaignIfDone(db: Db, campaignId: string, now: number): Promise<void> {
  await completeIfDone(db, campaignId, now);
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
 * when it is sending and no row is queued any more. Once per start (it reads every row); batches
 * move the counters by increments (settleBatch).
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

/** A page of a campaign's recipient rows in batch order (keyset on batch, contact id), optionally of one status. */
export async function listCampaignMessages(
  db: Db,
  projectId: string,
  campaignId: string,
  filter: { limit: number; status?: EmailMessageStatus; after?: { batch: number; contactId: string } },
) {
  const after = filter.after;
  return db
    .select()
    .from(emailMessages)
    .where(
      and(
        eq(emailMessages.projectId, projectId),
        eq(emailMessages.campaignId, campaignId),
        filter.status ? eq(emailMessages.status, filter.status) : undefined,
        after
          ? or(
              gt(emailMessages.batch, after.batch),
              and(eq(emailMessages.batch, after.batch), gt(emailMessages.contactId, after.contactId)),
            )
          : undefined,
      ),
    )
    .orderBy(emailMessages.batch, emailMessages.contactId)
    .limit(filter.limit);
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
