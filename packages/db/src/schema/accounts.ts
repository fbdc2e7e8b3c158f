import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";

/**
 * People. Accounts live above projects (a person belongs to many), so these rows carry no
 * project id; everything a person does inside a project is checked through project_members.
 */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Lower-cased and trimmed; the identity for login, invites and throttling. */
  email: text("email").notNull().unique(),
  name: text("name").notNull().default(""),
  /** `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`; null for Google-only accounts. */
  passwordHash: text("password_hash"),
  emailVerifiedAt: integer("email_verified_at"),
  /** Bumped by a password reset: access tokens minted before it stop working. */
  sessionsValidAfter: integer("sessions_valid_after").notNull().default(0),
  ...timestamps,
});

/** Sign-in identities from other issuers (Google's `sub`), linked to one user. */
export const userIdentities = sqliteTable(
  "user_identities",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    provider: text("provider").notNull(),
    subject: text("subject").notNull(),
    email: text("email").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("user_identities_subject_idx").on(t.provider, t.subject),
    index("user_identities_user_idx").on(t.userId),
  ],
);

/**
 * One login's chain of refresh tokens. Rotation keeps the family; a token used twice means it
 * leaked, so the whole family is revoked. Access tokens carry the family id (`sid`), so logout
 * and reuse detection also end the access tokens of that login.
 */
export const sessionFamilies = sqliteTable(
  "session_families",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** How the login began: password | google | api (the SDK login). */
    method: text("method").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    revokedAt: integer("revoked_at"),
    /** logout | reuse | password_reset | expired */
    revokedReason: text("revoked_reason"),
  },
  (t) => [index("session_families_user_idx").on(t.userId)],
);

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    familyId: text("family_id").notNull(),
    userId: text("user_id").notNull(),
    /** SHA-256 of the token; the token itself is never stored. */
    digest: text("digest").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** Set when exchanged for a new pair; a second exchange is reuse. */
    usedAt: integer("used_at"),
  },
  (t) => [index("refresh_tokens_family_idx").on(t.familyId)],
);

/** Single-use, short-lived tokens mailed to people: email verification and password reset. */
export const emailTokens = sqliteTable(
  "email_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** verify_email | reset_password */
    purpose: text("purpose").notNull(),
    digest: text("digest").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("email_tokens_user_idx").on(t.userId, t.purpose)],
);

/** owner | admin | member | viewer */
export const projectMembers = sqliteTable(
  "project_members",
  {
    projectId: text("project_id").notNull(),
    userId: text("user_id").notNull(),
    role: text("role").notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index("project_members_user_idx").on(t.userId)],
);

export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    email: text("email").notNull(),
    role: text("role").notNull(),
    /** SHA-256 of the token in the accept link. */
    digest: text("digest").notNull().unique(),
    invitedBy: text("invited_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    acceptedAt: integer("accepted_at"),
    acceptedBy: text("accepted_by"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("invites_project_idx").on(t.projectId, t.createdAt)],
);

/** Who did what to a project, newest first by id (time-sortable `aud_` ids). */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    at: integer("at").notNull(),
    /** `user:<id>` or `api_key:<prefix>…`; never a whole key. */
    actor: text("actor").notNull(),
    /** e.g. api_key.created, member.role_changed, experiment.winner_declared */
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("audit_log_project_idx").on(t.projectId, t.id)],
);

/**
 * The local Mailer's outbox: every message account flows send, readable in development. A real
 * transport still records here, with the provider's id, so nothing sent is invisible.
 */
export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: text("id").primaryKey(),
    /** The project a message concerns (invites); null for account mail. */
    projectId: text("project_id"),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    /** verify_email | reset_password | invite */
    kind: text("kind").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("mail_outbox_to_idx").on(t.to, t.createdAt)],
);

export type UserRow = typeof users.$inferSelect;
export type ProjectMemberRow = typeof projectMembers.$inferSelect;
export type InviteRow = typeof invites.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
