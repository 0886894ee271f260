export * from "./grid";
export * from "./plot";
export * from "./figure";
export * from "./model-figures";
export * from "./results";
export * from "./chart-output";
export * from "./labelled-grid";
