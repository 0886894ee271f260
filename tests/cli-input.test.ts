/**
 * What a user types wrong on the command lines, tried through `npm run …` as they would: missing or
 * blank flag values, a render that would replace full results with quick ones, wrong data paths,
 * run names that leave runs/, and the exit statuses (2 usage/config, 1 runtime). Every spawned render
 * works on a temporary copy of the project (or only `--check`s), so the committed notebooks are never touched.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { selectEngine } from "../lib/engine/ladder";
import { UserInputError } from "../lib/core/errors";
import { PROJECT_ROOT } from "../lib/paths";
import { FlagSpec, UsageError } from "../scripts/args";
import { BENCH_FLAGS, parseBenchArgs } from "../scripts/bench";
import { parseRenderArgs, RENDER_FLAGS } from "../scripts/render";
import { parseSearchArgs, SEARCH_FLAGS } from "../scripts/search";
import { parseTrainArgs, TRAIN_FLAGS } from "../scripts/train";
import { makeFashionMnistFixture, tempDir } from "./helpers/fixtures";

/** The environment of a user who set none of the project's variables. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["VAE_GAN_PROFILE", "VAE_GAN_ENGINE", "FASHION_MNIST_DIR", "CELEBA_DIR", "npm_config_loglevel"]) delete env[k];
  return { ...env, ...extra };
}

function npmRun(cwd: string, script: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("npm", ["run", "-s", script, "--", ...args], { cwd, env: cleanEnv(env), encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("every flag that takes a value, of every command, rejects a missing, empty or blank one by name", () => {
  const commands: [string, Record<string, FlagSpec>, (argv: string[]) => unknown, string[]][] = [
    ["render", RENDER_FLAGS, parseRenderArgs, []],
    ["train", TRAIN_FLAGS, parseTrainArgs, ["ae"]],
    ["search", SEARCH_FLAGS, parseSearchArgs, ["ae", "--trials", "2"]],
    ["bench", BENCH_FLAGS, parseBenchArgs, []],
  ];
  const saved = process.env.VAE_GAN_PROFILE;
  delete process.env.VAE_GAN_PROFILE;
  try {
    for (const [command, flags, parse, base] of commands) {
      for (const [name, spec] of Object.entries(flags)) {
        const flag = `--${name}`;
        const fails = (argv: string[], re: RegExp) =>
          assert.throws(() => parse([...base, ...argv]), (e: Error) => e instanceof UsageError && re.test(e.message), `${command} ${argv.join(" ")}`);
        if (spec.kind === "boolean") {
          fails([`${flag}=yes`], new RegExp(`^${flag} takes no value`));
          continue;
        }
        for (const argv of [[flag], [flag, ""], [flag, "  "], [`${flag}=`], [flag, "--json"]]) fails(argv, new RegExp(`^${flag} needs a value`));
      }
      assert.throws(() => parse([...base, "--nope"]), (e: Error) => e instanceof UsageError && /^Unknown option --nope\.\nUsage:\s+npm run /.test(e.message));
    }
  } finally {
    if (saved !== undefined) process.env.VAE_GAN_PROFILE = saved;
  }
});

test("npm run render --no-execute renders the notebooks as committed and refuses flags that choose what executes", () => {
  const saved = process.env.VAE_GAN_PROFILE;
  delete process.env.VAE_GAN_PROFILE;
  try {
    assert.equal(parseRenderArgs(["--no-execute"]).execute, false);
    assert.equal(parseRenderArgs([]).execute, true);
    for (const argv of [["--force"], ["--only", "05"], ["--profile", "full"]]) {
      assert.throws(() => parseRenderArgs(["--no-execute", ...argv]), (e: Error) => e instanceof UsageError && /^--no-execute renders the notebooks as committed/.test(e.message), argv.join(" "));
    }
  } finally {
    if (saved !== undefined) process.env.VAE_GAN_PROFILE = saved;
  }
});

/** A copy of the project (lib, scripts, package files; node_modules linked) whose notebooks folder holds one fixture notebook last executed under `full`. */
function fixtureProject(): { dir: string; notebook: string } {
  const dir = tempDir("render-project");
  fs.cpSync(path.join(PROJECT_ROOT, "lib"), path.join(dir, "lib"), { recursive: true, filter: (src) => !src.includes(path.join("native", "build")) });
  fs.cpSync(path.join(PROJECT_ROOT, "scripts"), path.join(dir, "scripts"), { recursive: true });
  for (const f of ["package.json", "package-lock.json", "tsconfig.json"]) fs.copyFileSync(path.join(PROJECT_ROOT, f), path.join(dir, f));
  fs.symlinkSync(fs.realpathSync(path.join(PROJECT_ROOT, "node_modules")), path.join(dir, "node_modules"));
  fs.mkdirSync(path.join(dir, "notebooks"));
  const notebook = path.join(dir, "notebooks", "01-fixture.ipynb");
  const nb = { nbformat: 4, nbformat_minor: 4, metadata: { vae_gan: { freeze: "0000000000000000", profile: "full" } },
    cells: [{ cell_type: "code", metadata: {}, execution_count: 1, source: ["console.log('trained for hours')"], outputs: [{ output_type: "stream", name: "stdout", text: ["full results\n"] }] }] };
  fs.writeFileSync(notebook, JSON.stringify(nb, null, 1) + "\n");
  return { dir, notebook };
}

