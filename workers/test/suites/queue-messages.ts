import { describe, expect, it } from "vitest";
import {
  EventsQueueMessage,
  fastParseEventsQueueMessage,
  parseEventsQueueMessage,
} from "../../src/queue/messages";

// The consumer's hand-written fast path must never accept a body the shared zod schema
// refuses, and must produce the same data when it accepts.

const event = () => ({
  impressionId: "imp_00112233445566778899",
  experimentId: "exp_0011223344",
  variantId: "var_3f9a1c2b7d4e",
  type: "opened",
  occurredAt: 1_763_769_600_000,
  impressionAt: 1_763_769_599_000,
  properties: { screen: "home" } as unknown,
});
const eventsBody = () => ({
  kind: "events",
  projectId: "prj_abc123",
  receivedAt: 1_763_769_600_500,
  events: [event(), { ...event(), type: "conversion", properties: null }],
});
const impressionBody = () => ({
  kind: "impression",
  id: "imp_00112233445566778899",
  projectId: "prj_abc123",
  experimentId: "exp_0011223344",
  variantId: "var_3f9a1c2b7d4e",
  userId: "u_1",
  createdAt: 1_763_769_599_000,
  allocation: 1_763_769_500_000,
});

class Thing {
  a = "b";
}
const nullProto = Object.assign(Object.create(null), { a: "b" });
const withSymbol = { a: "b", [Symbol("s")]: "c" };
const hidden = Object.defineProperty({ a: "b" }, "h", { value: "x", enumerable: false });
const BAD_VALUES: unknown[] = [
  undefined,
  null,
  "",
  "x",
  "IMP_00",
  "imp-00",
  `imp_${"a".repeat(64)}`,
  `imp_${"a".repeat(65)}`,
  "imp_ab cd",
  "imp_ABC",
  "impression",
  "conversion",
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  "1763769600000",
  true,
  [],
  ["a"],
  {},
  { a: 1 },
  { a: "b" },
  nullProto,
  withSymbol,
  hidden,
  new Thing(),
  new Date(0),
  new Map([["a", "b"]]),
  JSON.parse('{"__proto__": "x"}'),
  "u".repeat(256),
  "u".repeat(257),
  Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, "v"])),
];

function* mutations(body: Record<string, unknown>): Generator<unknown> {
  for (const key of Object.keys(body)) {
    const { [key]: _, ...without } = body;
    yield without;
    for (const bad of BAD_VALUES) yield { ...body, [key]: bad };
  }
  yield { ...body, extra: "ignored" };
  yield { ...body, kind: "other" };
}

function corpus(): unknown[] {
  const out: unknown[] = [eventsBody(), impressionBody(), null, undefined, 5, "events", [], [eventsBody()]];
  out.push(...mutations(impressionBody()));
  out.push(...mutations({ ...impressionBody(), context: "delivery" }));
  out.push(...mutations(eventsBody()));
  for (const e of mutations(event())) out.push({ ...eventsBody(), events: [event(), e] });
  out.push({ ...eventsBody(), events: [] });
  out.push({ ...eventsBody(), events: Array.from({ length: 1000 }, event) });
  out.push({ ...eventsBody(), events: Array.from({ length: 1001 }, event) });
  // biome-ignore lint/suspicious/noSparseArray: a hole is one of the bodies under test
  out.push({ ...eventsBody(), events: [event(), , event()] });
  out.push(Object.assign(Object.create(null), impressionBody()));
  out.push(Object.assign(new Thing(), impressionBody()));
  return out;
}

describe("events queue message validation", () => {
  it("takes the fast path for valid bodies, with zod's output", () => {
    const { allocation: _, ...beforeAllocations } = impressionBody();
    for (const body of [
      eventsBody(),
      impressionBody(),
      { ...impressionBody(), userId: null, allocation: null },
      beforeAllocations,
      { ...impressionBody(), context: "delivery" },
      { ...impressionBody(), context: null },
    ]) {
      const fast = fastParseEventsQueueMessage(body);
      expect(fast).toBeDefined();
      expect(fast).toEqual(EventsQueueMessage.parse(body));
    }
  });

  it("accepts and rejects exactly what the zod schema does, with the same data", () => {
    const bodies = corpus();
    expect(bodies.length).toBeGreaterThan(500);
    let fastAccepted = 0;
    for (const body of bodies) {
      const zod = EventsQueueMessage.safeParse(body);
      const fast = fastParseEventsQueueMessage(body);
      if (fast !== undefined) {
        fastAccepted++;
        expect(zod.success, JSON.stringify(body)?.slice(0, 300)).toBe(true);
        expect(fast).toEqual(zod.data);
      }
      const parsed = parseEventsQueueMessage(body);
      expect(parsed.success).toBe(zod.success);
      if (parsed.success) expect(parsed.data).toEqual(zod.data);
      else expect(parsed.reason).toBe(zod.error?.issues[0]?.message);
    }
    expect(fastAccepted).toBeGreaterThan(20);
  });

  it("strips unknown keys like zod", () => {
    const body = { ...eventsBody(), extra: 1, events: [{ ...event(), more: 2 }] };
    const fast = fastParseEventsQueueMessage(body);
    expect(fast).toEqual(EventsQueueMessage.parse(body));
    expect(fast && "extra" in fast).toBe(false);
  });
});
