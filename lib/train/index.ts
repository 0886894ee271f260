export * from "./loop";
export * from "./steps";
export * from "./evaluate";
export * from "./fit";
export * from "./progress";
export * from "./run-cache";
export * from "./model-io";
