export * from "./client";
export * from "./queries/experiments";
export * from "./queries/projects";
export * from "./queries/tracking";
export * from "./schema";
