import { newId, normalizeText } from "@pushbunny/core";
import type { NewVariantRow } from "@pushbunny/db";
import { normalizeForCompare } from "@pushbunny/llm";

/** An experiment never grows past this many variants (control, holdout and retired ones included). */
export const MAX_VARIANTS = 24;

/**
 * One rule for "this copy is already in the experiment", shared by hand-added variants and
 * applied iteration proposals. It folds more than the unique index's `normalized` column
 * (quotes, trailing punctuation), so passing it also keeps the insert clear of that index.
 */
export function readsTheSame(a: string, b: string): boolean {
  return normalizeForCompare(a) === normalizeForCompare(b);
}

/** A variant row for new copy, written by a person (`manual`) or the LLM. */
export function newVariantRow(input: {
  projectId: string;
  experimentId: string;
  text: string;
  source: "manual" | "llm";
  now: number;
}): NewVariantRow & { id: string } {
  return {
    id: newId("var"),
    projectId: input.projectId,
    experimentId: input.experimentId,
    text: input.text,
    normalized: normalizeText(input.text),
    source: input.source,
    createdAt: input.now,
    updatedAt: input.now,
  };
}
