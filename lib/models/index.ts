export * from "./dense-ae";
export * from "./conv";
export * from "./conv-ae";
export * from "./vae";
export * from "./dcgan";
export * from "./transfer";
export * from "./cgan";
export * from "./feature-net";
