export * from "./ads";
export * from "./analyses";
export * from "./api-keys";
export * from "./experiments";
export * from "./projects";
export * from "./push";
export * from "./tracking";
export * from "./variants";
