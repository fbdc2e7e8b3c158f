import type { KeyOwner } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { tryQuota } from "../../ratelimit/quotas";
import { pickMessage } from "./get-message";

export interface ResolveMessageInput {
  intentId: string;
  baseMessage: string;
  /** Canonical BCP-47 tag, or null for the project's default. */
  locale: string | null;
  /** The SDKs' free-text context ("delivery"); "" when none. */
  context: string;
}

export interface ResolveMessageOutput {
  /** The id the SDK sends back to POST /v1/metrics: the impression's tracking token, or `base_…` untracked. */
  variantId: string;
  text: string;
  /** The intent the copy was chosen for: the app's, or `auto-…` for a random UUID. */
  intentId: string;
  locale: string;
  tracked: boolean;
  /** The variant's catalogue id and experiment (as in GET /v1/variants), when tracked. */
  variant: { id: string; experimentId: string } | null;
  reason: string | null;
}

/** The longest context kept on an impression. */
export const MAX_NOTE_LENGTH = 256;

// Only a short label ("delivery", "e-commerce", "order shipped") becomes the generation hint:
// anyone holding an app's key can send the first request for a new message, and a sentence
// could steer the copy every user then gets. The impression keeps whatever was sent.
const HINT = /^[\p{L}\p{N}][\p{L}\p{N} _.,:&/'-]{0,63}$/u;

/** The context as a generation hint, or null when it is not a short label. */
export const hintOf = (note: string | null) => (note !== null && HINT.test(note) ? note : null);

// The mobile SDKs send `Uuid.random()` when the app names no intent: version 4, RFC 4122 variant.
const RANDOM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True for an intent id the SDKs made up (a random UUID v4) rather than one the app named. */
export const isRandomIntent = (intentId: string) => RANDOM_UUID.test(intentId);

/**
 * The intent a random-UUID request is pooled under: the same base message is the same
 * notification, whatever UUID each call carried. Readable in stats (a slug of the message) and
 * unique by a 64-bit hash of its normalized text.
 */
export async function autoIntentId(baseMessage: string): Promise<string> {
  const normalized = baseMessage.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
  const slug = normalized
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  // 128 bits of SHA-256: two different messages never share a pool, even chosen by someone trying.
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(normalized)));
  let hash = "";
  for (const b of digest.subarray(0, 16)) hash += b.toString(16).padStart(2, "0");
  return slug ? `auto-${slug}-${hash}` : `auto-${hash}`;
}

/**
 * POST /v1/resolve: the mobile SDKs' call, on the same engine as /v1/message (intent and locale
 * pool, the experiment's strategy, background generation, the impression queued off the hot
 * path). The variant id it answers is the impression's tracking token, so POST /v1/metrics can
 * find the project and the impression from it without a key and without a database read.
 *
 * A random-UUID intent (the SDKs' default) is pooled by its base message, and such a request
 * creates an experiment only within the project's generation quota: beyond it the base message
 * is served untracked, so made-up intents can create neither unbounded experiments nor LLM work.
 */
export async function resolveMessage({
  ctx,
  owner,
  input,
}: {
  ctx: AppContext;
  owner: KeyOwner;
  input: ResolveMessageInput;
}): Promise<ResolveMessageOutput> {
  const auto = isRandomIntent(input.intentId);
  const intentId = auto ? await autoIntentId(input.baseMessage) : input.intentId;
  const note = input.context.trim().slice(0, MAX_NOTE_LENGTH) || null;
  const picked = await pickMessage({
    ctx,
    owner,
    input: {
      intentId,
      baseExample: input.baseMessage,
      locale: input.locale,
      userId: null,
      context: {},
      note,
      hint: hintOf(note),
      ...(auto
        ? {
            admitNew: async () => {
              const quota = await tryQuota(ctx, owner.projectId, "generation");
              if (!quota.allowed) {
                ctx.logger.info("generation quota spent, random intent served untracked", { intentId });
              }
              return quota.allowed;
            },
          }
        : {}),
    },
  });
  if (!picked.tracked) {
    return {
      variantId: `base_${(await autoIntentId(`${picked.locale}\u0000${input.baseMessage}`)).slice(-16)}`,
      text: picked.text,
      intentId,
      locale: picked.locale,
      tracked: false,
      variant: null,
      reason: picked.reason,
    };
  }
  return {
    variantId: picked.trackingToken,
    text: picked.text,
    intentId,
    locale: picked.locale,
    tracked: true,
    variant: { id: picked.variantId, experimentId: picked.experimentId },
    reason: null,
  };
}
