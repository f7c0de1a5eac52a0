// The Node binding's overhead on batch scoring: 1M accounts × 6 measures from Float64Arrays,
// scored by `scorecard.score` of a release build of the addon, against the Rust benchmark
// (`benches/src/bin/health_scale.rs`) on the same data, timed in the same run.
//
//   node benches/node/score_overhead.mjs [--accounts 1000000] [--rounds 3] [--no-build] [--check]
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
// Each round runs the Rust benchmark (best of 7 per measure) and then the Node calls (best of
// 7, each after a full GC and one turn of the event loop, so that the previous results are
// freed, as each Rust run frees the previous result first); the figures are the best over the
// rounds, which alternate so that both sides see the same machine. Compared:
//   - `card.score(input)` (scores, bands, coverage, 6 contribution columns, fresh) with the
//     Rust `score_frame` (the same output, fresh);
//   - `card.score(input, { contributions: false })` with the Rust `score_columns_into` scores
//     only (into a reused result: no fresh memory, so this ratio is the less favourable one).
// `--check` exits 1 when the first overhead is over 15%.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    rounds: { type: 'string', default: '3' },
    'no-build': { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
  },
});
const n = Number(values.accounts);
const rounds = Number(values.rounds);
const REPS = 7;
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

/** Run the Rust benchmark; its figures (ms) and checksum. */
function rust(extra = []) {
  const out = execFileSync(rustBin, ['--accounts', String(n), ...extra], { encoding: 'utf8' });
  const ms = (re) => Number(re.exec(out)[1]);
  return {
    full: ms(/score_frame: .* best of 7 = ([\d.]+) ms/),
    only: ms(/\(scores only\): best of 7 = ([\d.]+) ms/),
    checksum: Number(/checksum ([\d.]+)/.exec(out)[1]),
  };
}

// ---------------------------------------------------------------------------------------------
// The data and the scorecard.

const dir = mkdtempSync(join(tmpdir(), 'csops-bench-'));
const frameCsv = join(dir, 'frame.csv');
console.error(`generating ${n} accounts (health_scale --write-frame)...`);
const first = rust(['--write-frame', frameCsv]);
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
if (Math.abs(checksum - first.checksum) > 1e-9 * Math.abs(first.checksum) + 1e-6) {
  console.error(`the Node scores disagree with the Rust benchmark: sum ${checksum} vs ${first.checksum}`);
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

/** The best of `REPS` runs of `f` (ms), each after `settle()`. */
async function bestOf(f) {
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    await settle();
    const t = process.hrtime.bigint();
    await f();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

const best = { rustFull: first.full, rustOnly: first.only, nodeFull: Infinity, nodeOnly: Infinity, nodeAsync: Infinity };
const perRound = [];
for (let round = 0; round < rounds; round++) {
  const r = round === 0 ? first : rust();
  const nodeFull = await bestOf(() => card.score(input));
  const nodeOnly = await bestOf(() => card.score(input, { contributions: false }));
  const nodeAsync = await bestOf(() => card.scoreAsync(input));
  perRound.push([r.full, nodeFull, r.only, nodeOnly]);
  best.rustFull = Math.min(best.rustFull, r.full);
  best.rustOnly = Math.min(best.rustOnly, r.only);
  best.nodeFull = Math.min(best.nodeFull, nodeFull);
  best.nodeOnly = Math.min(best.nodeOnly, nodeOnly);
  best.nodeAsync = Math.min(best.nodeAsync, nodeAsync);
}

// ---------------------------------------------------------------------------------------------
// Report.

const ms = (x) => `${x.toFixed(1).padStart(7)} ms`;
const vs = (node, rust) => `x${(node / rust).toFixed(3)}, overhead ${((node / rust - 1) * 100).toFixed(1)}%`;
const overhead = best.nodeFull / best.rustFull - 1;
console.log(
  `csops batch scoring, Node binding (release addon, node ${process.version}) vs Rust core: ${n.toLocaleString('en')} accounts x 6 measures, ` +
    `${(missing * 100).toFixed(1)}% missing; best of ${REPS} x ${rounds} rounds; both agree (sum of scores ${checksum.toFixed(4)})`,
);
console.log(`Rust score_frame (scores, bands, coverage, contributions) ${ms(best.rustFull)}`);
console.log(`Node card.score(columns)                                   ${ms(best.nodeFull)}   (${vs(best.nodeFull, best.rustFull)})`);
console.log(`Rust score_columns_into, scores only (reused result)       ${ms(best.rustOnly)}`);
console.log(`Node card.score(columns, { contributions: false })         ${ms(best.nodeOnly)}   (${vs(best.nodeOnly, best.rustOnly)})`);
console.log(`Node await card.scoreAsync(columns) (copies the columns)   ${ms(best.nodeAsync)}`);
console.log(`per round [rust full, node full, rust only, node only] ms: ${perRound.map((r) => `[${r.map((x) => x.toFixed(1)).join(', ')}]`).join(' ')}`);
console.log(`overhead target <= ${TARGET * 100}%: ${overhead <= TARGET ? 'met' : 'NOT met'} (${(overhead * 100).toFixed(1)}%)`);
if (values.check && overhead > TARGET) process.exit(1);
