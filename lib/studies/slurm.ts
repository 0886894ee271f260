/**
 * A study as Slurm array jobs: one array per dependency wave (see `dependencyWaves`), one task per
 * run, each wave starting after the previous one's tasks all succeeded (`--dependency=afterok`).
 * Run with bash on a login node, the script submits itself once per wave; run by Slurm as an array
 * task, it trains its run with `scripts/study.ts --run`, the same code a local worker runs, into
 * the shared runs/ folder, and copies the results into results/. Finished runs are skipped and
 * killed ones resume from their checkpoints, so submitting again runs only what is missing.
 */
import * as path from "path";
import { StudyDirs } from "./state";
import { dependencyWaves, StudyPlan } from "./spec";

export interface SlurmOptions {
  /** The project folder on the cluster's shared file system. */
  projectRoot: string;
  /** The node binary on the compute nodes. */
  node: string;
  cpusPerTask?: number;
  /** `--time` of each task (e.g. `02:00:00`); none by default. */
  time?: string;
  partition?: string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The text of the array script for a plan whose folders are `dirs`. */
export function slurmScript(plan: StudyPlan, dirs: StudyDirs, options: SlurmOptions): string {
  const waves = dependencyWaves(plan);
  const cpus = options.cpusPerTask ?? 1;
  const logs = path.join(dirs.runs, "logs");
  const directives = [
    `#SBATCH --job-name=vae-gan-${plan.folder}`,
    `#SBATCH --cpus-per-task=${cpus}`,
    `#SBATCH --output=${logs}/slurm-%A_%a.out`,
    ...(options.time ? [`#SBATCH --time=${options.time}`] : []),
    ...(options.partition ? [`#SBATCH --partition=${options.partition}`] : []),
  ];
  const args = [plan.study, "--profile", plan.profile, "--runs-dir", path.dirname(dirs.runs), "--results-dir", path.dirname(dirs.results)].map(quote).join(" ");
  return `#!/bin/bash
# Study "${plan.study}" (profile ${plan.profile}): ${plan.runs.length} runs in ${waves.length} wave${waves.length === 1 ? "" : "s"} of Slurm array tasks.
# Written by: npm run study -- ${plan.study} --profile ${plan.profile} --emit slurm
# Submit from a login node:   bash ${path.join(dirs.runs, "slurm.sh")}
# Each wave is one array (one task per run) that starts when the previous wave's tasks all succeeded.
# Submitting again runs only what is missing: finished runs are skipped, killed ones resume.
${directives.join("\n")}
set -euo pipefail
PROJECT=${quote(options.projectRoot)}
NODE="\${NODE:-${options.node}}"
WAVES=(
${waves.map((w) => `  "${w.join(" ")}"`).join("\n")}
)

if [ -z "\${SLURM_ARRAY_TASK_ID:-}" ]; then
  mkdir -p ${quote(logs)}
  dependency=""
  for wave in "\${!WAVES[@]}"; do
    read -ra runs <<< "\${WAVES[$wave]}"
    job=$(sbatch --parsable --array=0-$(( \${#runs[@]} - 1 )) \${dependency:+--dependency=afterok:$dependency} --export=ALL,STUDY_WAVE="$wave" "$0")
    job="\${job%%;*}"
    echo "wave $wave: job $job (\${WAVES[$wave]})"
    dependency="$job"
  done
  exit 0
fi

read -ra runs <<< "\${WAVES[$STUDY_WAVE]}"
cd "$PROJECT"
export VAE_GAN_NATIVE_THREADS="\${VAE_GAN_NATIVE_THREADS:-\${SLURM_CPUS_PER_TASK:-${cpus}}}"
exec "$NODE" --import tsx scripts/study.ts ${args} --run "\${runs[$SLURM_ARRAY_TASK_ID]}"
`;
}
