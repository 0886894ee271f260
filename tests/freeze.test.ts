import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { nativeThreads } from "../lib/engine/native";
import { PROJECT_ROOT } from "../lib/paths";
import { RESULTS_MIME } from "../lib/viz/results-types";
import { CodeDigests, codeDigests, freezeHash, NotebookJson, notebookNames, planNotebook, usesStudies } from "../scripts/render/freeze";
import { tempDir } from "./helpers/fixtures";

/** A copy of the project's lib/ and lock file, the inputs of the code digest, in a new folder. */
function copyProject(): string {
  const dir = tempDir("freeze");
  fs.cpSync(path.join(PROJECT_ROOT, "lib"), path.join(dir, "lib"), { recursive: true, filter: (src) => !src.includes(path.join("native", "build")) });
  fs.copyFileSync(path.join(PROJECT_ROOT, "package-lock.json"), path.join(dir, "package-lock.json"));
  return dir;
}

const notebook = (sources: string[]): NotebookJson => ({ metadata: {}, cells: sources.map((s) => ({ cell_type: "code", source: s, outputs: [] })) });

test("the code digest does not depend on where the project lives, nor on build output or notes", () => {
  const copy = copyProject();
  const here = codeDigests(PROJECT_ROOT);
  assert.deepEqual(codeDigests(copy), here);
  fs.mkdirSync(path.join(copy, "lib/engine/native/build"), { recursive: true });
  fs.writeFileSync(path.join(copy, "lib/engine/native/build/addon.node"), "binary");
  fs.writeFileSync(path.join(copy, "lib/NOTES.md"), "a note");
  assert.deepEqual(codeDigests(copy), here);
  fs.appendFileSync(path.join(copy, "lib/profiles.ts"), "\n// changed\n");
  assert.notEqual(codeDigests(copy).all, here.all);
  assert.notEqual(codeDigests(copy).withoutStudies, here.withoutStudies);
});

test("a study's definition changes only the freeze of notebooks that call the study layer", () => {
  const copy = copyProject();
  const here = codeDigests(PROJECT_ROOT);
  assert.ok(here.studyExports.includes("prepareStudy") && here.studyExports.includes("PRETRAINING_ARMS"));
  fs.appendFileSync(path.join(copy, "lib/studies/pretraining.ts"), "\nexport const EXTRA_ARM = 1;\n");
  const changed = codeDigests(copy);
  assert.notEqual(changed.all, here.all);
  assert.equal(changed.withoutStudies, here.withoutStudies, "lib/studies/ is left out of the narrower digest");
  assert.ok(changed.studyExports.includes("EXTRA_ARM"));
  assert.ok(usesStudies(notebook(['const s = await vg.prepareStudy("pretraining");']), here.studyExports));
  assert.ok(!usesStudies(notebook(["const vae = vg.buildVae(config);"]), here.studyExports));
  assert.ok(!usesStudies({ metadata: {}, cells: [{ cell_type: "markdown", source: "the study runner (prepareStudy) trains it" }] }, here.studyExports), "prose does not count");

  const dir = tempDir("freeze-studies");
  const plain = notebook(["const vae = vg.buildVae(config);"]);
  const reader = notebook(['const s = await vg.prepareStudy("pretraining");']);
  for (const [name, nb] of [["01-plain.ipynb", plain], ["05-reader.ipynb", reader]] as const) {
    const code = usesStudies(nb, here.studyExports) ? here.all : here.withoutStudies;
    fs.writeFileSync(path.join(dir, name), JSON.stringify({ ...nb, metadata: { vae_gan: { freeze: freezeHash(nb, "full", code, []), profile: "full" } } }));
  }
  // Only 01 and 05 are in the folder, and neither reads the other's results.
  assert.deepEqual([planNotebook(dir, "01-plain.ipynb", here).frozen, planNotebook(dir, "05-reader.ipynb", here).frozen], [true, true]);
  assert.deepEqual([planNotebook(dir, "01-plain.ipynb", changed).frozen, planNotebook(dir, "05-reader.ipynb", changed).frozen], [true, false]);
});

test("the freeze hash changes with a cell's source and the profile, and for the results chapter with other notebooks' results", () => {
  const code = "c0de";
  const base = freezeHash(notebook(["a()"]), "quick", code, []);
  assert.equal(freezeHash(notebook(["a()"]), "quick", code, []), base);
  assert.notEqual(freezeHash(notebook(["b()"]), "quick", code, []), base);
  assert.notEqual(freezeHash(notebook(["a()"]), "full", code, []), base);
  assert.notEqual(freezeHash(notebook(["a()"]), "quick", "other", []), base);

  const dir = tempDir("freeze-results");
  const other = path.join(dir, "01.ipynb");
  const write = (value: number) => fs.writeFileSync(other, JSON.stringify({ metadata: {}, cells: [{ cell_type: "code", source: "", outputs: [{ data: { [RESULTS_MIME]: { loss: { label: "loss", value } } } }] }] }));
  const reader = notebook(['vg.notebookResults("01")']);
  write(1);
  const before = freezeHash(reader, "full", code, [other]);
  assert.equal(freezeHash(notebook(["a()"]), "full", code, [other]), freezeHash(notebook(["a()"]), "full", code, []), "a notebook that reads no results ignores the others");
  write(2);
  assert.notEqual(freezeHash(reader, "full", code, [other]), before);
});

