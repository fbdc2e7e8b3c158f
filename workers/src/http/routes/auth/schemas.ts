import { z } from "@hono/zod-openapi";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from "@pushbunny/core";
import { isEmail, MAX_EMAIL_LENGTH, normalizeEmail } from "../../../services/auth/lib/email";
import { ErrorEnvelope, isWellFormed, WELL_FORMED } from "../../schemas";

// Request and response shapes every /v1/auth route shares, snake_case on the wire.

/** Trimmed and lower-cased before it is checked, so `" Ada@Example.COM "` is `ada@example.com`. */
export const Email = z
  .string()
  .max(MAX_EMAIL_LENGTH + 64, `at most ${MAX_EMAIL_LENGTH} characters`)
  .transform(normalizeEmail)
  .refine((email) => email.length <= MAX_EMAIL_LENGTH, `at most ${MAX_EMAIL_LENGTH} characters`)
  .refine(isEmail, "must be an email address like name@example.com")
  .openapi({
    type: "string",
    format: "email",
    maxLength: MAX_EMAIL_LENGTH,
    description: "Compared trimmed and lower-cased",
    example: "ada@example.com",
  });

/** A password being chosen: the rules of packages/core/src/password.ts. */
export const NewPassword = z
  .string()
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: `${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not only whitespace; no other rules`,
    example: "correct horse battery staple",
  });

/** A password being checked: bounded, and no rules (they may have changed since it was set). */
export const CurrentPassword = z
  .string()
  .min(1, "required")
  .max(4 * PASSWORD_MAX_LENGTH, "too long")
  .refine(isWellFormed, WELL_FORMED)
  .openapi({ example: "correct horse battery staple" });

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export const Name = z
  .string()
  .trim()
  .max(100, "at most 100 characters")
  .refine((v) => !CONTROL_CHARS.test(v), "must not contain control characters")
  .refine(isWellFormed, WELL_FORMED)
  .openapi({ description: "How the dashboard greets the person", example: "Ada Lovelace" });

/** A token from a mailed link or a refresh token: opaque, bounded. */
export const OpaqueToken = (example: string) =>
  z.string().trim().min(1, "required").max(512, "too long").openapi({ example });

export const AuthUser = z
  .object({
    user_id: z.string().openapi({ example: "usr_0a1b2c3d4e5f60718293" }),
    email: z.string().openapi({ example: "ada@example.com" }),
    name: z.string().openapi({ example: "Ada Lovelace" }),
    email_verified: z.boolean().openapi({ example: false }),
    created_at: z.string().openapi({ format: "date-time", example: "2026-12-06T09:00:00.000Z" }),
  })
  .openapi("AuthUser");

export const TokenPair = z
  .object({
    access_token: z.string().openapi({ description: "A JWT for `Authorization: Bearer …`, 15 minutes" }),
    refresh_token: z.string().openapi({
      description: "Exchange once at POST /v1/auth/refresh for a new pair; a second use ends the session",
      example: "pbr_…",
    }),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ description: "Seconds the access token lives", example: 900 }),
    refresh_expires_at: z.string().openapi({ format: "date-time", example: "2027-01-05T09:00:00.000Z" }),
  })
  .openapi("TokenPair");

export const Session = TokenPair.extend({ user: AuthUser }).openapi("Session");

/**
 * Login's answer: a session, plus the upstream PushBunny SDKs' `api_key` when the person has a
 * project (docs/adr/0018-login-keys.md). The key fields are present together or not at all.
 */
export const LoginSession = Session.extend({
  api_key: z.string().optional().openapi({
    description:
      "A project API key (`pb_live_…`) for `Authorization: Bearer …` on the SDK routes (/v1/resolve, /v1/variants, /v1/message, /v1/events, /v1/stats …), shown in this response only. Scopes from the person's role: viewer → read; member, admin, owner → message + read. Lives 30 days; listed and revocable under the project's API keys; revoked when the person leaves the project, changes role or resets the password. At most 5 per person and project: a 6th login revokes the oldest. Absent when the person has no project (or the project is at its 200-key cap).",
    example: "pb_live_3f9a1c2b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
  }),
  api_key_id: z.string().optional().openapi({ example: "key_3f9a1c2b7d4e5f607182" }),
  project_id: z.string().optional().openapi({
    description:
      "The project the key belongs to: the one asked for, else the person's only or first-joined project",
    example: "prj_0a1b2c3d4e5f60718293",
  }),
  api_key_scopes: z
    .array(z.enum(["message", "read"]))
    .optional()
    .openapi({ example: ["message", "read"] }),
  api_key_expires_at: z
    .string()
    .optional()
    .openapi({ format: "date-time", example: "2027-01-05T09:00:00.000Z" }),
}).openapi("LoginSession");

export const Ok = z.object({ ok: z.literal(true) }).openapi("Ok");

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

/** What a public auth route can answer besides success (no 401/403: no credential to get wrong). */
export const publicAuthErrors = {
  400: error("Invalid request: `issues` lists each field problem"),
  413: error("Body too large"),
  429: error("Too many attempts; retry after `Retry-After` seconds"),
  500: error("Unexpected error (logged with the request id)"),
  503: error("Sign-in is not configured on this deployment (AUTH_SECRET); retry later"),
} as const;

export const unauthorized = (description: string) => ({ 401: error(description) }) as const;
export const conflict = (description: string) => ({ 409: error(description) }) as const;
export const unavailable = {
  503: error("Sign-in is not configured on this deployment (AUTH_SECRET); retry later"),
} as const;

export const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
