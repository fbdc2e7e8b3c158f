import { createRoute, z } from "@hono/zod-openapi";
import { BadRequestError } from "../../../errors";
import { IMPORT_MAX_BYTES, startContactImport } from "../../../services/contacts/start-import";
import { BEARER, commonErrors, unavailable } from "../../schemas";
import type { App } from "../../types";
import { ContactImportView, importView } from "./schemas";

const CSV_TYPES = /^(text\/csv|application\/csv|text\/plain|application\/octet-stream)\s*(;|$)/i;

const route = createRoute({
  method: "post",
  path: "/v1/contacts/imports",
  operationId: "importContacts",
  "x-pushbunny-access": "write",
  tags: ["contacts"],
  summary: "Import contacts from a CSV file (up to 100,000 rows, 20 MB); processed in the background",
  description:
    "Send the file as the body with `Content-Type: text/csv` and its Content-Length (`curl --data-binary @contacts.csv`). The header row needs an email column (email, e-mail, email address); name, locale and time_zone are recognised and every other column becomes an attribute under a lowercase_snake key. Rows upsert on the normalised address (an existing contact keeps its status and gets the new attributes merged in; the last of repeated rows wins); suppressed addresses are never written. Answers 202 at once; follow `GET /v1/contacts/imports/{import_id}`.",
  security: BEARER,
  request: {
    body: {
      required: true,
      content: {
        "text/csv": { schema: z.string().openapi({ example: "email,name,plan\nada@example.com,Ada,pro\n" }) },
      },
    },
  },
  responses: {
    202: {
      description: "Stored and queued",
      content: { "application/json": { schema: ContactImportView } },
    },
    ...commonErrors,
    ...unavailable,
  },
});

/** POST /v1/contacts/imports */
export function registerImportContacts(app: App) {
  app.openapi(route, async (c) => {
    const type = c.req.header("content-type") ?? "";
    if (!CSV_TYPES.test(type)) throw new BadRequestError("send the file with 'Content-Type: text/csv'");
    const length = Number(c.req.header("content-length") ?? Number.NaN);
    const body = c.req.raw.body;
    if (!body || !Number.isSafeInteger(length))
      throw new BadRequestError("send the CSV file as the body, with its Content-Length");
    if (length > IMPORT_MAX_BYTES) {
      // The body is not read: close it so the connection is not left waiting.
      await body.cancel().catch(() => undefined);
    }
    const row = await startContactImport({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { body, contentLength: length },
    });
    return c.json(importView(row), 202, { location: `/v1/contacts/imports/${row.id}` });
  });
}
