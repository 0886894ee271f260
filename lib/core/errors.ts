/**
 * Errors in what the user gave — a flag, a configuration, an environment variable, a data path —
 * as opposed to failures while running. The command lines print the message alone and exit with
 * status 2 (see README, "Reliability"); anything else exits with 1.
 */
export class UserInputError extends Error {
  override name = "UserInputError";
}
