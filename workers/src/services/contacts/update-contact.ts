import {
  type ContactAttributes,
  type ContactStatus,
  liftUnsubscribe,
  suppressAddress,
  updateContactRow,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../../errors";
import { attributeIssues, type Contact, mustContact, toContact } from "./lib/contact";

/**
 * Changes a contact. Status rules (docs/adr/0023-email-channel.md, "Audiences"): any status may
 * become unsubscribed, bounced or complained (the address is suppressed too); back to `subscribed`
 * only from `unsubscribed`, and only for a caller with admin access (`canResubscribe`): the tenant
 * states the person opted in again. Bounces and complaints stay suppressed (409).
 */
export async function updateContact({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: {
    contactId: string;
    name?: string | null;
    locale?: string | null;
    timeZone?: string | null;
    attributes?: ContactAttributes;
    status?: ContactStatus;
    canResubscribe: boolean;
  };
}): Promise<Contact> {
  if (input.attributes) {
    const issues = attributeIssues(input.attributes);
    if (issues.length > 0) throw BadRequestError.fromIssues(issues);
  }
  const current = await mustContact(ctx, projectId, input.contactId);
  const now = ctx.now();
  if (input.status && input.status !== current.status) {
    if (input.status === "subscribed") {
      if (current.status !== "unsubscribed")
        throw new ConflictError(
          `a ${current.status} address stays suppressed; it cannot be subscribed again`,
        );
      if (!input.canResubscribe)
        throw new ForbiddenError("only an admin may subscribe an unsubscribed contact again");
      await liftUnsubscribe(ctx.db, { projectId, email: current.email, now });
    } else if (
      current.status === "subscribed" ||
      current.status === "unsubscribed" ||
      input.status !== "unsubscribed"
    ) {
      await suppressAddress(ctx.db, {
        projectId,
        email: current.email,
        reason: input.status,
        source: "api",
        status: input.status,
        now,
      });
    }
  }
  const row = await updateContactRow(ctx.db, projectId, input.contactId, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.locale !== undefined ? { locale: input.locale } : {}),
    ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
    ...(input.attributes !== undefined ? { attributes: input.attributes } : {}),
    updatedAt: now,
  });
  if (!row) throw new NotFoundError(`contact '${input.contactId}' not found`);
  return toContact(row);
}
