import { randomHex } from "@pushbunny/core";
import { type ContactRow, findContactByEmail, findSuppression, listMembersOf } from "@pushbunny/db";
import { normalizeEmail } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { emailTransport } from "../email/transport";
import { mustTemplate } from "../templates/lib/template";
import { mustCampaign } from "./lib/campaign";
import { renderCampaignMessage } from "./lib/render-message";

export const MAX_TEST_RECIPIENTS = 10;

/**
 * Sends the campaign to up to 10 addresses as a test: subject marked `[Test]`, rendered for the
 * project's contact with that address when there is one (else the bare address), one email per
 * subject line. No rows, no tracking, no impressions: tests never reach the campaign's stats.
 *
 * A test goes only to the project's own people: a member's address, or a subscribed contact. An
 * address on the suppression list never gets one. Otherwise a leaked key could mail anyone,
 * unsubscribed people included, from the operator's sending account.
 */
export async function sendTest({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { campaignId: string; to: string[] };
}): Promise<{
  results: { to: string; subject: string; status: "accepted" | "failed"; error: string | null }[];
}> {
  if (input.to.length === 0 || input.to.length > MAX_TEST_RECIPIENTS) {
    throw new BadRequestError(`to: 1-${MAX_TEST_RECIPIENTS} addresses`, [
      { path: "to", message: `1-${MAX_TEST_RECIPIENTS} addresses` },
    ]);
  }
  const campaign = await mustCampaign(ctx, projectId, input.campaignId);
  const template = await mustTemplate(ctx, projectId, campaign.templateId);
  const subjects = [template.subject, ...campaign.subjects];
  const members = new Set((await listMembersOf(ctx.db, projectId)).map((m) => m.email.toLowerCase()));
  const messages = [];
  const meta: { to: string; subject: string }[] = [];
  for (const [i, raw] of input.to.entries()) {
    const normalized = normalizeEmail(raw);
    if (!normalized.ok) {
      throw new BadRequestError(`to.${i}: ${normalized.reason}`, [
        { path: `to.${i}`, message: normalized.reason },
      ]);
    }
    const suppressed = await findSuppression(ctx.db, projectId, normalized.email);
    if (suppressed) {
      throw new BadRequestError(
        `to.${i}: ${normalized.email} is on the suppression list (${suppressed.reason})`,
        [{ path: `to.${i}`, message: `on the suppression list (${suppressed.reason})` }],
      );
    }
    const known = await findContactByEmail(ctx.db, projectId, normalized.email);
    if (!members.has(normalized.email) && known?.status !== "subscribed") {
      throw new BadRequestError(
        `to.${i}: a test goes to a member of the project or a subscribed contact, and ${normalized.email} is neither`,
        [{ path: `to.${i}`, message: "not a member of the project or a subscribed contact" }],
      );
    }
    const now = ctx.now();
    const contact: ContactRow = known ?? {
      id: "test",
      projectId,
      email: normalized.email,
      name: null,
      locale: null,
      timeZone: null,
      attributes: {},
      status: "subscribed",
      createdAt: now,
      updatedAt: now,
    };
    for (const subject of subjects) {
      const { email } = await renderCampaignMessage(ctx, {
        messageId: `test_${randomHex(10)}`,
        campaign: { id: campaign.id, projectId, from: campaign.fromAddress, replyTo: campaign.replyTo },
        template,
        subject,
        contact,
        tracking: false,
      });
      messages.push({ ...email, subject: `[Test] ${email.subject}`, tags: { ...email.tags, test: "true" } });
      meta.push({ to: normalized.email, subject: `[Test] ${email.subject}` });
    }
  }
  const results = await emailTransport(ctx, projectId).send({
    idempotencyKey: `campaign/${campaign.id}/test/${randomHex(8)}`,
    messages,
  });
  return {
    results: results.map((r, i) => ({
      to: meta[i]?.to ?? "",
      subject: meta[i]?.subject ?? "",
      status: r.status,
      error: r.status === "failed" ? `${r.code}: ${r.message}` : null,
    })),
  };
}
