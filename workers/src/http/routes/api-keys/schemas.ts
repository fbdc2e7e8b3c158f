import { z } from "@hono/zod-openapi";
import { API_KEY_SCOPES } from "../../../access/levels";
import { GRACE_SECONDS, KEY_MODES, NAME_MAX } from "../../../services/api-keys/lib/api-key";
import { ErrorEnvelope, Instant, isWellFormed, WELL_FORMED } from "../../schemas";

/** Shared by every API-key route: the request and response shapes, snake_case. */

export const ProjectParams = z.object({
  project_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "project_id", in: "path" }, example: "prj_0a1b2c3d4e5f60718293" }),
});

export const KeyParams = ProjectParams.extend({
  key_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "key_id", in: "path" }, example: "key_3f9a1c2b7d4e5f607182" }),
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export const KeyName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(NAME_MAX)
  .refine((v) => !CONTROL_CHARS.test(v), "must not contain control characters")
  .refine(isWellFormed, WELL_FORMED)
  .openapi({ description: "What the key is for, shown in lists", example: "iOS app (production)" });

export const Scope = z.enum(API_KEY_SCOPES).openapi({
  description:
    "message: what an SDK needs (message, events, resolve, metrics, subscriptions); read: stats, analytics, lists; admin: managing the project",
  example: "message",
});

export const Mode = z.enum(KEY_MODES).openapi({
  description:
    "live (`pb_live_…`) or test (`pb_test_…`). Test-mode keys carry the message and read scopes only (asking for admin is a 400).",
  example: "live",
});

export const GraceSeconds = z
  .number()
  .int("a whole number of seconds")
  .min(GRACE_SECONDS.min)
  .max(GRACE_SECONDS.max)
  .openapi({
    description: "How long the old key keeps working (0 to 604800; a day by default)",
    example: 86_400,
  });

const when = (description: string) =>
  z.string().nullable().openapi({ description, format: "date-time", example: null });

export const ApiKeyView = z
  .object({
    key_id: z.string().openapi({ example: "key_3f9a1c2b7d4e5f607182" }),
    name: z.string().openapi({ example: "iOS app (production)" }),
    prefix: z.string().openapi({ description: "The key's first 12 characters", example: "pb_live_3f9a" }),
    scopes: z.array(Scope),
    mode: Mode,
    status: z.enum(["active", "expired", "revoked"]).openapi({ example: "active" }),
    created_at: z.string().openapi({ format: "date-time", example: "2026-12-06T09:00:00.000Z" }),
    created_by: z.string().nullable().openapi({
      description: "`user:<id>` or `api_key:<prefix>…`",
      example: "user:usr_0a1b2c3d4e5f60718293",
    }),
    last_used_at: when("Recorded within about a minute of use; null: never used"),
    expires_at: when("After this the key is refused; null: never"),
    revoked_at: when("null unless revoked"),
    rolled_to: z
      .string()
      .nullable()
      .openapi({ description: "The key a roll replaced this one with", example: null }),
    login_user_id: z.string().nullable().openapi({
      description:
        "Set on keys POST /v1/auth/login minted for a person (their user id): scoped by their role, 30 days, revoked when they leave, change role or reset the password; they cannot be rolled",
      example: null,
    }),
  })
  .openapi("ApiKey");

export const IssuedApiKeyView = ApiKeyView.extend({
  key: z.string().openapi({
    description: "The secret: shown in this response only, stored only as its SHA-256",
    example: "pb_live_3f9a1c2b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
  }),
}).openapi("IssuedApiKey");

export const apiKeyResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ApiKeyView } },
});

export const issuedKeyResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: IssuedApiKeyView } },
});

/** Instants the key routes take, with `null` meaning "never". */
export const ExpiresAt = Instant.nullable();

/** The 409 a lifecycle change can meet (a revoked or rolled key, or the cap on working keys). */
export const conflict = (description: string) =>
  ({ 409: { description, content: { "application/json": { schema: ErrorEnvelope } } } }) as const;
