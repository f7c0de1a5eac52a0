// The Node binding's overhead on batch scoring: 1M accounts × 6 measures from Float64Arrays,
// scored by `scorecard.score` of a release build of the addon, against the Rust benchmark
// (`benches/src/bin/health_scale.rs`) on the same data, timed in the same run.
//
//   node benches/node/score_overhead.mjs [--accounts 1000000] [--runs 15] [--no-build] [--check]
//
// It builds (unless --no-build) the Rust benchmark (`cargo build --release -p csops-benches
// --bin health_scale`) and a release addon with `napi build --release` into
// `target/node-release/` (so the debug addon the tests use in csops-node/ is left alone; needs
// csops-node/node_modules, which `bash scripts/test-node.sh` installs). The data is the Rust
// benchmark's own (`health_scale --write-frame`: 6 columns, 5% of each missing), read into
// Float64Arrays with ids `A0`, `A1`, …; the scorecard is the benchmark's (`bench_scorecard`,
// written here as data) and the sum of the scores must equal the Rust benchmark's checksum
// before any time is reported.
//
// The Rust benchmark runs as a server (`health_scale --serve`: a burst of timed runs per
// command), and each burst of Node runs (the best of 3) is paired with a burst of Rust runs just
// before it, so that both sides see the same machine (a shared 2-core machine drifts by a quarter
// within a minute). Each Node run follows a
// full GC and one turn of the event loop, so that the previous results are freed, as the Rust
// benchmark frees its previous result first. Reported: the best of each side and the median of
// the pairs' ratios. Compared:
//   - `card.score(input)` (scores, bands, coverage, 6 contribution columns) with the Rust
//     `score_columns_into` (the same output, into a reused result: `score_frame`'s fresh result
//     costs whatever the allocator's state makes it, see health_scale.rs);
//   - `card.score(input, { contributions: false })` with the Rust `score_columns_into` scores
//     only (into a reused result).
// `--check` exits 1 when the median overhead of the first is over 15%.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

// Timed calls start after a full GC: re-run with it exposed.
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '15' },
    'no-build': { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
  },
});
const n = Number(values.accounts);
const runs = Number(values.runs);
const TARGET = 0.15;

// ---------------------------------------------------------------------------------------------
// Build.

const rustBin = join(root, 'target', 'release', 'health_scale');
const addonDir = join(root, 'target', 'node-release');
if (!values['no-build']) {
  console.error('building the Rust benchmark (release)...');
  execFileSync('cargo', ['build', '--release', '-p', 'csops-benches', '--bin', 'health_scale'], { cwd: root, stdio: 'inherit' });
  const napi = join(root, 'csops-node', 'node_modules', '.bin', 'napi');
  if (!existsSync(napi)) {
    console.error('csops-node/node_modules is missing: run `npm install` in csops-node (or bash scripts/test-node.sh) first');
    process.exit(1);
  }
  console.error('building the Node addon (release) into target/node-release/...');
  execFileSync(napi, ['build', '--platform', '--release', '--output-dir', addonDir], { cwd: join(root, 'csops-node'), stdio: 'inherit' });
}
for (const f of [rustBin, join(addonDir, 'index.js')]) {
  if (!existsSync(f)) {
    console.error(`${f} is missing: run without --no-build`);
    process.exit(1);
  }
}
const csops = createRequire(import.meta.url)(join(addonDir, 'index.js'));

// ---------------------------------------------------------------------------------------------
// The Rust side.

