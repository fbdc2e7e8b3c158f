/** Hard limits of one run, checked by code between tool calls. */
export interface Budgets {
  /** Tool calls the model may make (a turn without any call counts as one). */
  toolCalls: number;
  /** Repository files read for the model (the read phase and read_file). */
  filesRead: number;
  /** UTF-8 bytes of every write_file call together, rewrites included. */
  bytesWritten: number;
  /** Tokens the model consumed, prompts included. */
  tokens: number;
  /** Wall time from the start of the run. */
  wallMs: number;
}

export const DEFAULT_BUDGETS: Budgets = {
  toolCalls: 40,
  filesRead: 30,
  bytesWritten: 200_000,
  tokens: 400_000,
  wallMs: 10 * 60_000,
};

export type BudgetName = keyof Budgets;

const LABEL: Record<BudgetName, string> = {
  toolCalls: "tool calls",
  filesRead: "files read",
  bytesWritten: "bytes written",
  tokens: "tokens",
  wallMs: "wall time (ms)",
};

/** What a run used, reported with every outcome. */
export interface Usage extends Budgets {
  modelCalls: number;
}

export class BudgetExceeded extends Error {
  override readonly name = "BudgetExceeded";
  constructor(
    readonly limit: BudgetName,
    readonly used: number,
    readonly max: number,
  ) {
    super(`Budget exceeded: ${LABEL[limit]} ${used} > ${max}. Nothing was committed.`);
  }
}

/** Counts what a run uses and throws BudgetExceeded once any count passes its limit. */
export class BudgetMeter {
  readonly limits: Budgets;
  readonly used: Usage = { toolCalls: 0, filesRead: 0, bytesWritten: 0, tokens: 0, wallMs: 0, modelCalls: 0 };
  private readonly started: number;

  constructor(
    private readonly now: () => number,
    overrides: Partial<Budgets> = {},
  ) {
    this.limits = { ...DEFAULT_BUDGETS, ...overrides };
    this.started = now();
  }

  /** Adds to a count; throws when that makes it exceed its limit. */
  spend(name: Exclude<BudgetName, "wallMs">, amount: number): void {
    this.used[name] += amount;
    this.check();
  }

  /** True when `amount` more would stay within the limit (for reads that can be refused softly). */
  fits(name: Exclude<BudgetName, "wallMs">, amount: number): boolean {
    return this.used[name] + amount <= this.limits[name];
  }

  check(): void {
    this.used.wallMs = Math.max(0, this.now() - this.started);
    for (const name of Object.keys(LABEL) as BudgetName[]) {
      if (this.used[name] > this.limits[name])
        throw new BudgetExceeded(name, this.used[name], this.limits[name]);
    }
  }

  snapshot(): Usage {
    this.used.wallMs = Math.max(0, this.now() - this.started);
    return { ...this.used };
  }
}
