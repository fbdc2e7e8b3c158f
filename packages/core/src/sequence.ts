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
 * block grows under load and falls back to 1 when traffic is light, bounding how far the
 * per-variant counts can drift from exact rotation by one block per isolate.
 */
export class SequenceLeaser {
  private nextSeq = 0;
  private end = 0;
  private leasedAt = 0;
  private block: number;
  private pending: Promise<void> | null = null;
  private readonly minBlock: number;
  private readonly maxBlock: number;
  private readonly growWithinMs: number;
  private readonly staleAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly lease: LeaseFn,
    options: LeaserOptions = {},
  ) {
    this.minBlock = options.minBlock ?? 1;
    this.maxBlock = options.maxBlock ?? 256;
    this.growWithinMs = options.growWithinMs ?? 1_000;
    this.staleAfterMs = options.staleAfterMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.block = this.minBlock;
  }

  /** The next sequence number for this isolate. */
  async next(): Promise<number> {
    for (;;) {
      if (this.nextSeq < this.end && this.now() - this.leasedAt <= this.staleAfterMs) {
        return this.nextSeq++;
      }
      if (!this.pending) this.pending = this.refill().finally(() => (this.pending = null));
      await this.pending;
    }
  }

  private async refill(): Promise<void> {
    const now = this.now();
    const exhausted = this.nextSeq >= this.end;
    if (this.end > 0 && exhausted && now - this.leasedAt <= this.growWithinMs) {
      this.block = Math.min(this.maxBlock, this.block * 2);
    } else if (this.end > 0) {
      this.block = this.minBlock;
    }
    const size = this.block;
    const start = await this.lease(size);
    this.nextSeq = start;
    this.end = start + size;
    this.leasedAt = this.now();
  }
}
