/** What the training command lines share: Ctrl-C handling and exit statuses. */
import { UserInputError } from "../lib/core/errors";

/** First Ctrl-C aborts the signal (the run checkpoints and stops); a second one quits at once. */
export function stopOnCtrlC(message: string): AbortSignal {
  const controller = new AbortController();
  process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(130);
    console.error(`\n${message} (Ctrl-C again to quit without one)…`);
    controller.abort();
  });
  return controller.signal;
}

/**
 * Runs `main` and exits with its status. Every command uses it, so the statuses agree: 2 for a
 * mistake in what the user gave (flag, configuration, environment variable, data path), 1 for an
 * error while running, 130 after Ctrl-C.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err instanceof UserInputError ? err.message : `Error: ${err.message}`);
      process.exit(err instanceof UserInputError ? 2 : 1);
    },
  );
}
