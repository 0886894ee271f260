/**
 * `npm run bench`: training throughput of every engine of the ladder next to PyTorch CPU.
 *
 *   npm run bench -- [--models M1,M2,M3,M4] [--engines node-gpu,node,native,wasm,cpu] [--seconds 2]
 *                    [--rounds 3] [--max-cell-seconds 60] [--seed 1] [--threads 1] [--json] [--no-torch]
 *
 * Each engine runs in its own child process (this script with `--child <engine>`), forced through
 * selectEngine, so one engine's backend, memory or crash cannot touch another's numbers. The PyTorch
 * peer (bench/torch_peer.py on /usr/bin/python3 or $VAE_GAN_PYTHON) runs the same models in the same
 * run, with as many threads as the engines (`--threads`: PyTorch's and the native engine's). Everything
 * runs one after the other: the machine has two cores. The machine's speed drifts by tens of percent
 * within minutes, so the whole comparison runs `--rounds` times, peer and engines alternating who goes
 * first, and a ratio is the median of the rounds' ratios (each pairs measurements minutes apart). See
 * bench/README.md.
 */
import { spawn } from "child_process";
import * as path from "path";
import { ENGINE_NAMES, EngineName, selectEngine } from "../lib/engine/ladder";
import { MODEL_NAMES, ModelName, BENCH_BATCH, measureModel, measureMatMul } from "../bench/models";
import { FlagSpec, numberFlag, parseArgs as parseFlags, UsageError } from "./args";
import { readEnv } from "../lib/core/env";
import { runMain } from "./cli";

const MATMUL_SIZES = [512, 1024];

interface Options {
  models: ModelName[];
  engines: EngineName[];
  seconds: number;
  /** Repetitions of the whole comparison; ratios are medians over them. */
  rounds: number;
  maxCellSeconds: number;
  seed: number;
  /** Threads of PyTorch and of the native engine alike, so a ratio compares equal hardware. */
  threads: number;
  /** OPENBLAS_CORETYPE for the peer's OpenBLAS (numpy, PyTorch's dense products; "auto": unset, it picks for the CPU); undefined keeps the environment's. */
  blasCore?: string;
  /** oneDNN's highest instruction set for the PyTorch peer (ONEDNN_MAX_CPU_ISA); undefined: what it detects. */
  peerIsa?: string;
  json: boolean;
  torch: boolean;
  child?: EngineName;
}

/** oneDNN's names for the instruction sets its convolutions may use (ONEDNN_MAX_CPU_ISA); ALL is its default. */
const ONEDNN_ISAS = ["SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX512_CORE", "AVX512_CORE_VNNI", "AVX512_CORE_BF16", "AVX512_CORE_AMX", "ALL"] as const;

const USAGE = `Usage: npm run bench -- [--models ${MODEL_NAMES.join(",")}] [--engines ${ENGINE_NAMES.join(",")}] [--seconds 2] [--rounds 3] [--max-cell-seconds 60] [--seed 1] [--threads 1] [--blas-core auto|NAME] [--peer-isa ${ONEDNN_ISAS.join("|")}] [--json] [--no-torch]`;

function parseList<T extends string>(flag: string, value: string, valid: readonly T[], upper: boolean): T[] {
  const items = value.split(",").map((s) => s.trim()).filter(Boolean).map((s) => (upper ? s.toUpperCase() : s));
  for (const item of items) if (!(valid as readonly string[]).includes(item)) throw new UsageError(`${flag}: unknown "${item}". Valid: ${valid.join(", ")}.`);
  if (!items.length) throw new UsageError(`${flag} needs at least one of: ${valid.join(", ")}.`);
  return items as T[];
}

/** The flags of `npm run bench`. */
export const BENCH_FLAGS = {
  models: { kind: "string" }, engines: { kind: "string" }, seconds: { kind: "string" }, rounds: { kind: "string" }, "max-cell-seconds": { kind: "string" },
  seed: { kind: "string" }, threads: { kind: "string" }, "blas-core": { kind: "string" }, "peer-isa": { kind: "string", choices: ONEDNN_ISAS }, json: { kind: "boolean" }, "no-torch": { kind: "boolean" },
  // Internal: the parent runs this script once per engine with --child <engine>.
  child: { kind: "string", choices: ENGINE_NAMES },
} as const satisfies Record<string, FlagSpec>;

