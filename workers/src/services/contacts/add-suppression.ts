import { findSuppression, type SuppressionReason, type SuppressionRow, suppressAddress } from "@pushbunny/db";
import { normalizeEmail } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { statusFor } from "./create-contact";

/**
 * Suppresses an address, whether or not it is a contact yet (a do-not-mail list from another
 * tool); its contact, if any, takes the matching status. A bounce or complaint already recorded
 * is kept over a weaker reason.
 */
export async function addSuppression({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { email: string; reason: SuppressionReason };
}): Promise<SuppressionRow> {
  const email = normalizeEmail(input.email);
  if (!email.ok) throw BadRequestError.fromIssues([{ path: "email", message: email.reason }]);
  await suppressAddress(ctx.db, {
    projectId,
    email: email.email,
    reason: input.reason,
    source: "api",
    status: statusFor(input.reason),
    now: ctx.now(),
  });
  const row = await findSuppression(ctx.db, projectId, email.email);
  if (!row) throw new Error("suppression was not stored");
  return row;
}
