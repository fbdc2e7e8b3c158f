import type { App } from "../../types";
import { registerCreateContact } from "./create-contact";
import { registerDeleteContact } from "./delete-contact";
import { registerGetContact } from "./get-contact";
import { registerGetContactImport } from "./get-import";
import { registerGetContactImportErrors } from "./get-import-errors";
import { registerImportContacts } from "./import-contacts";
import { registerListContacts } from "./list-contacts";
import { registerUpdateContact } from "./update-contact";

/** /v1/contacts: email contacts, their CSV imports (docs/adr/0023-email-channel.md). */
export function registerContactRoutes(app: App) {
  // Before /v1/contacts/{contact_id}: "imports" is not a contact id.
  registerImportContacts(app);
  registerGetContactImport(app);
  registerGetContactImportErrors(app);
  registerCreateContact(app);
  registerListContacts(app);
  registerGetContact(app);
  registerUpdateContact(app);
  registerDeleteContact(app);
}
