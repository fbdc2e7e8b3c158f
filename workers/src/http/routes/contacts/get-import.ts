import { createRoute } from "@hono/zod-openapi";
import { getContactImport } from "../../../services/contacts/get-import";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ContactImportView, ImportIdParam, importView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/contacts/imports/{import_id}",
  operationId: "getContactImport",
  "x-pushbunny-access": "read",
  tags: ["contacts"],
  summary: "An import's progress and counts",
  security: BEARER,
  request: { params: ImportIdParam },
  responses: {
    200: { description: "The import", content: { "application/json": { schema: ContactImportView } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/contacts/imports/{import_id} */
export function registerGetContactImport(app: App) {
  app.openapi(route, async (c) => {
    const row = await getContactImport({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { importId: c.req.valid("param").import_id },
    });
    return c.json(importView(row), 200);
  });
}