test("npm run render: --profile without a value, or a blank VAE_GAN_PROFILE, is an error, and nothing is executed", () => {
  const { dir, notebook } = fixtureProject();
  const before = fs.readFileSync(notebook, "utf8");
  const bare = npmRun(dir, "render", ["--profile"]);
  assert.equal(bare.status, 2, bare.stderr + bare.stdout);
  assert.match(bare.stderr, /--profile needs a value \(quick\|full\)/);
  const blank = npmRun(dir, "render", [], { VAE_GAN_PROFILE: " " });
  assert.equal(blank.status, 2, blank.stderr + blank.stdout);
  assert.match(blank.stderr, /VAE_GAN_PROFILE is set but empty/);
  assert.equal(fs.readFileSync(notebook, "utf8"), before, "the full-profile notebook is untouched");
});

test("npm run render: replacing a notebook's full results with quick ones needs --allow-downgrade; --check shows the refusal", () => {
  const { dir, notebook } = fixtureProject();
  const before = fs.readFileSync(notebook, "utf8");
  const forced = npmRun(dir, "render", ["--profile", "quick"]);
  assert.equal(forced.status, 2, forced.stderr + forced.stdout);
  assert.match(forced.stderr, /--profile quick would replace the results of 01-fixture\.ipynb \(full\) with quick-profile ones\. Give --allow-downgrade/);
  const fromEnv = npmRun(dir, "render", [], { VAE_GAN_PROFILE: "quick" });
  assert.equal(fromEnv.status, 2);
  assert.match(fromEnv.stderr, /VAE_GAN_PROFILE quick would replace the results of 01-fixture\.ipynb/);
  assert.equal(fs.readFileSync(notebook, "utf8"), before, "the full-profile notebook is untouched");

  const check = npmRun(dir, "render", ["--check", "--profile", "quick"]);
  assert.equal(check.status, 2);
  assert.match(check.stdout, /01-fixture\.ipynb: refused: would replace its full results with quick ones \(--allow-downgrade to allow\)/);
  const allowed = npmRun(dir, "render", ["--check", "--profile", "quick", "--allow-downgrade"]);
  assert.equal(allowed.status, 1, "stale: a render would execute it");
  assert.match(allowed.stdout, /01-fixture\.ipynb: would be executed \(profile quick, \d native threads?\)/);
});

test("npm run render -- --check --profile quick refuses for the committed full-profile notebooks (read-only)", () => {
  const r = npmRun(PROJECT_ROOT, "render", ["--check", "--profile", "quick"]);
  assert.equal(r.status, 2, r.stderr + r.stdout);
  assert.match(r.stdout, /01-dense-autoencoder\.ipynb: refused: would replace its full results with quick ones/);
  assert.match(r.stderr, /--allow-downgrade/);
});

const tinyAe = ["--set", "data.trainSize=8", "--set", "data.testSize=8", "--set", "training.batchSize=4", "--set", "training.numEpochs=1",
  "--set", "model.hiddenUnits=8", "--set", "model.latentDim=2", "--set", "tracking.checkpointEvery=0", "--engine", "cpu"];

test("npm run train: a FASHION_MNIST_DIR missing a file, or blank, is an error naming it; no run folder is left behind", () => {
  const runs = tempDir("runs");
  const partial = makeFashionMnistFixture(8);
  fs.rmSync(path.join(partial, "t10k-labels-idx1-ubyte.gz"));
  const r = npmRun(PROJECT_ROOT, "train", ["ae", "--name", "fm", "--runs-dir", runs, ...tinyAe], { FASHION_MNIST_DIR: partial });
  assert.equal(r.status, 2, r.stderr + r.stdout);
  assert.match(r.stderr, new RegExp(`Fashion-MNIST not found: ${partial} \\(from FASHION_MNIST_DIR\\) lacks t10k-labels-idx1-ubyte\\(\\.gz\\) \\(it holds only train-images`));
  assert.deepEqual(fs.readdirSync(runs), [], "the failed run's folder was removed");
  const blank = npmRun(PROJECT_ROOT, "train", ["ae", "--runs-dir", runs, ...tinyAe], { FASHION_MNIST_DIR: "" });
  assert.equal(blank.status, 2, blank.stderr + blank.stdout);
  assert.match(blank.stderr, /FASHION_MNIST_DIR is set but empty/);
});

