import { SequenceLeaser } from "@pushbunny/core";
import type { RoundRobinCounter } from "../durable/round-robin-counter";

/** Round-robin sequence numbers per experiment. */
export interface Rotation {
  next(experimentId: string): Promise<number>;
}

/**
 * One Durable Object per experiment owns the global counter; each isolate leases blocks of it
 * (see SequenceLeaser), so a warm isolate serves most messages without leaving the process.
 */
export function createDurableObjectRotation(ns: DurableObjectNamespace<RoundRobinCounter>): Rotation {
  const leasers = new Map<string, SequenceLeaser>();
  return {
    next(experimentId) {
      let leaser = leasers.get(experimentId);
      if (!leaser) {
        const id = ns.idFromName(experimentId);
        // A stub belongs to the request that made it, so each lease gets its own.
        leaser = new SequenceLeaser((count) => ns.get(id).lease(count));
        if (leasers.size > 5_000) leasers.clear();
        leasers.set(experimentId, leaser);
      }
      return leaser.next();
    },
  };
}
