import type { App } from "../../types";
import { registerGetWebConfig } from "./get-web-config";
import { registerPostWebEvents } from "./post-web-events";
import { registerPostWebExposure } from "./post-web-exposure";

/** The browser SDK's web experiment calls (`message` scope): config, exposures, metrics. */
export function registerWebRuntimeRoutes(app: App) {
  registerGetWebConfig(app);
  registerPostWebExposure(app);
  registerPostWebEvents(app);
}
