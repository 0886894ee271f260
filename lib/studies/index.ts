export * from "./spec";
export * from "./train-spec";
export * from "./state";
export * from "./eta";
export * from "./pool";
export * from "./slurm";
export * from "./registry";
export * from "./study";
export { smokeStudy } from "./smoke";
