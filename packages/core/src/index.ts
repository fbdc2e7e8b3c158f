export * from "./encoding";
export * from "./ids";
export * from "./sequence";
export * from "./text";
export * from "./time";
export * from "./token";
