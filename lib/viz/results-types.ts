/** The shape of a notebook's key results (shared by figure.ts and results.ts without a cycle). */

/** MIME type of the results JSON inside a notebook output (renderers show the output's HTML table). */
export const RESULTS_MIME = "application/vnd.vae-gan.results+json";

/** One number (or short text) with the label the tables show. */
export interface ResultEntry {
  label: string;
  value: number | string;
}

/** Key → entry; keys are what the results chapter reads, e.g. `fd_final_scratch`. */
export type NotebookResults = Record<string, ResultEntry>;
