/** Sample-quality metrics: Fréchet distance, improved precision/recall, mode coverage (on the features of lib/models/classifier.ts). */
export * from "./linalg";
export * from "./frechet";
export * from "./coverage";
export * from "./precision-recall";
export * from "./generator-metrics";
export * from "./conditional";
