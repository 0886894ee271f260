/**
 * The face of lib/ that notebooks and scripts import: `import * as vg from "./lib/index"`.
 * Imports inside lib/ name files, never folders: tslab resolves `./x` only as `./x.ts`.
 */
export * as tf from "@tensorflow/tfjs";
export * from "./engine/index";
export * from "./data/index";
export * from "./viz/index";
export * from "./models/index";
export * from "./train/index";
export * from "./profiles";
export * from "./random";
export * from "./paths";
export * from "./stats";
export * from "./experiments/style-transfer";
export * from "./metrics/index";
export * from "./core/config";
export * from "./experiments/index";
export * from "./runs/index";
export * from "./studies/index";
