/** Reserves `count` consecutive sequence numbers and resolves to the first. */
export type LeaseFn = (count: number) => Promise<number>;

export interface LeaserOptions {
  /** Smallest block leased (1 = exact global rotation when traffic is low). */
  minBlock?: number;
  /** Largest block leased when one isolate serves a burst. */
  maxBlock?: number;
  /** A block consumed faster than this doubles the next block. */
  growWithinMs?: number;
  /** A block left unused this long is dropped, so idle isolates do not skew rotation. */
  staleAfterMs?: number;
  now?: () => number;
}

/**
 * Hands out round-robin sequence numbers from blocks leased from the experiment's Durable
 * Object. One DO call serves a whole block, so a warm isolate rarely leaves the process; the
 * block grows under load and falls back to one number when traffic is light, bounding how far
 * per-variant counts can drift from exact rotation by one block per isolate.
 *
 * Workers forbid one request from using another request's I/O (a DO stub, or a promise that
 * another request's I/O resolves), so requests never wait on each other's lease: while one
 * request refills the block, the others lease a single number each.
 */
export class SequenceLeaser {
  private nextSeq = 0;
  private end = 0;
  private leasedAt = 0;
  private block: number;
  private refilling = false;
  private readonly minBlock: number;
  private readonly maxBlock: number;
  private readonly growWithinMs: number;
  private readonly staleAfterMs: number;
  private readonly now: () => number;
  // No parameter properties: Node runs this file with type stripping only (benchmarks, scripts).
  private readonly lease: LeaseFn;

  constructor(lease: LeaseFn, options: LeaserOptions = {}) {
    this.lease = lease;
    this.minBlock = options.minBlock ?? 1;
    this.maxBlock = options.maxBlock ?? 256;
    this.growWithinMs = options.growWithinMs ?? 1_000;
    this.staleAfterMs = options.staleAfterMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.block = this.minBlock;
  }

  /** The next sequence number for this isolate. */
  async next(): Promise<number> {
    const now = this.now();
    const fresh = now - this.leasedAt <= this.staleAfterMs;
    if (this.nextSeq < this.end && fresh) return this.nextSeq++;
    if (this.refilling) return this.lease(1);
    this.refilling = true;
    try {
      // A block used up quickly means traffic is high: lease twice as many next time.
      const quick = this.end > 0 && this.nextSeq >= this.end && now - this.leasedAt <= this.growWithinMs;
      this.block = quick ? Math.min(this.maxBlock, this.block * 2) : this.minBlock;
      const size = this.block;
      const start = await this.lease(size);
      this.nextSeq = start + 1;
      this.end = start + size;
      this.leasedAt = this.now();
      return start;
    } finally {
      this.refilling = false;
    }
  }
}
