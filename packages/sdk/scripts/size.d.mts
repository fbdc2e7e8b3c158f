interface Size {
  min: number;
  gzip: number;
}
export const BUDGET_BYTES: number;
export function measure(): Promise<{ budget: number; browser: Size; core: Size }>;
