import { and, desc, eq, like, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  type ContactRow,
  type ContactStatus,
  contacts,
  type NewContactRow,
  type SuppressionReason,
  type SuppressionRow,
  suppressions,
} from "../schema";
import { olderThan, type PageAnchor } from "./keyset";

/** Inserts a contact; null when the project already has one with that address. */
export async function insertContact(db: Db, row: NewContactRow): Promise<ContactRow | null> {
  const [saved] = await db.insert(contacts).values(row).onConflictDoNothing().returning();
  return saved ?? null;
}

export async function findContact(db: Db, projectId: string, id: string): Promise<ContactRow | null> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.projectId, projectId), eq(contacts.id, id)))
    .limit(1);
  return row ?? null;
}

export async function findContactByEmail(
  db: Db,
  projectId: string,
  email: string,
): Promise<ContactRow | null> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.projectId, projectId), eq(contacts.email, email)))
    .limit(1);
  return row ?? null;
}

/** `%` and `_` are LIKE wildcards: a typed prefix must match only itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A page of contacts, newest first, by status and address prefix. */
export function listContactsPage(
  db: Db,
  projectId: string,
  filter: { status?: ContactStatus; emailPrefix?: string; limit: number; after?: PageAnchor; where?: SQL },
): Promise<ContactRow[]> {
  return db
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.projectId, projectId),
        filter.status ? eq(contacts.status, filter.status) : undefined,
        filter.emailPrefix
          ? like(contacts.email, sql`${`${escapeLike(filter.emailPrefix)}%`} ESCAPE '\\'`)
          : undefined,
        filter.where,
        olderThan(contacts.createdAt, contacts.id, filter.after),
      ),
    )
    .orderBy(desc(contacts.createdAt), desc(contacts.id))
    .limit(filter.limit);
}

/** Changes a contact's fields (never its project or address). */
export async function updateContactRow(
  db: Db,
  projectId: string,
  id: string,
  set: Partial<Pick<ContactRow, "name" | "locale" | "timeZone" | "attributes" | "status" | "updatedAt">>,
): Promise<ContactRow | null> {
  const [row] = await db
    .update(contacts)
    .set(set)
    .where(and(eq(contacts.projectId, projectId), eq(contacts.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteContactRow(db: Db, projectId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(contacts)
    .where(and(eq(contacts.projectId, projectId), eq(contacts.id, id)))
    .returning({ id: contacts.id });
  return rows.length > 0;
}

export async function findSuppression(
  db: Db,
  projectId: string,
  email: string,
): Promise<SuppressionRow | null> {
  const [row] = await db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.projectId, projectId), eq(suppressions.email, email)))
    .limit(1);
  return row ?? null;
}

/**
 * Suppresses an address and sets its contact's status, in one batch. A stronger reason is never
 * replaced by a weaker one: a bounce or complaint stays when the person later unsubscribes.
 */
export async function suppressAddress(
  db: Db,
  input: {
    projectId: string;
    email: string;
    reason: SuppressionReason;
    source: string;
    status: Exclude<ContactStatus, "subscribed">;
    now: number;
  },
): Promise<void> {
  await db.batch([
    db
      .insert(suppressions)
      .values({
        projectId: input.projectId,
        email: input.email,
        reason: input.reason,
        source: input.source,
        createdAt: input.now,
      })
      .onConflictDoUpdate({
        target: [suppressions.projectId, suppressions.email],
        set: { reason: input.reason, source: input.source, createdAt: input.now },
        setWhere: sql`${suppressions.reason} IN ('unsubscribed', 'manual')`,
      }),
    db
      .update(contacts)
      .set({ status: input.status, updatedAt: input.now })
      .where(
        and(
          eq(contacts.projectId, input.projectId),
          eq(contacts.email, input.email),
          sql`${contacts.status} IN ('subscribed', 'unsubscribed')`,
        ),
      ),
  ]);
}

/** Where a suppression came from that the person themselves may undo: their own unsubscribe. */
export const SELF_SERVICE_SOURCES = ["one_click", "unsubscribe_page", "preferences"] as const;

/**
 * Lifts an unsubscribe: the suppression goes (only one of reason `unsubscribed` or `manual`) and
 * the contact is subscribed again. False when a bounce or complaint keeps it suppressed.
 * `selfService` lifts only an unsubscribe the person made from a mail's link or page: what the
 * tenant set (a manual entry, an unsubscribe through the API) stays.
 */
export async function liftUnsubscribe(
  db: Db,
  input: { projectId: string; email: string; now: number; selfService?: boolean },
): Promise<boolean> {
  const lifted = input.selfService
    ? sql`${suppressions.reason} = 'unsubscribed' AND ${suppressions.source} IN (${sql.join(
        SELF_SERVICE_SOURCES.map((s) => sql`${s}`),
        sql`, `,
      )})`
    : sql`${suppressions.reason} IN ('unsubscribed', 'manual')`;
  const [, updated] = await db.batch([
    db
      .delete(suppressions)
      .where(and(eq(suppressions.projectId, input.projectId), eq(suppressions.email, input.email), lifted)),
    db
      .update(contacts)
      .set({ status: "subscribed", updatedAt: input.now })
      .where(
        and(
          eq(contacts.projectId, input.projectId),
          eq(contacts.email, input.email),
          sql`NOT EXISTS (SELECT 1 FROM ${suppressions} WHERE ${suppressions.projectId} = ${input.projectId} AND ${suppressions.email} = ${input.email})`,
        ),
      )
      .returning({ id: contacts.id }),
  ]);
  return updated.length > 0;
}

/** A page of the project's suppressions, newest first. */
export function listSuppressionsPage(
  db: Db,
  projectId: string,
  filter: { limit: number; after?: { createdAt: number; email: string } },
): Promise<SuppressionRow[]> {
  const after = filter.after;
  return db
    .select()
    .from(suppressions)
    .where(
      and(
        eq(suppressions.projectId, projectId),
        after
          ? sql`(${suppressions.createdAt} < ${after.createdAt} OR (${suppressions.createdAt} = ${after.createdAt} AND ${suppressions.email} < ${after.email}))`
          : undefined,
      ),
    )
    .orderBy(desc(suppressions.createdAt), desc(suppressions.email))
    .limit(filter.limit);
}
