export * from "./app";
export * from "./app-jwt";
export * from "./errors";
export * from "./oauth";
export * from "./repo";
export * from "./types";
export * from "./webhook";
