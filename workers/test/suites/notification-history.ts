import { describe, expect, it } from "vitest";
import { call, expectError, json, seedProject } from "../helpers";

interface HistoryPage {
  notifications: { notification_id: string; created_at: string }[];
  next_cursor: string | null;
  total: number;
}

describe("GET /v1/notifications/history pages with a cursor", () => {
  it("walks every notification once, newest first, and refuses a cursor it did not issue", async () => {
    const { apiKey } = await seedProject();
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await json<{ notification_id: string }>(
        await call("/v1/notifications/broadcast", { key: apiKey, body: { payload: { title: `n${i}` } } }),
        202,
      );
      sent.push(res.notification_id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: HistoryPage = await json<HistoryPage>(
        await call(`/v1/notifications/history?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { key: apiKey }),
        200,
      );
      expect(page.total).toBe(5);
      seen.push(...page.notifications.map((n) => n.notification_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...sent].reverse());
    await expectError(
      await call("/v1/notifications/history?cursor=not-a-cursor", { key: apiKey }),
      400,
      "BAD_REQUEST",
      /cursor/,
    );
  });
});
