// Filled in by the accounts work (issue 13).
export {};
