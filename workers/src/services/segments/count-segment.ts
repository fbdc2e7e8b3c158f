import { countContactsWhere } from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { Contact } from "../contacts/lib/contact";
import { listContacts } from "../contacts/list-contacts";
import { compileSegmentFilter } from "./filter";
import { mustSegment } from "./lib";

/** How many contacts a segment matches now (and how many of them are subscribed), with the newest few. */
export async function countSegment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { segmentId: string; preview: number };
}): Promise<{ total: number; subscribed: number; preview: Contact[] }> {
  const segment = await mustSegment(ctx, projectId, input.segmentId);
  const where = compileSegmentFilter(segment.filter as never);
  const [counts, preview] = await Promise.all([
    countContactsWhere(ctx.db, projectId, where),
    input.preview > 0
      ? listContacts({ ctx, projectId, input: { limit: Math.min(input.preview, 50), where } })
      : Promise.resolve({ contacts: [] }),
  ]);
  return { ...counts, preview: preview.contacts };
}
