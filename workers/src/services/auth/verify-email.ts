import { sha256Hex } from "@pushbunny/core";
import { claimEmailToken, findEmailToken, findUserById, markEmailVerified } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { checkLinkToken, linkUsed } from "./lib/link-tokens";
import { toUser, type User } from "./lib/users";

/** Marks an address verified with the link's token (single use, 24 hours). */
export async function verifyEmail({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { token: string };
}): Promise<User> {
  const now = ctx.now();
  const row = await findEmailToken(ctx.db, await sha256Hex(input.token), "verify_email");
  checkLinkToken(row, now, "verification");
  if (!(await claimEmailToken(ctx.db, row.id, now))) throw linkUsed("verification");
  await markEmailVerified(ctx.db, row.userId, now);
  const user = await findUserById(ctx.db, row.userId);
  if (!user) throw new BadRequestError("this verification link belongs to no account");
  return toUser(user);
}
