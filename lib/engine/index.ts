export * from "./ladder";
export * from "./identity";