/** The command line of `npm run bench`, checked; usage errors throw UsageError. */
export function parseBenchArgs(argv: string[]): Options {
  const { flags, help } = parseFlags(argv, BENCH_FLAGS, USAGE);
  if (help) {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }
  return {
    models: flags.models === undefined ? [...MODEL_NAMES] : parseList("--models", flags.models, MODEL_NAMES, true),
    engines: flags.engines === undefined ? [...ENGINE_NAMES] : parseList("--engines", flags.engines, ENGINE_NAMES, false),
    seconds: flags.seconds === undefined ? 2 : numberFlag("--seconds", flags.seconds, { above: 0 }),
    rounds: flags.rounds === undefined ? 3 : numberFlag("--rounds", flags.rounds, { integer: true, min: 1 }),
    maxCellSeconds: flags["max-cell-seconds"] === undefined ? 60 : numberFlag("--max-cell-seconds", flags["max-cell-seconds"], { above: 0 }),
    seed: flags.seed === undefined ? 1 : numberFlag("--seed", flags.seed, { integer: true, min: 0 }),
    threads: flags.threads === undefined ? 1 : numberFlag("--threads", flags.threads, { integer: true, min: 1 }),
    blasCore: flags["blas-core"],
    peerIsa: flags["peer-isa"],
    json: flags.json, torch: !flags["no-torch"], child: flags.child as EngineName | undefined,
  };
}

/** Lines the children and the peer print: one JSON object each. */
type Line = { kind: "engine"; ok: boolean; summary?: string; reason?: string; gemm?: string }
  | { kind: "model"; model: ModelName; img_per_s: number; batch?: number; steps: number; seconds: number; note?: string }
  | { kind: "matmul"; n: number; gflops: number }
  | { kind: "error"; model?: ModelName; n?: number; reason: string }
  | { kind: "info"; [key: string]: unknown };

const emit = (line: Line): void => void process.stdout.write(JSON.stringify(line) + "\n");
const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split("\n")[0]!.slice(0, 300);

/** Child mode: force one engine, measure, print JSON lines, never throw. */
async function child(engine: EngineName, o: Options): Promise<void> {
  try {
    const info = await selectEngine({ engine, log: () => {} });
    // The ratios depend on the instruction sets: the native engine's sgemm takes the CPU's best level.
    const n = engine === "native" ? (require("../lib/engine/native") as typeof import("../lib/engine/native")).nativeInfo() : undefined;
    emit({ kind: "engine", ok: true, summary: info.summary, ...(n ? { gemm: n.gemm } : {}) });
  } catch (err) {
    emit({ kind: "engine", ok: false, reason: firstLine(err).replace(/^Engine "[^"]+" was forced by [^:]+ but cannot load: /, "").replace(/\. Remove \S+ to let .*$/, "") });
    return;
  }
  for (const model of o.models) {
    try {
      const m = await measureModel(model, o);
      emit({ kind: "model", model, img_per_s: m.imgPerS, batch: m.batch, steps: m.steps, seconds: m.seconds, ...(m.note ? { note: m.note } : {}) });
    } catch (err) {
      emit({ kind: "error", model, reason: firstLine(err) });
    }
  }
  for (const n of MATMUL_SIZES) {
    try {
      emit({ kind: "matmul", n, gflops: await measureMatMul(n, Math.min(o.seconds, 2) / 2, o.seed) });
    } catch (err) {
      emit({ kind: "error", n, reason: firstLine(err) });
    }
  }
}

interface RunResult { lines: Line[]; failure?: string }

/** Runs a command to completion (or until `timeoutS`), collecting the JSON lines of its stdout. */
function collect(cmd: string, args: string[], timeoutS: number, label: string, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve) => {
    const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "", err = "", timedOut = false;
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const timer = setTimeout(() => { timedOut = true; proc.kill("SIGKILL"); }, timeoutS * 1000);
    const done = (code: number | null, signal: string | null, spawnError?: Error): void => {
      clearTimeout(timer);
      const lines = out.split("\n").filter((l) => l.startsWith("{")).flatMap((l) => {
        try { return [JSON.parse(l) as Line]; } catch { return []; }
      });
      const lastErr = err.split("\n").map((l) => l.trim()).filter(Boolean).pop()?.slice(0, 200);
      const failure = spawnError ? `${label} could not start: ${spawnError.message}`
        : timedOut ? `${label} timed out after ${timeoutS} s`
        : code !== 0 ? `${label} exited with ${signal ?? `code ${code}`}${lastErr ? `: ${lastErr}` : ""}` : undefined;
      resolve({ lines, failure });
    };
    proc.on("error", (e) => done(null, null, e));
    proc.on("close", (code, signal) => done(code, signal));
  });
}

