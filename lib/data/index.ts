export * from "./dataset";
export * from "./idx";
export * from "./fashion-mnist";
export * from "./mnist";
export * from "./emoji";
export * from "./celeba";
export { decodeImageFile, decodeImageFiles } from "./image-files";
export * from "./textures";
