import type { AppContext } from "../../context";
import { mustSegment, type Segment, toSegment } from "./lib";

/** One of the project's segments. */
export async function getSegment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { segmentId: string };
}): Promise<Segment> {
  return toSegment(await mustSegment(ctx, projectId, input.segmentId));
}
