import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { BadRequestError, type ErrorIssue } from "../../../errors";
import { destinationProblems } from "./destination";

/** Endpoints a project may have. */
export const MAX_ENDPOINTS = 20;
export const MAX_DESCRIPTION = 500;

/**
 * Re-validates what a route already checked (queues and tests call verbs too): the URL against
 * the destination rules, events as a non-empty set of known types, the description's length.
 */
export function checkEndpointInput(
  ctx: AppContext,
  input: { url?: string; events?: readonly string[]; description?: string | null },
): { url?: string; events?: WebhookEventType[] } {
  const issues: ErrorIssue[] = [];
  let url: string | undefined;
  if (input.url !== undefined) {
    const problems = destinationProblems(input.url, { allowLoopback: ctx.config.push.allowLoopback });
    for (const p of problems) issues.push({ path: "url", message: p.replace(/^url: /, "") });
    url = input.url.trim();
  }
  let events: WebhookEventType[] | undefined;
  if (input.events !== undefined) {
    const known = new Set<string>(WEBHOOK_EVENT_TYPES);
    const unknown = input.events.filter((e) => !known.has(e));
    if (input.events.length === 0) issues.push({ path: "events", message: "at least one event type" });
    for (const e of unknown) issues.push({ path: "events", message: `unknown event type '${e}'` });
    // Stored in the list's order, once each, so the endpoint reads back as it was meant.
    events = WEBHOOK_EVENT_TYPES.filter((t) => input.events?.includes(t));
  }
  if (input.description && input.description.length > MAX_DESCRIPTION) {
    issues.push({ path: "description", message: `at most ${MAX_DESCRIPTION} characters` });
  }
  if (issues.length > 0) throw BadRequestError.fromIssues(issues);
  return { url, events };
}
