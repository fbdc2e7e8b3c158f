import { sha256Hex } from "@pushbunny/core";
import { findFamilyOfRefreshToken } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { endSession, REFRESH_TOKEN_PREFIX } from "./lib/sessions";

/**
 * Ends the caller's login (the session family of the access token). A refresh token sent too
 * ends its own family when it is the caller's (a client holding an older login's token); one
 * that is not the caller's is ignored without saying so.
 */
export async function logout({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { userId: string; sessionId: string; refreshToken?: string };
}): Promise<void> {
  await endSession(ctx, { familyId: input.sessionId, userId: input.userId, reason: "logout" });
  if (input.refreshToken?.startsWith(REFRESH_TOKEN_PREFIX)) {
    const familyId = await findFamilyOfRefreshToken(
      ctx.db,
      await sha256Hex(input.refreshToken),
      input.userId,
    );
    if (familyId && familyId !== input.sessionId) {
      await endSession(ctx, { familyId, userId: input.userId, reason: "logout" });
    }
  }
}
