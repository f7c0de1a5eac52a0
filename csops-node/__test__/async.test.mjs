// Async calls run off the event loop: while a million accounts are scored by `scoreAsync`, timers
// and immediates keep firing; the result equals the synchronous one row for row. (node --test
// runs this file in its own process, so the counts measure this file's work only.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { Scorecard } from 'csops';

/** The 6-measure scorecard of the Rust scoring benchmark (benches/src/lib.rs, bench_scorecard). */
const card = Scorecard.fromJson({
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

/** A million accounts × 6 measures as Float64Arrays, 5% of each column missing (NaN). */
function batch(n) {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const column = (draw) => Float64Array.from({ length: n }, () => (random() < 0.05 ? NaN : draw()));
  return {
    accountIds: Array.from({ length: n }, (_, i) => `A${i}`),
    columns: {
      logins: column(() => random() * 4),
      breadth: column(random),
      recency: column(() => random() * 60),
      sponsor: column(() => (random() < 0.6 ? 1 : 0)),
      escalations: column(() => Math.floor(random() * 5)),
      nps: column(() => random() * 200 - 100),
    },
  };
}

test('1M accounts score off the event loop: timers keep firing, the result equals score()', async () => {
  const n = 1_000_000;
  const input = batch(n);

  // Count the event loop's turns while the scores are computed on a worker thread.
  let ticks = 0;
  let immediates = 0;
  let running = true;
  const interval = setInterval(() => ticks++, 1);
  const spin = () => {
    immediates++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  let scored;
  let pendingFor;
  try {
    const started = performance.now();
    const pending = card.scoreAsync(input);
    assert.ok(pending instanceof Promise);
    // The call returns at once: the columns are copied, the work is queued.
    assert.equal(immediates, 0);
    scored = await pending;
    pendingFor = performance.now() - started;
  } finally {
    running = false;
    clearInterval(interval);
  }
  assert.ok(
    immediates >= 20 && ticks >= 5,
    `the event loop was blocked: ${immediates} immediates and ${ticks} interval ticks in ${pendingFor.toFixed(0)} ms`,
  );

  // The synchronous scores of the same batch, row for row on a sample (and in total).
  const sync = card.score(input);
  assert.equal(scored.scores.length, n);
  assert.equal(scored.accountIds, input.accountIds); // the array given, not a copy
  assert.equal(sync.accountIds, input.accountIds);
  const rows = [0, 1, 2, 12_345, 500_000, 999_998, n - 1];
  for (let i = 7; i < n; i += 9_973) rows.push(i);
  for (const i of rows) {
    assert.ok(Object.is(scored.scores[i], sync.scores[i]), `score of row ${i}`);
    assert.equal(scored.bands[i], sync.bands[i], `band of row ${i}`);
    assert.ok(Object.is(scored.coverage[i], sync.coverage[i]), `coverage of row ${i}`);
    for (const m of card.measureNames()) {
      assert.ok(Object.is(scored.contributions[m][i], sync.contributions[m][i]), `${m} of row ${i}`);
    }
  }
  const total = (s) => s.scores.reduce((acc, x) => (Number.isNaN(x) ? acc : acc + x), 0);
  assert.equal(total(scored), total(sync));
  assert.deepEqual(Object.keys(scored.contributions), card.measureNames());
  // Some rows of each kind: banded, and not scored (too little data).
  assert.ok(sync.bands.includes('green') && sync.bands.includes('red') && sync.bands.includes(null));
});

test('scores only, asynchronously: the same scores, bands and coverage', async () => {
  const input = batch(100_000);
  const full = card.score(input);
  for (const s of [await card.scoreAsync(input, { contributions: false }), card.score(input, { contributions: false })]) {
    assert.deepEqual(Object.keys(s), ['accountIds', 'scores', 'bands', 'bandCodes', 'bandNames', 'coverage']);
    assert.deepEqual(s.scores, full.scores);
    assert.deepEqual(s.bands, full.bands);
    assert.deepEqual(s.coverage, full.coverage);
  }
});

test('the ids are checked without being copied: a non-string anywhere is named, sync and async', async () => {
  const input = batch(50_000);
  for (const [at, bad, type] of [[49_999, 5, 'a number'], [0, null, 'null'], [123, undefined, 'undefined'], [7, {}, 'an object']]) {
    const accountIds = input.accountIds.slice();
    accountIds[at] = bad;
    const message = new RegExp(`\`input.accountIds\\[${at}\\]\` must be a string, got ${type}`);
    assert.throws(() => card.score({ ...input, accountIds }), (e) => e.code === 'CSOPS_INVALID_ARGUMENT' && message.test(e.message));
    await assert.rejects(card.scoreAsync({ ...input, accountIds }), (e) => e.code === 'CSOPS_INVALID_ARGUMENT' && message.test(e.message));
  }
  // A hole is missing.
  const holes = input.accountIds.slice();
  delete holes[10];
  assert.throws(() => card.score({ ...input, accountIds: holes }), /accountIds\[10\]` must be a string, got undefined/);
  // A getter on an element runs while the ids are checked, before any Float64Array is read:
  // one that detaches a column's buffer is caught (a column of 0 values), never read.
  const sneaky = input.accountIds.slice();
  const logins = input.columns.logins.slice();
  Object.defineProperty(sneaky, 3, {
    get() {
      structuredClone(logins.buffer, { transfer: [logins.buffer] });
      return 'A3';
    },
  });
  assert.throws(
    () => card.score({ accountIds: sneaky, columns: { ...input.columns, logins } }),
    (e) => e.code === 'CSOPS_INVALID_ARGUMENT' && /column `logins` has 0 values for 50000 accounts/.test(e.message),
  );
  assert.equal(logins.length, 0);
});

test('a bad value in a column is named by account, sync and async (the ids read only then)', async () => {
  const input = batch(10_000);
  const logins = input.columns.logins.slice();
  logins[4_321] = Infinity;
  const bad = { ...input, columns: { ...input.columns, logins } };
  const sync = (() => {
    try {
      card.score(bad);
    } catch (e) {
      return e;
    }
    return null;
  })();
  assert.equal(sync.code, 'CSOPS_CONFIG');
  assert.match(sync.problems[0], /A4321/);
  await assert.rejects(card.scoreAsync(bad), (e) => e.code === 'CSOPS_CONFIG' && e.problems[0] === sync.problems[0]);
});

test('results stay as they are while later batches reuse the memory of dropped ones', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const input = batch(200_000);
  const kept = card.score(input);
  const snapshot = {
    scores: Float64Array.from(kept.scores),
    coverage: Float64Array.from(kept.coverage),
    logins: Float64Array.from(kept.contributions.logins),
    bands: kept.bands.slice(),
  };
  // Other batches, scored and dropped, sync and async; the collector runs between them, so
  // their memory comes back for the next ones.
  for (let round = 0; round < 6; round++) {
    const other = batch(200_000 - round);
    for (const c of Object.values(other.columns)) c.reverse();
    const s = round % 2 ? await card.scoreAsync(other) : card.score(other, { contributions: round % 3 !== 0 });
    assert.equal(s.scores.length, 200_000 - round);
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(Float64Array.from(kept.scores), snapshot.scores);
  assert.deepEqual(Float64Array.from(kept.coverage), snapshot.coverage);
  assert.deepEqual(Float64Array.from(kept.contributions.logins), snapshot.logins);
  assert.deepEqual(kept.bands, snapshot.bands);
  // And a batch scored again gives the same scores.
  assert.deepEqual(card.score(input).scores, snapshot.scores);
});
