export * from "./app";
export * from "./errors";
export * from "./repo";
export * from "./types";
export * from "./webhook";
