import { sha256Hex } from "@pushbunny/core";
import * as z from "zod";
import type { AppContext } from "../../../../context";
import { BadRequestError } from "../../../../errors";
import { constantTimeEqual } from "../../../../push/identity";

/** A sign-in must come back from the provider within this (KV TTL and a checked age). */
export const FLOW_TTL_SECONDS = 600;

/** What the start of a sign-in leaves for its callback, keyed by its state. */
export interface FlowRecord {
  /** The PKCE code verifier (the provider saw only its S256 challenge). */
  verifier: string;
  nonce: string;
  /** SHA-256 of the browser-binding cookie, so only the browser that started may finish. */
  binding: string;
  created: number;
}

const FlowRecordSchema = z.object({
  verifier: z.string(),
  nonce: z.string(),
  binding: z.string(),
  created: z.number(),
});

/** The KV key of a sign-in: derived from its state, so KV never holds a usable state. */
export async function flowKey(state: string): Promise<string> {
  return `oidc:google:${await sha256Hex(state)}`;
}

export async function saveFlow(
  ctx: AppContext,
  input: { state: string; verifier: string; nonce: string; binding: string },
): Promise<void> {
  const record: FlowRecord = {
    verifier: input.verifier,
    nonce: input.nonce,
    binding: await sha256Hex(input.binding),
    created: ctx.now(),
  };
  await ctx.kv.put(await flowKey(input.state), JSON.stringify(record), { expirationTtl: FLOW_TTL_SECONDS });
}

const restart = "start again at GET /v1/auth/google/start";

/**
 * Takes a sign-in's record (deleting it: a state works once) and checks that this browser
 * started it. Refuses unknown, used or expired states and other browsers' states (login CSRF).
 */
export async function takeFlow(
  ctx: AppContext,
  input: { state: string; binding: string | undefined },
): Promise<FlowRecord> {
  const key = await flowKey(input.state);
  const raw = await ctx.kv.get(key);
  if (raw === null) {
    throw new BadRequestError(
      `unknown, used or expired sign-in state: each sign-in works once and within ${FLOW_TTL_SECONDS / 60} minutes; ${restart}`,
    );
  }
  // KV is eventually consistent across locations; a replay that slips through still fails at
  // the provider, which accepts each authorization code once.
  await ctx.kv.delete(key);
  const parsed = FlowRecordSchema.safeParse(parseJson(raw));
  if (!parsed.success || ctx.now() - parsed.data.created > FLOW_TTL_SECONDS * 1000) {
    throw new BadRequestError(`expired sign-in state; ${restart}`);
  }
  if (!input.binding) {
    throw new BadRequestError(
      `the sign-in cookie is missing: finish signing in in the browser that started it, with cookies enabled; ${restart}`,
    );
  }
  if (!constantTimeEqual(await sha256Hex(input.binding), parsed.data.binding)) {
    throw new BadRequestError(`this sign-in was started in another browser; ${restart}`);
  }
  return parsed.data;
}

/** Deletes a sign-in's record when the provider reports a failure, so its state cannot be reused. */
export async function dropFlow(ctx: AppContext, state: string): Promise<void> {
  await ctx.kv.delete(await flowKey(state));
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
