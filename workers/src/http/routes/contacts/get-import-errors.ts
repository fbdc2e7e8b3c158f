import { createRoute, z } from "@hono/zod-openapi";
import { getContactImportErrorsCsv } from "../../../services/contacts/get-import";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ImportIdParam } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/contacts/imports/{import_id}/errors",
  operationId: "getContactImportErrors",
  "x-pushbunny-access": "read",
  tags: ["contacts"],
  summary: "An import's per-row errors as CSV (row, field, message; the first 10,000)",
  description: "Rows are numbered as a spreadsheet shows them (the header is row 1).",
  security: BEARER,
  request: { params: ImportIdParam },
  responses: {
    200: { description: "The errors", content: { "text/csv": { schema: z.string() } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/contacts/imports/{import_id}/errors */
export function registerGetContactImportErrors(app: App) {
  app.openapi(route, async (c) => {
    const { import_id } = c.req.valid("param");
    const csv = await getContactImportErrorsCsv({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { importId: import_id },
    });
    return c.body(csv, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${import_id.replace(/[^a-z0-9_]/g, "")}-errors.csv"`,
    });
  });
}
