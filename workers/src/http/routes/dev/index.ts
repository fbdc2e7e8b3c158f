import type { App } from "../../types";
import { registerListOutbox } from "./list-outbox";

/** Development-only routes (the mail outbox); absent in production. */
export function registerDevRoutes(app: App) {
  registerListOutbox(app);
}
