import type { AppContext } from "../../context";
import { rotateSession, type SessionTokens } from "./lib/sessions";

/** A new token pair for a refresh token (rotation and reuse detection: lib/sessions.ts). */
export async function refresh({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { refreshToken: string };
}): Promise<SessionTokens> {
  return rotateSession({ ctx, input });
}
