import { newId, seal, unseal } from "@pushbunny/core";
import { currentVapidKey, insertVapidKey, type VapidKeyRow, vapidKeysByIds } from "@pushbunny/db";
import { generateVapidKeys, type VapidKeyPair } from "@pushbunny/webpush";
import type { AppContext } from "../context";
import { ServiceUnavailableError } from "../errors";

/** CREDENTIALS_KEY, which seals VAPID private keys and identity secrets at rest. */
export function credentialsKey(ctx: AppContext): string {
  const key = ctx.config.credentialsKey;
  if (!key) {
    throw new ServiceUnavailableError(
      "CREDENTIALS_KEY is not set: run `wrangler secret put CREDENTIALS_KEY` before using Web Push",
      3600,
    );
  }
  return key;
}

const sealContext = (projectId: string, keyId: string) => `${projectId}:vapid:${keyId}`;

/** Creates a key pair, sealed at rest; `rotate` retires the others. */
export async function createVapidKey(
  ctx: AppContext,
  projectId: string,
  rotate: boolean,
): Promise<VapidKeyRow> {
  const pair = await generateVapidKeys();
  const id = newId("vap");
  const row: VapidKeyRow = {
    id,
    projectId,
    publicKey: pair.publicKey,
    privateKey: await seal(credentialsKey(ctx), sealContext(projectId, id), pair.privateKey),
    createdAt: ctx.now(),
    retiredAt: null,
  };
  await insertVapidKey(ctx.db, row, { retireOthers: rotate });
  return row;
}

/** The project's current key, generated on first use (locally too). */
export async function currentKey(ctx: AppContext, projectId: string): Promise<VapidKeyRow> {
  return (await currentVapidKey(ctx.db, projectId)) ?? createVapidKey(ctx, projectId, false);
}

const openedKeys = new Map<string, Promise<VapidKeyPair | null>>();

/** The key pairs subscriptions were made with (opened once per isolate). */
export async function signingKeys(
  ctx: AppContext,
  projectId: string,
  ids: string[],
): Promise<Map<string, VapidKeyPair>> {
  const out = new Map<string, VapidKeyPair>();
  const missing = [...new Set(ids)].filter((id) => !openedKeys.has(id));
  if (missing.length > 0) {
    const rows = await vapidKeysByIds(ctx.db, projectId, missing);
    const secret = credentialsKey(ctx);
    for (const row of rows) {
      openedKeys.set(
        row.id,
        unseal(secret, sealContext(projectId, row.id), row.privateKey).then((d) =>
          d === null ? null : { publicKey: row.publicKey, privateKey: d },
        ),
      );
    }
  }
  for (const id of new Set(ids)) {
    const pair = await openedKeys.get(id);
    if (pair) out.set(id, pair);
  }
  return out;
}
