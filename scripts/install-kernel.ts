/**
 * Registers the project's tslab kernel: a project-local spec (.jupyter/, used by render and tests)
 * and, for Jupyter front ends, the same spec in the user's kernel registry via Debian's python3.
 */
import { spawnSync } from "child_process";
import { KERNEL_NAME, pythonPath, writeKernelSpec } from "./jupyter";

const specDir = writeKernelSpec();
console.log(`kernel spec written: ${specDir}`);
const run = spawnSync(pythonPath(), ["-m", "jupyter", "kernelspec", "install", "--user", "--replace", "--name", KERNEL_NAME, specDir], { encoding: "utf8" });
if (run.status === 0) console.log(`kernel "${KERNEL_NAME}" registered for Jupyter front ends (jupyter notebook → kernel "TypeScript (tslab, vae-gan)")`);
else console.log(`could not register the kernel with ${pythonPath()} (${(run.stderr || String(run.error)).trim().split("\n").pop()}); headless runs still work through .jupyter/`);
