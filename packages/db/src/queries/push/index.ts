export * from "./analytics";
export * from "./deliveries";
export * from "./notifications";
export * from "./settings";
export * from "./subscriptions";
export * from "./vapid-keys";
