import { credentialIssues } from "@pushbunny/adsync";
import { newId } from "@pushbunny/core";
import {
  type AdChannel,
  deleteChannelMetrics,
  listChannelAccounts,
  upsertChannelAccount,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import { toConnection } from "./lib/connection";
import { accountIdOf, openCredentials, sealCredentials } from "./lib/credentials";
import type { AdConnection, AdSyncRun } from "./lib/types";
import { requestSync } from "./request-sync";

/**
 * Connects a channel: with credentials, the real API (checked per channel, then sealed at rest
 * with CREDENTIALS_KEY); without, the deterministic sandbox. The first sync is queued at once.
 */
export async function connectChannel({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { channel: AdChannel; credentials?: Record<string, unknown> };
}): Promise<{ connection: AdConnection; run: AdSyncRun }> {
  const now = ctx.now();
  const previous = (await listChannelAccounts(ctx.db, projectId)).find((a) => a.channel === input.channel);
  if (previous?.source === "api" && input.credentials === undefined) {
    throw new ConflictError(
      `${input.channel} reads the real API: send credentials to replace them, or DELETE the channel first to switch it to the sandbox`,
    );
  }
  let sealed: string | null = null;
  if (input.credentials !== undefined) {
    const issues = credentialIssues(input.channel, input.credentials);
    if (issues.length > 0) {
      // Each issue names the field and what is wrong with it; none repeats the value.
      throw new BadRequestError(
        `credentials for ${input.channel} are incomplete or invalid: ${issues.map((i) => `${i.field}: ${i.problem}`).join("; ")}`,
        issues.map((i) => ({
          path: i.field === "credentials" ? "credentials" : `credentials.${i.field}`,
          message: i.problem,
        })),
      );
    }
    sealed = await sealCredentials(ctx, projectId, input.channel, input.credentials);
  }
  // Rows of another source or account would mix into this one's totals: they go.
  if (previous) {
    const before = await openCredentials(ctx, previous).catch(() => null);
    const sameSource = previous.source === (sealed ? "api" : "sandbox");
    if (!sameSource || accountIdOf(before) !== accountIdOf(input.credentials ?? null)) {
      const removed = await deleteChannelMetrics(ctx.db, projectId, input.channel);
      ctx.logger.info("reconnected channel: previous rows removed", {
        projectId,
        channel: input.channel,
        removed,
      });
    }
  }
  const row = await upsertChannelAccount(ctx.db, {
    id: newId("cha"),
    projectId,
    channel: input.channel,
    source: sealed ? "api" : "sandbox",
    credentials: sealed,
    createdAt: now,
    updatedAt: now,
  });
  // Which source, never the credentials (they are sealed and never leave the project).
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "ads.channel_connected",
      targetType: "ad_channel",
      targetId: input.channel,
      details: { source: row.source, replaced: previous ? previous.source : null },
    },
  });
  const run = await requestSync({ ctx, projectId, input: { trigger: "manual", channels: [input.channel] } });
  return { connection: await toConnection(ctx, row), run };
}
