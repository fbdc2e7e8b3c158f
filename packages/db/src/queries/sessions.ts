import type { Db } from "../client";
import { refreshTokens, sessionFamilies } from "../schema";

/** Starts a login: its family and first refresh token, in one batch. */
export async function insertSession(
  db: Db,
  input: {
    familyId: string;
    userId: string;
    method: string;
    tokenId: string;
    digest: string;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  await db.batch([
    db.insert(sessionFamilies).values({
      id: input.familyId,
      userId: input.userId,
      method: input.method,
      createdAt: input.now,
      lastUsedAt: input.now,
    }),
    db.insert(refreshTokens).values({
      id: input.tokenId,
      familyId: input.familyId,
      userId: input.userId,
      digest: input.digest,
      createdAt: input.now,
      expiresAt: input.expiresAt,
    }),
  ]);
}