interface Row { model: ModelName; engine: string; img_per_s: number | null; torch_img_per_s: number | null; ratio: number | null; torch_threads: number | null; batch?: number; note?: string; error?: string; torch_error?: string; rounds?: RoundCells }
interface MatRow { matmul: number; engine: string; gflops: number | null; numpy_gflops: number | null; ratio: number | null; error?: string; rounds?: RoundCells }
/** Per-round numbers behind a row's medians (null where a side gave no result that round). */
interface RoundCells { ours: (number | null)[]; peer: (number | null)[]; ratio: (number | null)[] }

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null => (a && b ? a / b : null);
const fmt = (v: number | null | undefined, digits = 1): string => (v == null ? "—" : v >= 100 ? v.toFixed(0) : v.toFixed(digits));
/** Ratios keep two significant digits when small (the cpu engine is hundreds of times slower). */
const fmtRatio = (v: number | null): string => (v == null ? "—" : v < 0.1 ? v.toPrecision(2) : v.toFixed(2));

/** Median of the known values (mean of the middle two for an even count); null when none. */
export function median(values: readonly (number | null | undefined)[]): number | null {
  const known = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (!known.length) return null;
  const mid = known.length >> 1;
  return known.length % 2 ? known[mid]! : (known[mid - 1]! + known[mid]!) / 2;
}

/**
 * One cell over the rounds: each side's median, and the median of the rounds' own ratios (a round
 * pairs the two sides' measurements minutes apart, so the machine's drift cancels in its ratio).
 */
export function combineRounds(ours: readonly (number | null)[], peer: readonly (number | null)[]): { ours: number | null; peer: number | null; ratio: number | null; rounds: RoundCells } {
  const ratios = ours.map((v, i) => ratio(v, peer[i]));
  return { ours: median(ours), peer: median(peer), ratio: median(ratios), rounds: { ours: [...ours], peer: [...peer], ratio: ratios } };
}

/** The environment of both sides' children; OPENBLAS_CORETYPE picks the kernels of the peer's OpenBLAS (numpy, PyTorch's dense products). */
function baseEnv(o: Options): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (o.blasCore === "auto") delete env.OPENBLAS_CORETYPE;
  else if (o.blasCore) env.OPENBLAS_CORETYPE = o.blasCore;
  return env;
}

/** One pass of the comparison: the PyTorch peer and every engine's child, once each. */
interface Round { torch: RunResult; engines: Map<EngineName, RunResult> }

async function runRound(o: Options, env: NodeJS.ProcessEnv, index: number, progress: (s: string) => void): Promise<Round> {
  const python = readEnv("VAE_GAN_PYTHON") ?? "/usr/bin/python3";
  const capPerChild = o.models.length * (o.maxCellSeconds + 30) + 120;
  const label = o.rounds > 1 ? ` (round ${index + 1}/${o.rounds})` : "";
  let torch: RunResult = { lines: [], failure: "PyTorch peer skipped (--no-torch)" };
  const peer = async (): Promise<void> => {
    if (!o.torch) return;
    progress(`PyTorch peer (${python})${label} …`);
    torch = await collect(python, [path.join(__dirname, "..", "bench", "torch_peer.py"), "--models", o.models.join(","),
      "--seconds", String(o.seconds), "--max-cell-seconds", String(o.maxCellSeconds), "--seed", String(o.seed),
      "--matmul", MATMUL_SIZES.join(","), "--threads", String(o.threads)], capPerChild, "the PyTorch peer",
      // numpy's OpenBLAS reads its thread count when it loads.
      { ...env, OPENBLAS_NUM_THREADS: String(o.threads), OMP_NUM_THREADS: String(o.threads), ...(o.peerIsa ? { ONEDNN_MAX_CPU_ISA: o.peerIsa, DNNL_MAX_CPU_ISA: o.peerIsa } : {}) });
  };
  const engines = new Map<EngineName, RunResult>();
  const ours = async (): Promise<void> => {
    for (const engine of o.engines) {
      progress(`engine ${engine}${label} …`);
      const args = [...process.execArgv, __filename, "--child", engine, "--models", o.models.join(","), "--seconds", String(o.seconds),
        "--max-cell-seconds", String(o.maxCellSeconds), "--seed", String(o.seed)];
      engines.set(engine, await collect(process.execPath, args, capPerChild, `the ${engine} child`, { ...env, VAE_GAN_NATIVE_THREADS: String(o.threads) }));
    }
  };
  // Alternating who goes first keeps a steady drift from favouring one side.
  if (index % 2 === 0) { await peer(); await ours(); }
  else { await ours(); await peer(); }
  return { torch, engines };
}

