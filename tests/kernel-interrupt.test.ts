/**
 * A kernel interrupt in a live notebook (jupyter_client's interrupt_kernel, as a front end sends it)
 * stops a training cell's loop at its next step with a checkpoint; running the cell again resumes it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT, RUNS_DIR } from "../lib/paths";
import { jupyterEnv, KERNEL_NAME, pythonPath, writeKernelSpec } from "../scripts/jupyter";
import { tempDir } from "./helpers/fixtures";
import { notebookSkip } from "./helpers/notebook";

const skip = notebookSkip();

interface CellResult { status: string; output: string; seconds_to_reply_after_interrupt?: number }

test("a kernel interrupt stops the training loop at its next step with a checkpoint; the cell run again resumes from it", { skip }, () => {
  const name = `test-interrupt-${path.basename(tempDir("interrupt"))}`;
  const setup = `import * as tf from "@tensorflow/tfjs";
import { fitAutoencoder } from "./lib/train/fit";
import { blobs } from "./tests/helpers/fixtures";
await tf.setBackend("cpu");
const data = { train: blobs(256, 1), test: blobs(32, 2) };
let cellRun = 0;`;
  // 16 steps per epoch, 6 epochs; a progress line and a short pause per step, as a live chart would.
  const train = `const run = ++cellRun;
const result = await fitAutoencoder({ kind: "dense", config: { imageShape: [14, 14, 1], hiddenUnits: [16], latentDim: 3, seed: 1 } }, {
  name: "${name}", ...data, training: { batchSize: 16, numEpochs: 6, learningRate: 0.01, seed: 3 },
  callbacks: [{
    onTrainBegin: (i) => console.log(\`run \${run} begins at epoch \${i.startEpoch} step \${i.startStep}\`),
    onBatchEnd: async (i) => { console.log(\`run \${run} epoch \${i.epoch} step \${i.step}\`); await new Promise((r) => setTimeout(r, 50)); },
  }],
});
console.log(\`run \${run} \${result.source}: \${result.epochs.length} epochs\`);`;
  const spec = {
    kernel: KERNEL_NAME,
    cwd: PROJECT_ROOT,
    steps: [
      { code: setup, timeout: 180 },
      { code: train, interrupt_when: "run 1 epoch 1 step 3\\n", timeout: 180 },
      { wait_for_glob: path.join(RUNS_DIR, "cache", `${name}-*`, "checkpoint", "position.json"), timeout: 10 },
      { code: train, timeout: 180 },
    ],
  };
  const specFile = path.join(tempDir("kernel-spec"), "spec.json");
  fs.writeFileSync(specFile, JSON.stringify(spec));
  writeKernelSpec();
  const session = spawnSync(pythonPath(), [path.join(__dirname, "helpers", "kernel_session.py"), specFile], { env: jupyterEnv({ VAE_GAN_ENGINE: "cpu" }), encoding: "utf8" });
  assert.equal(session.status, 0, session.stderr);
  const [setupCell, interrupted, checkpoint, rerun] = (JSON.parse(session.stdout) as { steps: Array<CellResult & { file: string | null; content: string | null }> }).steps;
  try {
    assert.equal(setupCell.status, "ok", setupCell.output);
    assert.equal(interrupted.status, "error");
    assert.match(interrupted.output, /Interrupted asynchronously/);
    assert.ok(interrupted.seconds_to_reply_after_interrupt! < 5, `the cell ended ${interrupted.seconds_to_reply_after_interrupt} s after the interrupt`);

    assert.ok(checkpoint.content, "the interrupted loop wrote a checkpoint");
    const position = JSON.parse(checkpoint.content!) as { epoch: number; step: number };
    assert.equal(position.epoch, 1);
    assert.ok(position.step >= 3 && position.step < 16, `stopped at step ${position.step} of epoch 2`);

    assert.equal(rerun.status, "ok", rerun.output);
    assert.match(rerun.output, new RegExp(`^run 2 begins at epoch 1 step ${position.step}\\n`), "the cell run again resumes from the checkpoint");
    assert.match(rerun.output, /run 2 resumed: 6 epochs\n$/);
    assert.doesNotMatch(rerun.output, /run 1 /, "the interrupted loop printed nothing more: it had stopped");
    assert.equal(rerun.output.match(/^run 2 epoch/gm)!.length, 6 * 16 - (16 + position.step));
  } finally {
    const cache = path.join(RUNS_DIR, "cache");
    for (const dir of fs.readdirSync(cache).filter((d) => d.startsWith(`${name}-`))) fs.rmSync(path.join(cache, dir), { recursive: true, force: true });
  }
});
