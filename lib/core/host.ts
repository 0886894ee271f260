/**
 * Where the code runs: inside a tslab kernel (outputs become notebook cells) or not. Figures
 * (viz) and progress lines (train) both ask, so the question lives at the bottom.
 */

type Bundle = Record<string, unknown>;
/** tslab's channel for one display output: a whole MIME bundle at once. */
export type WriteDisplayData = (content: { data: Bundle; metadata: Bundle; transient: Bundle }, update: boolean) => void;

/** tslab's display channel when running inside its kernel, else undefined. */
export function tslabChannel(): WriteDisplayData | undefined {
  try {
    // tslab's public `display` sends one MIME type per output; its channel takes a whole bundle,
    // so front ends and converters can each pick the richest type they support.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: WriteDisplayData | null };
    return jupyter.lastWriteDisplayData ?? undefined;
  } catch {
    return undefined;
  }
}

/** True inside a tslab kernel, where figures become notebook outputs. */
export function inNotebook(): boolean {
  return tslabChannel() !== undefined;
}
