import type { ContactAttributes, ContactRow, ContactStatus } from "@pushbunny/db";
import { findContact } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { NotFoundError } from "../../../errors";

/** A contact as verbs return it. */
export interface Contact {
  id: string;
  email: string;
  name: string | null;
  locale: string | null;
  timeZone: string | null;
  attributes: ContactAttributes;
  status: ContactStatus;
  createdAt: number;
  updatedAt: number;
}

/** Attribute keys are template names (`{{attributes.plan}}`) and segment fields: the import's own shape. */
export const ATTRIBUTE_KEY = /^[a-z0-9_]{1,64}$/;
/** The most attributes JSON a contact may carry, in UTF-8 bytes. */
export const ATTRIBUTES_MAX_BYTES = 8 * 1024;
export const ATTRIBUTES_MAX_KEYS = 100;

export const toContact = (row: ContactRow): Contact => ({
  id: row.id,
  email: row.email,
  name: row.name,
  locale: row.locale,
  timeZone: row.timeZone,
  attributes: row.attributes,
  status: row.status,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** The project's contact, or a 404 that names it. */
export async function mustContact(
  ctx: AppContext,
  projectId: string,
  contactId: string,
): Promise<ContactRow> {
  const row = await findContact(ctx.db, projectId, contactId);
  if (!row) throw new NotFoundError(`contact '${contactId}' not found`);
  return row;
}

/** The problems of an attributes object (keys, value types, size), as field issues. */
export function attributeIssues(attributes: Record<string, unknown>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const keys = Object.keys(attributes);
  if (keys.length > ATTRIBUTES_MAX_KEYS)
    issues.push({ path: "attributes", message: `at most ${ATTRIBUTES_MAX_KEYS} keys` });
  for (const key of keys) {
    if (!ATTRIBUTE_KEY.test(key))
      issues.push({ path: `attributes.${key.slice(0, 64)}`, message: "keys are 1-64 of a-z 0-9 _" });
    const value = attributes[key];
    if (
      !["string", "number", "boolean"].includes(typeof value) ||
      (typeof value === "number" && !Number.isFinite(value))
    )
      issues.push({
        path: `attributes.${key.slice(0, 64)}`,
        message: "a string, a finite number or a boolean",
      });
  }
  if (new TextEncoder().encode(JSON.stringify(attributes)).length > ATTRIBUTES_MAX_BYTES)
    issues.push({ path: "attributes", message: `at most ${ATTRIBUTES_MAX_BYTES} bytes as JSON` });
  return issues;
}
