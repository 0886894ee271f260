/** Sample-quality metrics: Fréchet distance, improved precision/recall, mode coverage, and the classifier whose features they use. */
export * from "./linalg";
export * from "./frechet";
export * from "./classifier";
export * from "./coverage";
export * from "./precision-recall";
export * from "./generator-metrics";
export * from "./conditional";
