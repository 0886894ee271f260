/** Environment variables the user sets (VAE_GAN_PROFILE, VAE_GAN_ENGINE, FASHION_MNIST_DIR, CELEBA_DIR, …). */
import { UserInputError } from "./errors";

/**
 * The trimmed value of `name`, or undefined when it is unset. A variable set to a blank value is an
 * error naming it: `VAE_GAN_PROFILE=" "` is a mistake, never a request for the default.
 */
export function readEnv(name: string): string | undefined {
  const value = process.env[name];
  if (value === undefined) return undefined;
  if (value.trim() === "") throw new UserInputError(`${name} is set but empty: give it a value, or unset it (unset ${name}) for the default.`);
  return value.trim();
}