async function parent(o: Options): Promise<void> {
  const env = baseEnv(o);
  const progress = (s: string): void => void (o.json || process.stderr.write(s + "\n"));
  const rounds: Round[] = [];
  for (let i = 0; i < o.rounds; i++) rounds.push(await runRound(o, env, i, progress));

  const torch = rounds[0]!.torch;
  const tInfo = rounds.map((r) => r.torch.lines.find((l) => l.kind === "info")).find(Boolean) as Record<string, unknown> | undefined;
  const torchThreads = typeof tInfo?.torch_threads === "number" ? tInfo.torch_threads : null;
  const find = <K extends Line["kind"]>(lines: Line[], kind: K, pred: (l: Extract<Line, { kind: K }>) => boolean) =>
    lines.find((l) => l.kind === kind && pred(l as Extract<Line, { kind: K }>)) as Extract<Line, { kind: K }> | undefined;
  const torchModel = (r: Round, m: ModelName) => find(r.torch.lines, "model", (l) => l.model === m);
  const torchError = (m: ModelName): string => rounds.map((r) => find(r.torch.lines, "error", (l) => l.model === m)?.reason ?? r.torch.failure).find(Boolean) ?? "no result";
  const numpy = (r: Round, n: number) => find(r.torch.lines, "matmul", (l) => l.n === n)?.gflops ?? null;

  const rows: Row[] = [];
  const matRows: MatRow[] = [];
  let gemm: string | undefined;
  const many = o.rounds > 1;
  for (const engine of o.engines) {
    const results = rounds.map((r) => r.engines.get(engine)!);
    const heads = results.map((r) => r.lines.find((l) => l.kind === "engine") as Extract<Line, { kind: "engine" }> | undefined);
    gemm ??= heads.find((h) => h?.gemm)?.gemm;
    const head = heads.find((h) => h?.ok) ?? heads[0];
    const notLoaded = !head ? (results[0]!.failure ?? "the child printed nothing") : head.ok ? undefined : `did not load: ${head.reason}`;
    for (const model of o.models) {
      const got = results.map((r) => find(r.lines, "model", (l) => l.model === model));
      const c = combineRounds(got.map((g) => g?.img_per_s ?? null), rounds.map((r) => torchModel(r, model)?.img_per_s ?? null));
      const first = got.find(Boolean);
      const err = results.map((r) => find(r.lines, "error", (l) => l.model === model)?.reason ?? r.failure).find(Boolean);
      rows.push({
        model, engine, img_per_s: c.ours, torch_img_per_s: c.peer, ratio: c.ratio, torch_threads: torchThreads,
        ...(first?.batch && first.batch !== BENCH_BATCH ? { batch: first.batch } : {}),
        ...(first?.note ? { note: first.note } : {}),
        ...(c.ours == null ? { error: notLoaded ?? err ?? "no result" } : {}),
        ...(c.peer == null ? { torch_error: torchError(model) } : {}),
        ...(many ? { rounds: c.rounds } : {}),
      });
    }
    for (const n of MATMUL_SIZES) {
      const got = results.map((r) => find(r.lines, "matmul", (l) => l.n === n)?.gflops ?? null);
      const c = combineRounds(got, rounds.map((r) => numpy(r, n)));
      const err = results.map((r) => find(r.lines, "error", (l) => l.n === n)?.reason ?? r.failure).find(Boolean);
      matRows.push({ matmul: n, engine, gflops: c.ours, numpy_gflops: c.peer, ratio: c.ratio,
        ...(c.ours == null ? { error: notLoaded ?? err ?? "no result" } : {}), ...(many ? { rounds: c.rounds } : {}) });
    }
  }
  const numpyMedian = (n: number): number | null => median(rounds.map((r) => numpy(r, n)));
  /** "0.72 (0.65–0.80)": the median ratio and its range over the rounds. */
  const ratioCell = (v: number | null, cells?: RoundCells): string => {
    const known = (cells?.ratio ?? []).filter((x): x is number => x != null);
    return known.length > 1 ? `${fmtRatio(v)} (${fmtRatio(Math.min(...known))}–${fmtRatio(Math.max(...known))})` : fmtRatio(v);
  };

  if (o.json) {
    process.stdout.write(JSON.stringify({ info: { batch: BENCH_BATCH, seconds: o.seconds, rounds: o.rounds, max_cell_seconds: o.maxCellSeconds, seed: o.seed, threads: o.threads, native_gemm: gemm ?? null, openblas_coretype: env.OPENBLAS_CORETYPE ?? null, peer_isa: o.peerIsa ?? null, torch: tInfo ?? null, torch_failure: torch.failure ?? null } }) + "\n");
    for (const row of [...rows, ...matRows]) process.stdout.write(JSON.stringify(row) + "\n");
    return;
  }
  const table = (header: string[], body: string[][]): string => {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
    const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
  };
  const notes: string[] = [];
  const note = (s: string): string => {
    let i = notes.indexOf(s);
    if (i < 0) i = notes.push(s) - 1;
    return `[${i + 1}]`;
  };
  const out: string[] = [];
  out.push(`Training throughput, images/s (batch ${BENCH_BATCH}, Adam, after warm-up, ${o.seconds} s per cell, cap ${o.maxCellSeconds} s${many ? `; medians of ${o.rounds} rounds, ratio range in brackets` : ""})`);
  out.push(table(["model", "engine", "img/s", "PyTorch img/s", "ours/PyTorch", "notes"], rows.map((r) => [
    r.model, r.engine, fmt(r.img_per_s), fmt(r.torch_img_per_s), ratioCell(r.ratio, r.rounds),
    [r.error ? note(r.error) : "", r.note ? note(r.note) : "", r.torch_error ? note(`PyTorch: ${r.torch_error}`) : ""].join(""),
  ])));
  out.push("");
  out.push(`float32 matMul, GFLOP/s (result read back each time)`);
  const engines = [...new Set(matRows.map((r) => r.engine))];
  const cell = (e: string, n: number) => matRows.find((r) => r.engine === e && r.matmul === n)!;
  out.push(table(["engine", "", ...MATMUL_SIZES.map((n) => `${n}²`), ...MATMUL_SIZES.map((n) => `${n}² vs numpy`), "notes"], [
    ["numpy", "", ...MATMUL_SIZES.map((n) => fmt(numpyMedian(n))), ...MATMUL_SIZES.map(() => ""), numpyMedian(MATMUL_SIZES[0]!) == null ? note(`numpy: ${torch.failure ?? "no result"}`) : ""],
    ...engines.map((e) => [e, "", ...MATMUL_SIZES.map((n) => fmt(cell(e, n).gflops)), ...MATMUL_SIZES.map((n) => ratioCell(cell(e, n).ratio, cell(e, n).rounds)),
      cell(e, MATMUL_SIZES[0]!).error ? note(cell(e, MATMUL_SIZES[0]!).error!) : ""]),
  ]));
  out.push("");
  out.push(tInfo ? `PyTorch ${tInfo.torch ?? "absent"} (torch.get_num_threads() = ${torchThreads ?? "—"}); native engine threads = ${o.threads} (--threads); numpy ${tInfo.numpy} on ${tInfo.blas}; Python ${tInfo.python}`
    : `PyTorch peer: ${torch.failure ?? "no info"}`);
  // PyTorch's convolutions run on oneDNN, which picks its instruction set itself (AVX-512 where the CPU has it).
  out.push(`PyTorch's oneDNN: ${o.peerIsa ? `instruction sets up to ${o.peerIsa} (--peer-isa)` : "the CPU's best instruction set (--peer-isa caps it)"}`);
  if (gemm) out.push(`native engine: matrix products (convolutions and dense layers) on its own sgemm (${gemm}${env.VAE_GAN_GEMM_ISA ? `, VAE_GAN_GEMM_ISA = ${env.VAE_GAN_GEMM_ISA}` : ""}); the peer's OpenBLAS on ${env.OPENBLAS_CORETYPE ? `OPENBLAS_CORETYPE = ${env.OPENBLAS_CORETYPE}` : "the kernels it chose for this CPU (OPENBLAS_CORETYPE unset)"}`);
  notes.forEach((s, i) => out.push(`[${i + 1}] ${s}`));
  process.stdout.write(out.join("\n") + "\n");
}

async function main(): Promise<number> {
  const o = parseBenchArgs(process.argv.slice(2));
  if (o.child) await child(o.child, o);
  else await parent(o);
  return 0;
}

if (require.main === module) runMain(main);
