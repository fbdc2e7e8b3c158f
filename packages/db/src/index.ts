export * from "./client";
export * from "./queries/allocations";
export * from "./queries/experiments";
export * from "./queries/history";
export * from "./queries/manage";
export * from "./queries/projects";
export * from "./queries/tracking";
export * from "./schema";
