import type { App } from "../../types";
import { registerCreateTemplate } from "./create-template";
import { registerDeleteTemplate } from "./delete-template";
import { registerGetTemplate } from "./get-template";
import { registerListTemplates } from "./list-templates";
import { registerPreviewTemplate } from "./preview-template";
import { registerUpdateTemplate } from "./update-template";
import { registerWriteCopy } from "./write-copy";

/** /v1/templates: email templates, their preview, and AI-written copy. */
export function registerTemplateRoutes(app: App) {
  // Before /v1/templates/{template_id}, so "copy" is never read as an id.
  registerWriteCopy(app);
  registerCreateTemplate(app);
  registerListTemplates(app);
  registerGetTemplate(app);
  registerUpdateTemplate(app);
  registerDeleteTemplate(app);
  registerPreviewTemplate(app);
}
