import type { UserRow } from "@pushbunny/db";

/** A person as verbs return them (no password hash, ever). */
export interface User {
  id: string;
  email: string;
  name: string;
  emailVerifiedAt: number | null;
  createdAt: number;
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  emailVerifiedAt: row.emailVerifiedAt,
  createdAt: row.createdAt,
});
