import { findPushSettings } from "@pushbunny/db";
import type { AppContext } from "../../context";

/** What a project lets browsers do without an API key. */
export interface PushSettings {
  publicTopics: string[];
  identitySecret: boolean;
  updatedAt: number | null;
}

export async function getPushSettings({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<PushSettings> {
  const s = await findPushSettings(ctx.db, projectId);
  return {
    publicTopics: s?.publicTopics ?? [],
    identitySecret: Boolean(s?.identitySecret),
    updatedAt: s?.updatedAt ?? null,
  };
}
