import type { AppContext } from "../../context";
import { type Contact, mustContact, toContact } from "./lib/contact";

/** One of the project's contacts. */
export async function getContact({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { contactId: string };
}): Promise<Contact> {
  return toContact(await mustContact(ctx, projectId, input.contactId));
}