test("a notebook is planned as frozen while its stored hash matches, and under the profile it last ran with", () => {
  const dir = tempDir("freeze-plan");
  const file = path.join(dir, "01-a.ipynb");
  fs.writeFileSync(path.join(dir, "notes.txt"), "not a notebook");
  const nb = notebook(["a()"]);
  fs.writeFileSync(file, JSON.stringify(nb));
  assert.deepEqual(notebookNames(dir), ["01-a.ipynb"]);
  assert.deepEqual(notebookNames(dir, ["02"]), []);
  const digests = (d: string): CodeDigests => ({ all: d, withoutStudies: d, studyExports: [] });
  const fresh = planNotebook(dir, "01-a.ipynb", digests("c0de"));
  assert.equal(fresh.profile, "quick", "a never-executed notebook runs under quick");
  assert.equal(fresh.frozen, false);

  fs.writeFileSync(file, JSON.stringify({ ...nb, metadata: { vae_gan: { freeze: freezeHash(nb, "full", "c0de", []), profile: "full", seconds: 754 } } }));
  assert.deepEqual([planNotebook(dir, "01-a.ipynb", digests("c0de")).profile, planNotebook(dir, "01-a.ipynb", digests("c0de")).frozen], ["full", true]);
  assert.equal(planNotebook(dir, "01-a.ipynb", digests("c0de")).seconds, 754, "the last execution's duration is read back");
  assert.equal(planNotebook(dir, "01-a.ipynb", digests("c0de"), "quick").frozen, false, "another profile re-executes it");
  assert.equal(planNotebook(dir, "01-a.ipynb", digests("changed")).frozen, false, "changed code re-executes it");
});

test("a notebook executes with VAE_GAN_NATIVE_THREADS or the engine's default, whatever count it last ran with", () => {
  assert.equal(nativeThreads(undefined, 8), 2, "the engine's default, min(2, cores)");
  assert.equal(nativeThreads(undefined, 1), 1);
  assert.equal(nativeThreads("3", 2), 3, "VAE_GAN_NATIVE_THREADS wins");
  assert.equal(nativeThreads(" ", 2), 2, "a blank or invalid override is ignored, as the engine ignores it");
  assert.equal(nativeThreads("0", 2), 2);
  const dir = tempDir("freeze-threads");
  fs.writeFileSync(path.join(dir, "05-b.ipynb"), JSON.stringify({ ...notebook(["b()"]), metadata: { vae_gan: { freeze: "x", profile: "full", threads: 1 } } }));
  const digests: CodeDigests = { all: "c", withoutStudies: "c", studyExports: [] };
  assert.equal(planNotebook(dir, "05-b.ipynb", digests).threads, Math.min(2, os.availableParallelism()), "the default, min(2, cores)");
  assert.equal(planNotebook(dir, "05-b.ipynb", digests, undefined, "3").threads, 3, "VAE_GAN_NATIVE_THREADS wins");
  assert.equal(planNotebook(dir, "05-b.ipynb", digests, undefined, " ").threads, Math.min(2, os.availableParallelism()), "a blank override is ignored, as the engine ignores it");
});

test("display-only cell options leave the freeze hash alone; execution options and code do not", () => {
  const code = "c0de";
  const plain = freezeHash(notebook(["const x = 1;\nshow(x);"]), "full", code, []);
  const captioned = notebook([
    '#| label: fig-loss\n#| fig-cap: "Loss: training and test"\n#| fig-alt: A falling curve.\n#| echo: false\n#| code-fold: true\n#| fig-subcap:\n#|   - "a"\n#|   - "b"\nconst x = 1;\nshow(x);',
  ]);
  assert.equal(freezeHash(captioned, "full", code, []), plain, "captions, alt text, echo and folding are display only");
  // The same notebook as Jupyter stores it: a list of lines.
  assert.equal(freezeHash({ metadata: {}, cells: [{ cell_type: "code", source: ["#| label: fig-loss\n", "const x = 1;\n", "show(x);"], outputs: [] }] }, "full", code, []), plain);
  assert.notEqual(freezeHash(notebook(["#| eval: false\nconst x = 1;\nshow(x);"]), "full", code, []), plain, "eval changes what runs");
  assert.notEqual(freezeHash(notebook(["#| label: fig-loss\nconst x = 2;\nshow(x);"]), "full", code, []), plain, "code still counts");
  const md = (s: string): NotebookJson => ({ metadata: {}, cells: [{ cell_type: "markdown", source: s }] });
  assert.notEqual(freezeHash(md("#| label: fig-x\ntext"), "full", code, []), freezeHash(md("text"), "full", code, []), "only code cells have options");
});
