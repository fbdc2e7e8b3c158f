import type { InviteRow } from "@pushbunny/db";
import { isRole, type Role } from "../../../access/levels";

/** A pending (or just created) invitation to a project. */
export interface Invite {
  id: string;
  projectId: string;
  email: string;
  role: Role;
  /** The actor who sent it. */
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
}

export const toInvite = (r: InviteRow): Invite => ({
  id: r.id,
  projectId: r.projectId,
  email: r.email,
  role: isRole(r.role) ? r.role : "viewer",
  invitedBy: r.invitedBy,
  createdAt: r.createdAt,
  expiresAt: r.expiresAt,
});