test("npm run train: a wrong IDX dtype is named; the failed run frees its name; config.json records the data files read", () => {
  const runs = tempDir("runs");
  const data = makeFashionMnistFixture(8, false);
  const images = path.join(data, "train-images-idx3-ubyte");
  const good = fs.readFileSync(images);
  // The same shape declared as int32 (dtype byte 0x0c), with a body of the matching length.
  const int32 = Buffer.concat([Buffer.from([0, 0, 0x0c, 3]), good.subarray(4, 16), Buffer.alloc(8 * 28 * 28 * 4)]);
  fs.writeFileSync(images, int32);
  const bad = npmRun(PROJECT_ROOT, "train", ["ae", "--name", "dtype", "--runs-dir", runs, ...tinyAe], { FASHION_MNIST_DIR: data });
  assert.equal(bad.status, 1, bad.stderr + bad.stdout);
  assert.match(bad.stderr, /train-images-idx3-ubyte: expected uint8 pixels \(IDX dtype byte 0x08\), found int32/);
  assert.ok(!fs.existsSync(path.join(runs, "dtype")), "no folder with only config.json blocks the name");

  fs.writeFileSync(images, good);
  const ok = npmRun(PROJECT_ROOT, "train", ["ae", "--name", "dtype", "--runs-dir", runs, ...tinyAe], { FASHION_MNIST_DIR: data });
  assert.equal(ok.status, 0, ok.stderr + ok.stdout);
  const config = JSON.parse(fs.readFileSync(path.join(runs, "dtype", "config.json"), "utf8")) as { dataFiles: { path: string; bytes: number; sha256: string }[] };
  const expected = fs.readdirSync(data).sort().map((f) => {
    const bytes = fs.readFileSync(path.join(data, f));
    return { path: path.join(data, f), bytes: bytes.length, sha256: crypto.createHash("sha256").update(bytes).digest("hex") };
  });
  assert.deepEqual(config.dataFiles, expected);
});

test("npm run train: --resume with a name that leaves runs/ is refused, and an engine error names --engine, not VAE_GAN_ENGINE", () => {
  const base = tempDir("escape");
  const runs = path.join(base, "a", "b", "runs");
  fs.mkdirSync(runs, { recursive: true });
  // A finished run two folders above the runs folder: `--resume ../../x` used to open it.
  fs.mkdirSync(path.join(base, "a", "x"), { recursive: true });
  fs.writeFileSync(path.join(base, "a", "x", "config.json"), JSON.stringify({ name: "x", model: "ae", config: {} }));
  fs.writeFileSync(path.join(base, "a", "x", "summary.json"), "{}");
  const escape = npmRun(PROJECT_ROOT, "train", ["--resume", "../../x", "--runs-dir", runs]);
  assert.equal(escape.status, 2, escape.stderr + escape.stdout);
  assert.match(escape.stderr, /--resume "\.\.\/\.\.\/x" is not a run name: use a plain folder name under the runs folder/);
  const engine = npmRun(PROJECT_ROOT, "train", ["ae", "--runs-dir", runs, "--engine", "tpu"]);
  assert.equal(engine.status, 2);
  assert.match(engine.stderr, /--engine must be one of node-gpu, node, native, wasm, cpu; got "tpu"/);
  assert.doesNotMatch(engine.stderr, /VAE_GAN_ENGINE/);
  assert.deepEqual(fs.readdirSync(runs), []);
});

test("a forced engine that cannot load names the flag it came from, and a blank VAE_GAN_ENGINE is an error", async () => {
  const missing = async (): Promise<string> => {
    throw new Error("addon not built");
  };
  await assert.rejects(selectEngine({ engine: "native", source: "--engine", log: () => {}, loaders: { native: missing } }),
    /^Error: Engine "native" was forced by --engine but cannot load: addon not built\. Remove --engine to let the ladder choose/);
  const saved = process.env.VAE_GAN_ENGINE;
  process.env.VAE_GAN_ENGINE = " ";
  try {
    await assert.rejects(selectEngine({ log: () => {} }), (e: Error) => e instanceof UserInputError && /VAE_GAN_ENGINE is set but empty/.test(e.message));
  } finally {
    if (saved === undefined) delete process.env.VAE_GAN_ENGINE;
    else process.env.VAE_GAN_ENGINE = saved;
  }
});

test("usage errors exit with status 2 in every command", () => {
  for (const [script, args] of [["search", ["ae", "--trials"]], ["bench", ["--seconds"]]] as const) {
    const r = npmRun(PROJECT_ROOT, script, [...args]);
    assert.equal(r.status, 2, `${script}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^${args[args.length - 1]} needs a value`));
  }
});

test(".ipynb_checkpoints folders are ignored by git", () => {
  const r = spawnSync("git", ["check-ignore", "-q", "notebooks/.ipynb_checkpoints/01-dense-autoencoder-checkpoint.ipynb"], { cwd: PROJECT_ROOT });
  assert.equal(r.status, 0, "git check-ignore: not ignored");
});

