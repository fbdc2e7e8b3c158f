import { savePushSettings } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { MAX_PUBLIC_TOPICS } from "../../push/subscriptions";
import { recordAudit } from "../audit/record-audit";
import type { PushSettings } from "./get-push-settings";

/** Replaces the project's public topics: the ones a browser may pick without an API key. */
export async function updatePushSettings({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { publicTopics: string[] };
}): Promise<PushSettings> {
  const topics = [...new Set(input.publicTopics)];
  if (topics.length > MAX_PUBLIC_TOPICS) {
    throw new BadRequestError(`at most ${MAX_PUBLIC_TOPICS} public topics`, [
      { path: "public_topics", message: "too many" },
    ]);
  }
  const row = await savePushSettings(ctx.db, projectId, { publicTopics: topics, updatedAt: ctx.now() });
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "push.settings_updated",
      targetType: "project",
      targetId: projectId,
      details: { public_topics: row.publicTopics },
    },
  });
  return {
    publicTopics: row.publicTopics,
    identitySecret: Boolean(row.identitySecret),
    updatedAt: row.updatedAt,
  };
}
