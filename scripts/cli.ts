/** What the training command lines share: Ctrl-C handling and exit statuses. */
import { UserInputError } from "../lib/core/errors";
import { interrupt, InterruptedError, interruptSignal } from "../lib/core/interrupt";

/**
 * One Ctrl-C can arrive more than once within milliseconds: the terminal signals the whole process
 * group, and a parent in it (npm, or a shell that exec'd this process under npm) forwards its copy.
 */
const SAME_CTRL_C_MS = 1000;

/**
 * Ctrl-C (SIGINT, to this process alone or to its whole group) triggers the process-wide interrupt
 * (lib/core/interrupt): every training loop checkpoints after its current step and stops; the returned
 * signal is that interrupt's. A second Ctrl-C, a second or more later, quits at once with status 130.
 * Depends on no parent: run it under `npm run`, a shell or a worker pool alike.
 */
export function stopOnCtrlC(message: string): AbortSignal {
  let first: number | undefined;
  process.on("SIGINT", () => {
    if (first === undefined) {
      first = Date.now();
      console.error(`\n${message} (Ctrl-C again to quit without one)…`);
      interrupt("Ctrl-C");
    } else if (Date.now() - first >= SAME_CTRL_C_MS) process.exit(130);
  });
  return interruptSignal();
}

/**
 * Runs `main` and exits with its status. Every command uses it, so the statuses agree: 2 for a
 * mistake in what the user gave (flag, configuration, environment variable, data path), 1 for an
 * error while running, 130 after Ctrl-C (training stopped with a checkpoint kept).
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      if (err instanceof InterruptedError) {
        console.error(err.message);
        process.exit(130);
      }
      console.error(err instanceof UserInputError ? err.message : `Error: ${err.message}`);
      process.exit(err instanceof UserInputError ? 2 : 1);
    },
  );
}
