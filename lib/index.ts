/** The face of lib/ that notebooks and scripts import: `import * as vg from "./lib"`. */
export * as tf from "@tensorflow/tfjs";
export * from "./engine";
export * from "./data";
export * from "./viz";
export * from "./random";
export * from "./paths";
