import type { App } from "../../types";
import { registerAddSuppression } from "./add-suppression";
import { registerCreateContact } from "./create-contact";
import { registerDeleteContact } from "./delete-contact";
import { registerGetContact } from "./get-contact";
import { registerGetContactImport } from "./get-import";
import { registerGetContactImportErrors } from "./get-import-errors";
import { registerImportContacts } from "./import-contacts";
import { registerListContacts } from "./list-contacts";
import { registerListContactImports } from "./list-imports";
import { registerListSuppressions } from "./list-suppressions";
import { registerUpdateContact } from "./update-contact";

/** /v1/contacts and /v1/suppressions: email contacts, their CSV imports, suppressed addresses (docs/adr/0023-email-channel.md). */
export function registerContactRoutes(app: App) {
  // Before /v1/contacts/{contact_id}: "imports" is not a contact id.
  registerImportContacts(app);
  registerListContactImports(app);
  registerGetContactImport(app);
  registerGetContactImportErrors(app);
  registerCreateContact(app);
  registerListContacts(app);
  registerGetContact(app);
  registerUpdateContact(app);
  registerDeleteContact(app);
  registerListSuppressions(app);
  registerAddSuppression(app);
}
