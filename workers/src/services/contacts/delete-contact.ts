import { deleteContactRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";

/** Deletes a contact. Its suppression (if any) stays: re-adding the address keeps it suppressed. */
export async function deleteContact({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { contactId: string };
}): Promise<void> {
  if (!(await deleteContactRow(ctx.db, projectId, input.contactId)))
    throw new NotFoundError(`contact '${input.contactId}' not found`);
}