/** The Rust benchmark as a server: `run('full')` / `run('only')` time one run each. */
function rustServer(extra) {
  const child = spawn(rustBin, ['--accounts', String(n), '--serve', ...extra], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the Rust benchmark stopped');
    return value.trim().split(' ').map(Number);
  };
  return {
    ready: next,
    async run(command) {
      child.stdin.write(`${command}\n`);
      return next();
    },
    stop() {
      child.stdin.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The data and the scorecard.

const dir = mkdtempSync(join(tmpdir(), 'csops-bench-'));
const frameCsv = join(dir, 'frame.csv');
console.error(`generating ${n} accounts (health_scale --write-frame)...`);
const rust = rustServer(['--write-frame', frameCsv]);
await rust.ready();
const [, rustChecksum] = await rust.run('full');
const lines = readFileSync(frameCsv, 'utf8').split('\n');
rmSync(dir, { recursive: true, force: true });
const names = lines[0].split(',');
const columns = Object.fromEntries(names.map((name) => [name, new Float64Array(n)]));
const arrays = names.map((name) => columns[name]);
for (let i = 0; i < n; i++) {
  const cells = lines[i + 1].split(',');
  for (let j = 0; j < arrays.length; j++) arrays[j][i] = cells[j] === '' ? NaN : Number(cells[j]);
}
const input = { accountIds: Array.from({ length: n }, (_, i) => `A${i}`), columns };
const missing = arrays.reduce((acc, a) => acc + a.filter(Number.isNaN).length, 0) / (n * arrays.length);

/** `bench_scorecard()` of benches/src/lib.rs, as data. */
const card = csops.Scorecard.fromJson({
  schema_version: 1,
  name: 'bench 6',
  groups: [
    {
      name: 'usage',
      weight: 2,
      measures: [
        { name: 'logins', feature: 'logins', weight: 3, normaliser: { kind: 'linear', worst: 0, best: 3 } },
        { name: 'breadth', feature: 'breadth', weight: 2, normaliser: { kind: 'linear', worst: 0, best: 1 } },
        { name: 'recency', feature: 'recency', weight: 1, normaliser: { kind: 'linear', worst: 30, best: 0 }, missing: { rule: 'worst' } },
      ],
    },
    {
      name: 'relationship',
      weight: 1,
      measures: [
        { name: 'sponsor', feature: 'sponsor', weight: 1, normaliser: { kind: 'boolean' } },
        { name: 'escalations', feature: 'escalations', weight: 1, normaliser: { kind: 'steps', thresholds: [1, 3], points: [100, 50, 10] } },
        { name: 'nps', feature: 'nps', weight: 1, normaliser: { kind: 'linear', worst: -100, best: 100 }, missing: { rule: 'fixed', score: 50 } },
      ],
    },
  ],
});

// The same scores as the Rust benchmark, or no figures at all.
const sum = (scores) => {
  let s = 0;
  for (const x of scores) if (!Number.isNaN(x)) s += x;
  return s;
};
const checksum = sum(card.score(input).scores);
if (Math.abs(checksum - rustChecksum) > 1e-9 * Math.abs(rustChecksum) + 1e-6) {
  console.error(`the Node scores disagree with the Rust benchmark: sum ${checksum} vs ${rustChecksum}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Timing.

/**
 * Collect the previous results, and let the event loop turn once: Node-API finalizers (which
 * free the memory of the previous results' columns) run there, as they would between two
 * requests of a server; the Rust benchmark likewise frees each result before the next run.
 */
async function settle() {
  globalThis.gc();
  await new Promise((resolve) => setImmediate(resolve));
}

/** Runs per burst (the best of a burst is a warm run). */
const BURST = 3;

/** The best of a burst of runs of `f` (ms), each after `settle()`. */
async function timed(f) {
  let best = Infinity;
  for (let i = 0; i < BURST; i++) {
    await settle();
    const t = process.hrtime.bigint();
    await f();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

const pairs = { full: [], only: [], async: [] };
for (let r = 0; r < runs; r++) {
  for (const [kind, command, f] of [
    ['full', 'into', () => card.score(input)],
    ['only', 'only', () => card.score(input, { contributions: false })],
    ['async', 'into', () => card.scoreAsync(input)],
  ]) {
    const [rustMs] = await rust.run(`${command} ${BURST}`);
    pairs[kind].push([rustMs, await timed(f)]);
  }
}
rust.stop();

// ---------------------------------------------------------------------------------------------
// Report.

const best = (xs) => Math.min(...xs);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1).padStart(7)} ms`;
const pct = (ratio) => `${((ratio - 1) * 100).toFixed(1)}%`;
const summary = (kind) => {
  const rustBest = best(pairs[kind].map(([r]) => r));
  const nodeBest = best(pairs[kind].map(([, x]) => x));
  const ratio = median(pairs[kind].map(([r, x]) => x / r));
  return { rustBest, nodeBest, ratio };
};
const full = summary('full');
const only = summary('only');
const asy = summary('async');
console.log(
  `csops batch scoring, Node binding (release addon, node ${process.version}) vs Rust core: ${n.toLocaleString('en')} accounts x 6 measures, ` +
    `${(missing * 100).toFixed(1)}% missing; ${runs} bursts of ${BURST} runs of each, each paired with a burst of Rust runs just before it; both agree (sum of scores ${checksum.toFixed(4)})`,
);
console.log(`                                                          best        overhead: best/best  median of pairs`);
console.log(`Rust score_columns_into (all columns, reused result)       ${ms(full.rustBest)}`);
console.log(`Node card.score(columns)                                   ${ms(full.nodeBest)}   ${pct(full.nodeBest / full.rustBest).padStart(8)}  ${pct(full.ratio).padStart(8)}`);
console.log(`Rust score_columns_into, scores only (reused result)       ${ms(only.rustBest)}`);
console.log(`Node card.score(columns, { contributions: false })         ${ms(only.nodeBest)}   ${pct(only.nodeBest / only.rustBest).padStart(8)}  ${pct(only.ratio).padStart(8)}`);
console.log(`Node await card.scoreAsync(columns) (copies the columns)   ${ms(asy.nodeBest)}   ${pct(asy.nodeBest / asy.rustBest).padStart(8)}  ${pct(asy.ratio).padStart(8)}`);
const overhead = full.ratio - 1;
console.log(`overhead target <= ${TARGET * 100}% (median of pairs, full result): ${overhead <= TARGET ? 'met' : 'NOT met'} (${pct(full.ratio)})`);
if (values.check && overhead > TARGET) process.exit(1);
