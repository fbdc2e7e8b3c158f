import { newId } from "@pushbunny/core";
import { insertEmailTemplate } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { type CheckedTemplate, checkTemplate, toTemplate } from "./lib/template";

export interface TemplateInput {
  name: string;
  subject: string;
  preheader?: string;
  html: string;
  text?: string | null;
  fromName?: string | null;
  replyTo?: string | null;
}

/** Saves a template after its checks (a 400 lists each blocking problem); warnings come back with it. */
export async function createTemplate({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: TemplateInput;
}): Promise<CheckedTemplate> {
  const parts = {
    subject: input.subject,
    preheader: input.preheader ?? "",
    html: input.html,
    text: input.text ?? null,
  };
  const issues = checkTemplate(parts);
  const now = ctx.now();
  const row = {
    id: newId("tpl"),
    projectId,
    name: input.name,
    ...parts,
    fromName: input.fromName ?? null,
    replyTo: input.replyTo ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await insertEmailTemplate(ctx.db, row);
  return { template: toTemplate(row), issues };
}
