export * from "./content-checks";
export * from "./issues";
export * from "./links";
export * from "./outbox";
export * from "./resend";
export * from "./templates";
export * from "./transport";
export * from "./webhooks";
