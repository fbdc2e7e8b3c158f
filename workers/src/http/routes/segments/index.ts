import type { App } from "../../types";
import { registerCountSegment } from "./count-segment";
import { registerCreateSegment } from "./create-segment";
import { registerDeleteSegment } from "./delete-segment";
import { registerGetSegment } from "./get-segment";
import { registerListSegments } from "./list-segments";
import { registerUpdateSegment } from "./update-segment";

/** /v1/segments: saved filters over contacts, with a live count. */
export function registerSegmentRoutes(app: App) {
  registerCreateSegment(app);
  registerListSegments(app);
  registerGetSegment(app);
  registerUpdateSegment(app);
  registerDeleteSegment(app);
  registerCountSegment(app);
}
