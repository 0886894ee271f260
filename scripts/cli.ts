/** What the training command lines share: Ctrl-C handling and exit statuses. */
import { ConfigError } from "../lib/core/config";

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

/** Runs `main` and exits with its status: 2 for a bad configuration or usage, 1 for any other error. */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err instanceof ConfigError ? err.message : `Error: ${err.message}`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    },
  );
}
