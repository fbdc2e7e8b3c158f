import { newSecretToken, sha256Hex } from "@pushbunny/core";
import * as z from "zod";
import type { AppContext } from "../../../context";
import { BadRequestError } from "../../../errors";

/** An installation must come back to the setup URL within this (KV TTL and a checked age). */
export const SETUP_STATE_TTL_SECONDS = 600;

const SetupState = z.object({ projectId: z.string(), actor: z.string(), created: z.number() });
export type SetupState = z.infer<typeof SetupState>;

// Keyed by a hash of the state, so KV never holds a usable one.
const keyOf = async (state: string) => `github:setup:${await sha256Hex(state)}`;

/** A fresh single-use state bound to the project and the admin who asked. */
export async function issueSetupState(ctx: AppContext, input: { projectId: string; actor: string }) {
  const state = newSecretToken("ghs_");
  const record: SetupState = { projectId: input.projectId, actor: input.actor, created: ctx.now() };
  await ctx.kv.put(await keyOf(state), JSON.stringify(record), { expirationTtl: SETUP_STATE_TTL_SECONDS });
  return { state, expiresAt: ctx.now() + SETUP_STATE_TTL_SECONDS * 1000 };
}

const restart = "start again with GET /v1/github/authorize";

/**
 * Reads a state without spending it (so a person who must sign in first can reload the link);
 * refuses unknown, used or expired ones.
 */
export async function readSetupState(ctx: AppContext, state: string | undefined): Promise<SetupState> {
  if (!state) {
    throw new BadRequestError(
      `the setup link has no state: install the App from the link GET /v1/github/authorize gives; ${restart}`,
    );
  }
  const raw = await ctx.kv.get(await keyOf(state));
  if (raw === null) {
    throw new BadRequestError(
      `unknown, used or expired setup state: each link works once and within ${SETUP_STATE_TTL_SECONDS / 60} minutes; ${restart}`,
    );
  }
  let parsed: ReturnType<typeof SetupState.safeParse>;
  try {
    parsed = SetupState.safeParse(JSON.parse(raw));
  } catch {
    parsed = SetupState.safeParse(null);
  }
  if (!parsed.success || ctx.now() - parsed.data.created > SETUP_STATE_TTL_SECONDS * 1000) {
    throw new BadRequestError(`expired setup state; ${restart}`);
  }
  return parsed.data;
}

/** Takes a state (deleting it: it works once); refuses unknown, used or expired ones. */
export async function takeSetupState(ctx: AppContext, state: string | undefined): Promise<SetupState> {
  const data = await readSetupState(ctx, state);
  await ctx.kv.delete(await keyOf(state ?? ""));
  return data;
}
