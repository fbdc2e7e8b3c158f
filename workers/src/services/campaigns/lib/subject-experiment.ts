import { newId, normalizeText, placeholdersOf } from "@pushbunny/core";
import {
  type CampaignSubjectArm,
  createExperimentWithControl,
  type EmailCampaignRow,
  findProject,
  type KeyOwner,
} from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { NotFoundError } from "../../../errors";
import { refreshPool } from "../../../infra/pool";
import { addManualVariant } from "../../experiments/add-variant";
import { mustFind } from "../../experiments/lookup";
import { updateExperiment } from "../../experiments/update-experiment";
import { readsTheSame } from "../../experiments/variant-rules";
import { mustTemplate } from "../../templates/lib/template";

/** The engine's intent for a campaign's subject lines. */
export const campaignIntent = (campaignId: string) => `email:${campaignId}`;

/**
 * The key owner /v1/message would see, without challengers: a campaign's arms are the subjects
 * the tenant chose, never LLM copy.
 */
export async function campaignOwner(ctx: AppContext, projectId: string): Promise<KeyOwner> {
  const project = await findProject(ctx.db, projectId);
  if (!project) throw new NotFoundError(`project '${projectId}' not found`);
  return { ...project, challengerCount: 0 };
}

/**
 * Creates the campaign's experiment through the engine (control = the template's subject, one
 * manual variant per other subject line, strategy `sticky` so a contact keeps its arm) and
 * returns its id and arms. Idempotent: an experiment already made for the intent is reused.
 */
export async function ensureSubjectExperiment(
  ctx: AppContext,
  campaign: EmailCampaignRow,
  actor: string,
): Promise<{ experimentId: string; arms: CampaignSubjectArm[] }> {
  const owner = await campaignOwner(ctx, campaign.projectId);
  const template = await mustTemplate(ctx, campaign.projectId, campaign.templateId);
  const key = {
    projectId: campaign.projectId,
    intentId: campaignIntent(campaign.id),
    locale: owner.defaultLocale,
  };
  let pool = await refreshPool(ctx, key);
  if (!pool) {
    await createExperimentWithControl(ctx.db, {
      experimentId: newId("exp"),
      controlVariantId: newId("var"),
      projectId: campaign.projectId,
      intentId: key.intentId,
      kind: "email",
      locale: key.locale,
      baseExample: template.subject,
      normalizedBase: normalizeText(template.subject),
      // The contact fields the subject lines use: an iteration's challengers may use them too.
      contextKeys: [...new Set([template.subject, ...campaign.subjects].flatMap(placeholdersOf))],
      contextHint: null,
      challengerCount: 0,
      historyId: newId("hst"),
      now: ctx.now(),
    });
    pool = await refreshPool(ctx, key);
  }
  if (!pool) throw new NotFoundError("the campaign's experiment could not be created");
  const experimentId = pool.experimentId;
  const found = await mustFind(ctx, campaign.projectId, experimentId);
  if (found.experiment.strategy !== "sticky") {
    await updateExperiment({
      ctx,
      projectId: campaign.projectId,
      actor,
      input: {
        experimentId,
        settings: { strategy: "sticky" },
        reason: "email campaign: one subject per contact",
      },
    });
  }
  const arms: CampaignSubjectArm[] = [];
  const control = found.variants.find((v) => v.source === "control");
  if (control) arms.push({ variantId: control.id, subject: template.subject });
  for (const subject of campaign.subjects) {
    if (readsTheSame(subject, template.subject)) continue;
    const existing = found.variants.find((v) => v.source === "manual" && readsTheSame(v.text, subject));
    const variant =
      existing ??
      (await addManualVariant({
        ctx,
        projectId: campaign.projectId,
        actor,
        input: { experimentId, text: subject, reason: "email campaign subject line" },
      }));
    arms.push({ variantId: variant.id, subject });
  }
  return { experimentId, arms };
}
