export * from "./content-checks";
export * from "./issues";
export * from "./links";
export * from "./templates";
