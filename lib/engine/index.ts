export * from "./ladder";
