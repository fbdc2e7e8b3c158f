import { z } from "@hono/zod-openapi";
import { ErrorEnvelope } from "../../schemas";

// OpenAPI pieces the push, subscription and notification routes share.

export const Topic = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, "letters, digits and _ . : - only");

export const PathId = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name, in: "path" }, example });

export const anyJson = (description: string) => ({
  description,
  content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
});

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

export const conflict = (description: string) => ({ 409: error(description) }) as const;
export const forbidden = (description: string) => ({ 403: error(description) }) as const;
export const tooLarge = {
  413: error("The payload can never fit a push message (4,096 bytes encrypted)"),
} as const;
export const rateLimited = {
  429: error("Too many requests from this address or for this project; retry after `Retry-After` seconds"),
} as const;
/** The errors every anonymous route can answer (no 401: there is no key to get wrong). */
export const publicErrors = {
  400: error("Invalid request: `issues` lists each field problem"),
  ...rateLimited,
  500: error("Unexpected error (logged with the request id)"),
} as const;
export const projectNotFound = { 404: error("No such project") } as const;

/** No credentials: the anonymous routes. */
export const NO_AUTH: { [name: string]: string[] }[] = [];

/** Unix ms as the wire's ISO 8601 (null stays null). */
export const iso = <T extends number | null>(ms: T): T extends number ? string : string | null =>
  (ms === null ? null : new Date(ms).toISOString()) as T extends number ? string : string | null;
