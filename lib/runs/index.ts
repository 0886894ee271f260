export * from "./run-folder";
export * from "./train-run";
export * from "./search";
export * from "./figures";
