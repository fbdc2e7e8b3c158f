import { newId } from "@pushbunny/core";
import { type ContactAttributes, findSuppression, insertContact } from "@pushbunny/db";
import { normalizeEmail } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import { attributeIssues, type Contact, toContact } from "./lib/contact";

/**
 * Adds a contact. The address is normalised (the uniqueness key); a suppressed address is stored
 * with the suppression's status, never `subscribed`: suppression wins over any create.
 */
export async function createContact({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: {
    email: string;
    name?: string | null;
    locale?: string | null;
    timeZone?: string | null;
    attributes?: ContactAttributes;
  };
}): Promise<Contact> {
  const email = normalizeEmail(input.email);
  if (!email.ok) throw BadRequestError.fromIssues([{ path: "email", message: email.reason }]);
  const issues = attributeIssues(input.attributes ?? {});
  if (issues.length > 0) throw BadRequestError.fromIssues(issues);
  const suppression = await findSuppression(ctx.db, projectId, email.email);
  const now = ctx.now();
  const row = await insertContact(ctx.db, {
    id: newId("ctc"),
    projectId,
    email: email.email,
    name: input.name ?? null,
    locale: input.locale ?? null,
    timeZone: input.timeZone ?? null,
    attributes: input.attributes ?? {},
    status: suppression ? statusFor(suppression.reason) : "subscribed",
    createdAt: now,
    updatedAt: now,
  });
  if (!row) throw new ConflictError(`a contact with the address '${email.email}' already exists`);
  return toContact(row);
}

/** The contact status a suppression reason implies. */
export function statusFor(reason: string): "unsubscribed" | "bounced" | "complained" {
  return reason === "bounced" ? "bounced" : reason === "complained" ? "complained" : "unsubscribed";
}
