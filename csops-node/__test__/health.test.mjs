// Health scoring from Node: scorecards as data (JSON / TOML round trips), batch scores whose
// contributions add up, columns = FeatureFrame, sync = async (off the event loop: async.test.mjs),
// one-account breakdowns, trend, and hostile inputs (coded errors, never a crash).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { FeatureFrame, Scorecard, loadBook, loadBookCsv, trend, version } from 'csops';
import { AS_OF, CSV } from './fixtures.mjs';
import { rejectsCode, throwsCode, workspaceDir } from './helpers.mjs';

const sampleBook = loadBook(join(workspaceDir, 'data', 'sample-book'), { mode: 'lenient' });
const sampleFrame = sampleBook.featuresAsOf(sampleBook.latestDate());
const heuristic = Scorecard.defaultHeuristic();

/** A small valid scorecard as data; `patch` edits a copy of it. */
function cardJson(patch = (c) => c) {
  return patch({
    schema_version: 1,
    name: 'small',
    groups: [
      {
        name: 'usage',
        weight: 3,
        measures: [
          { name: 'logins', feature: 'logins', weight: 1, normaliser: { kind: 'linear', worst: 0, best: 4 } },
          { name: 'breadth', feature: 'breadth', weight: 3, normaliser: { kind: 'linear', worst: 0, best: 1 } },
        ],
      },
      { name: 'rel', weight: 1, measures: [{ name: 'sponsor', feature: 'sponsor', weight: 1, normaliser: { kind: 'boolean' } }] },
    ],
  });
}
const small = Scorecard.fromJson(cardJson());
const smallInput = { accountIds: ['A', 'B', 'C'], columns: { logins: [2, null, null], breadth: [0.5, 1, NaN], sponsor: [1, 0, 1] } };

/** Every column of a frame as a Float64Array, keyed by name. */
const frameColumns = (frame) => Object.fromEntries(frame.columns.map((c) => [c, frame.column(c)]));

test('the default scorecard round-trips through JSON (object and text) and TOML', () => {
  const json = heuristic.toJson();
  assert.equal(json.schema_version, 1);
  assert.equal(json.name, heuristic.name);
  assert.match(heuristic.name, /heuristic/);
  // Every key is written, defaults included, in the core's snake_case.
  assert.equal(typeof json.description, 'string');
  assert.equal(json.min_coverage, 0.5);
  assert.deepEqual(json.bands, [
    { name: 'red', min: 0 },
    { name: 'yellow', min: 40 },
    { name: 'green', min: 70 },
  ]);
  const measures = json.groups.flatMap((g) => g.measures);
  assert.deepEqual(
    measures.map((m) => m.name),
    heuristic.measureNames(),
  );
  assert.ok(measures.every((m) => m.missing && typeof m.missing.rule === 'string'));
  assert.deepEqual(measures.find((m) => m.name === 'business_review').missing, { rule: 'worst' });
  assert.deepEqual(measures.find((m) => m.name === 'sponsor').normaliser, { kind: 'boolean', yes: 100, no: 0 });
  assert.deepEqual(measures.find((m) => m.name === 'business_review').normaliser.points[0], [0, 100]);

  assert.deepEqual(Scorecard.fromJson(json).toJson(), json);
  assert.deepEqual(Scorecard.fromJson(JSON.stringify(json)).toJson(), json);
  const toml = heuristic.toToml();
  assert.match(toml, /schema_version = 1/);
  assert.match(toml, /\[\[groups\.measures\]\]/);
  assert.deepEqual(Scorecard.fromToml(toml).toJson(), json);
  assert.equal(Scorecard.fromToml(toml).toToml(), toml);
  // A fresh object every time: mutating it does not touch the scorecard.
  json.name = 'changed';
  assert.equal(heuristic.toJson().name, heuristic.name);
});

test('absent optional keys take their defaults; every normaliser and missing rule reads back', () => {
  const json = small.toJson();
  assert.equal(json.description, '');
  assert.equal(json.min_coverage, 0.5);
  assert.equal(json.bands.length, 3);
  assert.deepEqual(json.groups[0].measures[0].missing, { rule: 'redistribute' });

  const every = cardJson((c) => {
    c.groups[0].measures = [
      { name: 'lin', feature: 'a', weight: 1, normaliser: { kind: 'linear', worst: 60, best: 0 }, missing: { rule: 'fixed', score: 40 } },
      { name: 'steps', feature: 'b', weight: 1, normaliser: { kind: 'steps', thresholds: [1, 3], points: [100, 50, 10] }, missing: { rule: 'worst' } },
      { name: 'pct', feature: 'c', weight: 1, normaliser: { kind: 'percentile', higher_is_better: false, per_segment: true }, missing: { rule: 'redistribute' } },
      { name: 'log', feature: 'd', weight: 1, normaliser: { kind: 'logistic', midpoint: 0, steepness: -0.5 }, missing: { rule: 'redistribute' } },
      { name: 'pw', feature: 'e', weight: 1, normaliser: { kind: 'piecewise', points: [[0, 100], [90, 80], [365, 0]] }, missing: { rule: 'redistribute' } },
      { name: 'yn', feature: 'f', weight: 1, normaliser: { kind: 'boolean', yes: 90, no: 10 }, missing: { rule: 'redistribute' } },
    ];
    c.bands = [{ name: 'F', min: 0 }, { name: 'A', min: 80 }];
    c.min_coverage = 0.25;
    c.description = 'all kinds';
    return c;
  });
  const card = Scorecard.fromJson(every);
  const back = card.toJson();
  assert.deepEqual(back.groups[0].measures, every.groups[0].measures);
  assert.deepEqual(back.bands, every.bands);
  assert.equal(back.min_coverage, 0.25);
  assert.equal(back.description, 'all kinds');
  assert.deepEqual(Scorecard.fromToml(card.toToml()).toJson(), back);
});

test('the sample book: contributions add up to every score, bands and coverage agree', () => {
  const s = heuristic.score(sampleFrame);
  const n = sampleFrame.length;
  assert.ok(n > 0);
  assert.deepEqual(s.accountIds, sampleFrame.accountIds);
  assert.ok(s.scores instanceof Float64Array && s.coverage instanceof Float64Array);
  assert.equal(s.scores.length, n);
  assert.equal(s.bands.length, n);
  assert.equal(s.coverage.length, n);
  // Keys in scorecard order.
  assert.deepEqual(Object.keys(s.contributions), heuristic.measureNames());
  let scored = 0;
  for (let i = 0; i < n; i++) {
    const parts = Object.values(s.contributions).map((c) => c[i]);
    const sum = parts.reduce((a, b) => a + b, 0);
    assert.ok(s.coverage[i] >= 0 && s.coverage[i] <= 1, `coverage[${i}] = ${s.coverage[i]}`);
    if (Number.isNaN(s.scores[i])) {
      assert.equal(s.bands[i], null);
      assert.ok(parts.every((c) => c === 0), `row ${i}: contributions of an unscored row`);
      continue;
    }
    scored++;
    assert.ok(Math.abs(sum - s.scores[i]) < 1e-9, `row ${i}: contributions ${sum} != score ${s.scores[i]}`);
    assert.ok(s.scores[i] >= 0 && s.scores[i] <= 100);
    const band = s.scores[i] < 40 ? 'red' : s.scores[i] < 70 ? 'yellow' : 'green';
    assert.equal(s.bands[i], band, `row ${i}: score ${s.scores[i]}`);
  }
  assert.ok(scored > n / 2, `only ${scored} of ${n} accounts scored`);
});

test('columns input (Float64Array or number[] with null) and FeatureFrame input agree', () => {
  const viaFrame = heuristic.score(sampleFrame);
  const columns = frameColumns(sampleFrame);
  const viaTyped = heuristic.score({ accountIds: sampleFrame.accountIds, columns });
  assert.deepEqual(viaTyped, viaFrame);
  const plain = Object.fromEntries(
    Object.entries(columns).map(([k, c]) => [k, Array.from(c, (x) => (Number.isNaN(x) ? null : x))]),
  );
  assert.deepEqual(heuristic.score({ accountIds: sampleFrame.accountIds, columns: plain }), viaFrame);
  // Only the columns the scorecard reads matter.
  const needed = Object.fromEntries(heuristic.toJson().groups.flatMap((g) => g.measures.map((m) => [m.feature, columns[m.feature]])));
  assert.deepEqual(heuristic.score({ accountIds: sampleFrame.accountIds, columns: needed }), viaFrame);
});

test('scoreAsync equals score, for a FeatureFrame and for columns', async () => {
  const sync = heuristic.score(sampleFrame);
  const pending = heuristic.scoreAsync(sampleFrame);
  assert.ok(pending instanceof Promise);
  assert.deepEqual(await pending, sync);
  const columns = { accountIds: sampleFrame.accountIds, columns: frameColumns(sampleFrame) };
  assert.deepEqual(await heuristic.scoreAsync(columns), sync);
  assert.deepEqual(await small.scoreAsync(smallInput), small.score(smallInput));
  // Mutating the input after the call does not change what is scored (it was copied).
  const input = { accountIds: ['A'], columns: { logins: new Float64Array([4]), breadth: [1], sponsor: [1] } };
  const p = small.scoreAsync(input);
  input.columns.logins[0] = 0;
  assert.equal((await p).scores[0], 100);
});

test('explain gives the breakdown of one row of a batch; scoreOne scores one account alone', () => {
  const s = heuristic.score(sampleFrame);
  const names = heuristic.measureNames();
  const i = s.bands.findIndex((b) => b !== null);
  const id = s.accountIds[i];
  const x = heuristic.explain(sampleFrame, id);
  assert.ok(Math.abs(x.score - s.scores[i]) < 1e-9);
  assert.equal(x.band, s.bands[i]);
  assert.equal(x.coverage, s.coverage[i]);
  assert.deepEqual(x.measures.map((m) => m.name), names);
  // Group name → contribution, in scorecard order.
  assert.deepEqual(Object.keys(x.groups), ['usage', 'relationship', 'support', 'sentiment']);
  for (const m of x.measures) {
    assert.ok(Math.abs(m.contribution - s.contributions[m.name][i]) < 1e-9, m.name);
    assert.equal(m.value, sampleFrame.value(id, heuristic.toJson().groups.flatMap((g) => g.measures).find((d) => d.name === m.name).feature));
    if (m.measureScore !== null) assert.ok(Math.abs(m.contribution + m.pointsLost - 100 * m.weight) < 1e-9, m.name);
  }
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(x.measures.map((m) => m.contribution)) - x.score) < 1e-9);
  assert.ok(Math.abs(sum(Object.values(x.groups)) - x.score) < 1e-9);
  assert.ok(Math.abs(sum(x.measures.map((m) => m.weight)) - 1) < 1e-9);
  // Drivers: the measures that cost points, costliest first.
  const lost = Object.fromEntries(x.measures.map((m) => [m.name, m.pointsLost]));
  assert.ok(x.drivers.length > 0);
  assert.ok(x.drivers.every((d) => lost[d] > 0));
  assert.deepEqual(x.drivers.map((d) => lost[d]), [...x.drivers.map((d) => lost[d])].sort((a, b) => b - a));
  assert.equal(x.drivers.length, x.measures.filter((m) => m.pointsLost > 0).length);

  // The same account's values scored alone give the same breakdown.
  const values = Object.fromEntries(sampleFrame.columns.map((c) => [c, sampleFrame.value(id, c)]));
  const one = heuristic.scoreOne(values);
  assert.ok(Math.abs(one.score - x.score) < 1e-9);
  assert.equal(one.band, x.band);
  assert.deepEqual(one.drivers, x.drivers);
  // Through the columns input too: the same breakdown; plain columns cannot say why a value
  // is missing (stale or blank), a book's frame can.
  const plain = heuristic.explain({ accountIds: sampleFrame.accountIds, columns: frameColumns(sampleFrame) }, id);
  assert.ok(plain.measures.every((m) => m.missingWhy === null));
  const noWhy = (e) => ({ ...e, measures: e.measures.map((m) => ({ ...m, missingWhy: null })) });
  assert.deepEqual(plain, noWhy(x));
  for (const m of x.measures.filter((m) => m.missingWhy !== null)) {
    assert.equal(m.value, null, m.name);
    assert.ok(['stale', 'no_value_for_period'].includes(m.missingWhy.kind), m.name);
  }
});

test('scoreOne: missing values, imputation and insufficient data', () => {
  const full = small.scoreOne({ logins: 2, breadth: 0.5, sponsor: 1, unrelated: 'ignored'.length });
  assert.equal(full.score, 62.5);
  assert.equal(full.band, 'yellow');
  assert.equal(full.coverage, 1);
  assert.deepEqual(full.groups, { usage: 37.5, rel: 25 });
  assert.deepEqual(Object.keys(full.groups), ['usage', 'rel']);
  assert.deepEqual(full.drivers, ['breadth', 'logins']);
  assert.deepEqual(full.measures[0], {
    name: 'logins',
    group: 'usage',
    value: 2,
    measureScore: 50,
    weight: 0.1875,
    contribution: 9.375,
    pointsLost: 9.375,
    missingWhy: null,
  });
  // null and NaN are missing: the weight is redistributed.
  const redistributed = small.scoreOne({ logins: null, breadth: 1, sponsor: NaN });
  assert.equal(redistributed.score, 100);
  assert.equal(redistributed.measures[0].value, null);
  assert.equal(redistributed.measures[0].measureScore, null);
  assert.equal(redistributed.measures[2].weight, 0);
  // Too little data: no score, no band, an explicit coverage.
  const thin = small.scoreOne({ logins: null, breadth: null, sponsor: 1 });
  assert.equal(thin.score, null);
  assert.equal(thin.band, null);
  assert.equal(thin.coverage, 0.25);
  assert.deepEqual(thin.drivers, []);
});

test('percentile measures rank within the batch, per segment when asked', () => {
  const card = Scorecard.fromJson(
    cardJson((c) => {
      c.groups = [{ name: 'g', weight: 1, measures: [{ name: 'rank', feature: 'x', weight: 1, normaliser: { kind: 'percentile', higher_is_better: true, per_segment: true } }] }];
      return c;
    }),
  );
  const input = { accountIds: ['A', 'B', 'C', 'D'], columns: { x: [1, 2, 3, 4] } };
  // A per-segment measure without segments is an error, not a silent whole-population rank.
  assert.match(throwsCode(() => card.score(input), 'CSOPS_CONFIG').problems[0], /no segments were given/);
  const bySegment = card.score(input, { segments: ['a', 'a', 'b', 'b'] });
  assert.deepEqual(Array.from(bySegment.scores), [25, 75, 25, 75]);
  assert.equal(card.explain(input, 'C', { segments: ['a', 'a', 'b', 'b'] }).score, 25);
  // Alone there is no population to rank within.
  const e = throwsCode(() => card.scoreOne({ x: 1 }), 'CSOPS_CONFIG');
  assert.match(e.problems[0], /rank/);
});

test('an empty batch scores to empty columns', async () => {
  const empty = { accountIds: [], columns: { logins: [], breadth: new Float64Array(0), sponsor: [] } };
  for (const s of [small.score(empty), await small.scoreAsync(empty)]) {
    assert.deepEqual(s.accountIds, []);
    assert.equal(s.scores.length, 0);
    assert.deepEqual(s.bands, []);
    assert.deepEqual(Object.keys(s.contributions), ['logins', 'breadth', 'sponsor']);
  }
});

test('a feature frame of a small book scores like its columns', () => {
  const frame = loadBookCsv(CSV).featuresAsOf(AS_OF);
  assert.deepEqual(heuristic.score(frame), heuristic.score({ accountIds: frame.accountIds, columns: frameColumns(frame) }));
});

test('trend: delta and direction, with a dead band (default 2, as in Python and Rust)', () => {
  assert.deepEqual(trend(60, 50), { delta: 10, direction: 'up' });
  assert.deepEqual(trend(51.5, 50), { delta: 1.5, direction: 'flat' });
  assert.equal(throwsCode(() => trend(Number.NaN, 50), 'CSOPS_CONFIG').code, 'CSOPS_CONFIG');
  assert.deepEqual(trend(50, 60), { delta: -10, direction: 'down' });
  assert.deepEqual(trend(50, 50), { delta: 0, direction: 'flat' });
  assert.deepEqual(trend(52, 50, 5), { delta: 2, direction: 'flat' });
  assert.deepEqual(trend(55, 50, 5), { delta: 5, direction: 'flat' });
  assert.deepEqual(trend(44, 50, 5), { delta: -6, direction: 'down' });
  assert.deepEqual(trend(60, 50, null), { delta: 10, direction: 'up' });
});

test('an invalid scorecard is CSOPS_CONFIG listing every problem', () => {
  const bad = cardJson((c) => {
    c.schema_version = 2;
    c.groups[0].weight = -1;
    c.groups[0].measures[0].normaliser = { kind: 'linear', worst: 5, best: 5 };
    c.groups[0].measures[1].name = 'logins';
    c.groups[1].measures[0].missing = { rule: 'fixed', score: 150 };
    c.bands = [{ name: 'red', min: 10 }];
    c.min_coverage = 2;
    return c;
  });
  const e = throwsCode(() => Scorecard.fromJson(bad), 'CSOPS_CONFIG');
  assert.ok(e.problems.every((p) => typeof p === 'string'));
  for (const part of ['schema_version', 'group `usage`: weight', 'linear', 'duplicate measure name `logins`', 'fixed missing score', 'first band', 'min_coverage']) {
    assert.ok(e.problems.some((p) => p.includes(part)), `no problem mentions ${part}:\n${e.problems.join('\n')}`);
  }
  assert.ok(e.problems.length >= 7);
  assert.match(e.message, /invalid configuration/);
  // The same problems from TOML.
  const fromToml = throwsCode(() => Scorecard.fromToml(Scorecard.fromJson(cardJson()).toToml().replace('weight = 3.0', 'weight = -3.0')), 'CSOPS_CONFIG');
  assert.ok(fromToml.problems.some((p) => p.includes('weight')));
});

test('malformed scorecards are CSOPS_CONFIG: bad JSON or TOML, unknown keys, wrong value types', () => {
  throwsCode(() => Scorecard.fromJson('{"schema_version": 1'), 'CSOPS_CONFIG');
  throwsCode(() => Scorecard.fromJson(''), 'CSOPS_CONFIG');
  throwsCode(() => Scorecard.fromToml('schema_version = = 1'), 'CSOPS_CONFIG');
  throwsCode(() => Scorecard.fromToml(''), 'CSOPS_CONFIG');
  const unknown = throwsCode(() => Scorecard.fromJson(cardJson((c) => ({ ...c, minCoverage: 0.5 }))), 'CSOPS_CONFIG');
  assert.match(unknown.problems[0], /minCoverage/);
  throwsCode(() => Scorecard.fromJson(cardJson((c) => ({ ...c, groups: 'usage' }))), 'CSOPS_CONFIG');
  throwsCode(() => Scorecard.fromJson(cardJson((c) => ((c.groups[0].weight = '3'), c))), 'CSOPS_CONFIG');
  throwsCode(() => Scorecard.fromJson(cardJson((c) => ((c.groups[0].weight = NaN), c))), 'CSOPS_CONFIG');
  throwsCode(() => Scorecard.fromJson(cardJson((c) => ((c.groups[0].measures[0].normaliser = { kind: 'cubic' }), c))), 'CSOPS_CONFIG');
  throwsCode(() => Scorecard.fromJson({}), 'CSOPS_CONFIG');
  // Deeply nested data is refused by the JSON reader, not by a stack overflow.
  // (Inside a normaliser, whose `kind` tag is read after the rest is buffered.)
  let deep = [];
  for (let i = 0; i < 2_000; i++) deep = [deep];
  const nested = (c) => ((c.groups[0].measures[0].normaliser = { worst: deep, best: 1, kind: 'linear' }), c);
  assert.match(throwsCode(() => Scorecard.fromJson(cardJson(nested)), 'CSOPS_CONFIG').message, /recursion/);
  throwsCode(() => Scorecard.fromJson(`{"name": ${'['.repeat(100_000)}`), 'CSOPS_CONFIG');
});

test('a scorecard that cannot be JSON, or is not a scorecard at all, is CSOPS_INVALID_ARGUMENT', () => {
  const cyclic = cardJson();
  cyclic.self = cyclic;
  assert.match(throwsCode(() => Scorecard.fromJson(cyclic), 'CSOPS_INVALID_ARGUMENT').message, /circular/);
  throwsCode(() => Scorecard.fromJson(cardJson((c) => ((c.groups[0].weight = 3n), c))), 'CSOPS_INVALID_ARGUMENT');
  let deep = {};
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  throwsCode(() => Scorecard.fromJson(deep), 'CSOPS_INVALID_ARGUMENT');
  for (const json of [5, null, undefined, true, [cardJson()], () => 1]) {
    assert.match(throwsCode(() => Scorecard.fromJson(json), 'CSOPS_INVALID_ARGUMENT').message, /json/);
  }
  for (const text of [5, null, {}, cardJson()]) {
    assert.match(throwsCode(() => Scorecard.fromToml(text), 'CSOPS_INVALID_ARGUMENT').message, /text/);
  }
});

test('a measure reading a feature the input lacks is CSOPS_CONFIG naming it, sync and async', async () => {
  const input = { accountIds: ['A'], columns: { logins: [1], sponsor: [1] } };
  const e = throwsCode(() => small.score(input), 'CSOPS_CONFIG');
  assert.deepEqual(e.problems, ['measure `breadth`: unknown feature `breadth`']);
  assert.deepEqual((await rejectsCode(small.scoreAsync(input), 'CSOPS_CONFIG')).problems, e.problems);
  throwsCode(() => small.explain(input, 'A'), 'CSOPS_CONFIG');
  throwsCode(() => small.scoreOne({ logins: 1, sponsor: 1 }), 'CSOPS_CONFIG');
  // A FeatureFrame has the built-in features only.
  const custom = Scorecard.fromJson(cardJson((c) => ((c.groups[1].measures[0].feature = 'no_such_feature'), c)));
  assert.ok(throwsCode(() => custom.score(sampleFrame), 'CSOPS_CONFIG').problems.some((p) => p.includes('no_such_feature')));
});

test('explain: an unknown account is CSOPS_NOT_FOUND, an account on two rows CSOPS_CONFIG', () => {
  const card = Scorecard.defaultHeuristic();
  const id = sampleFrame.accountIds[0];
  const columns = frameColumns(sampleFrame);
  const e = throwsCode(() => card.explain(sampleFrame, 'no-such-account'), 'CSOPS_NOT_FOUND');
  assert.equal(e.message, 'account `no-such-account` is not in the data');
  const twice = {
    accountIds: [id, id],
    columns: Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, [v[0], v[0]]])),
  };
  const d = throwsCode(() => card.explain(twice, id), 'CSOPS_CONFIG');
  assert.deepEqual(d.problems, [`account \`${id}\` appears more than once in the data (rows 1 and 2)`]);
});

test('malformed columns are CSOPS_INVALID_ARGUMENT naming the column, sync and async', async () => {
  const cases = [
    [{ accountIds: ['A', 'B'], columns: { logins: [1], breadth: [1, 2], sponsor: [1, 0] } }, /logins.*1 values for 2 accounts/],
    [{ accountIds: ['A'], columns: { logins: new Float64Array(3), breadth: [1], sponsor: [1] } }, /logins.*3 values/],
    [{ accountIds: ['A'], columns: { logins: ['1'], breadth: [1], sponsor: [1] } }, /logins`\[0\].*string/],
    [{ accountIds: ['A', 'B'], columns: { logins: [1, {}], breadth: [1, 1], sponsor: [1, 1] } }, /logins`\[1\].*object/],
    [{ accountIds: ['A'], columns: { logins: [true], breadth: [1], sponsor: [1] } }, /boolean/],
    [{ accountIds: ['A'], columns: { logins: [1n], breadth: [1], sponsor: [1] } }, /bigint/],
    [{ accountIds: ['A'], columns: { logins: new Float32Array(1), breadth: [1], sponsor: [1] } }, /Float64Array/],
    [{ accountIds: ['A'], columns: { logins: 1, breadth: [1], sponsor: [1] } }, /logins.*number/],
    [{ accountIds: ['A'], columns: { logins: '1', breadth: [1], sponsor: [1] } }, /logins/],
    [{ accountIds: ['A'], columns: [[1], [1], [1]] }, /columns/],
    [{ accountIds: ['A'], columns: null }, /columns/],
    [{ accountIds: 'A', columns: {} }, /accountIds/],
    [{ accountIds: [1], columns: {} }, /accountIds\[0\]/],
    [{ accountIds: [, 'B'], columns: {} }, /accountIds\[0\]/], // eslint-disable-line no-sparse-arrays
    [{ accountIds: ['A'] }, /accountIds.*columns/],
    [{ columns: {} }, /accountIds.*columns/],
    [{ accountIds: ['A'], columns: {}, segments: ['x'] }, /unknown key `segments`/],
    [{}, /accountIds/],
  ];
  for (const [input, message] of cases) {
    const e = throwsCode(() => small.score(input), 'CSOPS_INVALID_ARGUMENT');
    assert.match(e.message, message);
    await rejectsCode(small.scoreAsync(input), 'CSOPS_INVALID_ARGUMENT');
    throwsCode(() => small.explain(input, 'A'), 'CSOPS_INVALID_ARGUMENT');
  }
  // An infinity is a number, so its meaning is the core's call: an error naming the column
  // (missing is NaN or null).
  const inf = { accountIds: ['A'], columns: { logins: [-Infinity], breadth: [1], sponsor: [1] } };
  assert.match(throwsCode(() => small.score(inf), 'CSOPS_CONFIG').problems[0], /logins.*infinite/);
  await rejectsCode(small.scoreAsync(inf), 'CSOPS_CONFIG');
  // Holes in an array are missing values too.
  // eslint-disable-next-line no-sparse-arrays
  assert.equal(small.score({ accountIds: ['A', 'B'], columns: { logins: [, 2], breadth: [1, 1], sponsor: [1, 1] } }).scores.length, 2);
});

test('wrong argument types are CSOPS_INVALID_ARGUMENT naming the argument', async () => {
  const cases = [
    [() => small.score(), 'input'],
    [() => small.score(5), 'input'],
    [() => small.score('frame'), 'input'],
    [() => small.score(null), 'input'],
    [() => small.score([smallInput]), 'input'],
    [() => small.score(sampleBook), 'input'],
    [() => small.score(Object.create(FeatureFrame.prototype)), 'input'],
    [() => small.score(smallInput, 5), 'options'],
    [() => small.score(smallInput, { segment: ['a', 'a', 'a'] }), 'segment'],
    [() => small.score(smallInput, { segments: 'abc' }), 'options'],
    [() => small.score(smallInput, { segments: [1, 2, 3] }), 'options'],
    [() => small.explain(smallInput, 1.5), 'accountId'],
    [() => small.explain(smallInput), 'accountId'],
    [() => small.scoreOne(), 'values'],
    [() => small.scoreOne([1, 2, 3]), 'values'],
    [() => small.scoreOne({ logins: '1', breadth: 1, sponsor: 1 }), 'values.logins'],
    [() => small.scoreOne({ logins: [1], breadth: 1, sponsor: 1 }), 'values.logins'],
    [() => trend('60', 50), 'current'],
    [() => trend(60), 'previous'],
    [() => trend(60, 50, '5'), 'deadBand'],
  ];
  for (const [f, name] of cases) {
    const e = throwsCode(f, 'CSOPS_INVALID_ARGUMENT');
    assert.ok(e.message.includes(name), `${e.message} should name ${name}`);
  }
  await rejectsCode(small.scoreAsync(5), 'CSOPS_INVALID_ARGUMENT');
  await rejectsCode(small.scoreAsync(smallInput, { segments: 'abc' }), 'CSOPS_INVALID_ARGUMENT');
  // Segments of the wrong length: the core's configuration check.
  throwsCode(() => small.score(smallInput, { segments: ['a'] }), 'CSOPS_CONFIG');
  await rejectsCode(small.scoreAsync(smallInput, { segments: ['a'] }), 'CSOPS_CONFIG');
});

test("a throwing getter in the input propagates the caller's own error", () => {
  const boom = new Error('boom');
  const input = {
    accountIds: ['A'],
    get columns() {
      throw boom;
    },
  };
  assert.throws(() => small.score(input), (e) => e === boom);
});

test('odd measure names are plain keys of contributions', () => {
  const card = Scorecard.fromJson(
    cardJson((c) => {
      c.groups[0].measures[0].name = '__proto__';
      c.groups[0].measures[1].name = 'constructor';
      c.groups[1].measures[0].name = 'nul\0name';
      return c;
    }),
  );
  const s = card.score(smallInput);
  assert.deepEqual(Object.keys(s.contributions), ['__proto__', 'constructor', 'nul\0name']);
  assert.ok(Object.hasOwn(s.contributions, '__proto__'));
  assert.ok(s.contributions.__proto__ instanceof Float64Array);
  assert.equal(Object.getPrototypeOf(s.contributions), Object.prototype);
  assert.deepEqual(card.measureNames(), Object.keys(s.contributions));
});

test('a scorecard with more than 64 measures is refused when it is read, never a crash', async () => {
  const measures = Array.from({ length: 70 }, (_, i) => ({
    name: `m${i}`,
    feature: `f${i}`,
    weight: 1,
    normaliser: { kind: 'linear', worst: 0, best: 1 },
  }));
  const e = throwsCode(
    () => Scorecard.fromJson({ schema_version: 1, name: 'wide', groups: [{ name: 'g', weight: 1, measures }] }),
    'CSOPS_CONFIG',
  );
  assert.ok(e.problems.some((p) => /at most 64 measures/.test(p)));
  assert.equal(typeof version(), 'string'); // still alive
});

test('new Scorecard(json) reads a scorecard as Scorecard.fromJson does', () => {
  const json = cardJson();
  const card = new Scorecard(json);
  assert.ok(card instanceof Scorecard);
  assert.deepEqual(card.toJson(), Scorecard.fromJson(json).toJson());
  assert.deepEqual(card.toJson(), small.toJson());
  assert.deepEqual(new Scorecard(JSON.stringify(json)).toJson(), small.toJson());
  assert.deepEqual(card.score(smallInput), small.score(smallInput));
  assert.equal(new Scorecard(heuristic.toJson()).toToml(), heuristic.toToml());
  // A bad configuration: the same coded error as the factory, every problem listed.
  const bad = cardJson((c) => ((c.groups[0].weight = -1), (c.min_coverage = 2), c));
  const e = throwsCode(() => new Scorecard(bad), 'CSOPS_CONFIG');
  assert.deepEqual(e.problems, throwsCode(() => Scorecard.fromJson(bad), 'CSOPS_CONFIG').problems);
  assert.ok(e.problems.length >= 2);
  throwsCode(() => new Scorecard('{"schema_version": 1'), 'CSOPS_CONFIG');
  throwsCode(() => new Scorecard({}), 'CSOPS_CONFIG');
  for (const json of [undefined, null, 5, [cardJson()]]) {
    assert.match(throwsCode(() => new Scorecard(json), 'CSOPS_INVALID_ARGUMENT').message, /json/);
  }
  assert.match(throwsCode(() => new Scorecard(), 'CSOPS_INVALID_ARGUMENT').message, /json/);
  // A class: called without `new` (or on another object) it throws, and makes nothing a
  // scorecard.
  for (const call of [() => Scorecard(json), () => Scorecard.call({}, json), () => Scorecard.call(globalThis, json)]) {
    assert.match(throwsCode(call, 'CSOPS_INVALID_ARGUMENT').message, /new Scorecard/);
  }
  assert.throws(() => Scorecard.prototype.toToml.call(globalThis));
  // Subclasses construct.
  class Named extends Scorecard {
    constructor(j) {
      super(j);
      this.tag = 'sub';
    }
  }
  const sub = new Named(json);
  assert.ok(sub instanceof Scorecard);
  assert.equal(sub.tag, 'sub');
  assert.deepEqual(sub.toJson(), small.toJson());
  assert.equal(typeof version(), 'string');
});

test('Scorecard instances are immutable values', () => {
  assert.equal(Scorecard.defaultHeuristic().toToml(), heuristic.toToml());
  const card = new Scorecard(cardJson());
  const json = card.toJson();
  json.groups[0].weight = 99;
  assert.deepEqual(card.toJson(), small.toJson());
});

/** The scores of `s` without the contributions. */
const withoutContributions = ({ contributions, ...rest }) => rest;

test('contributions: false scores without the contributions, the rest unchanged', async () => {
  for (const [card, input] of [
    [heuristic, sampleFrame],
    [heuristic, { accountIds: sampleFrame.accountIds, columns: frameColumns(sampleFrame) }],
    [small, smallInput],
  ]) {
    const full = card.score(input);
    for (const s of [card.score(input, { contributions: false }), await card.scoreAsync(input, { contributions: false })]) {
      assert.ok(!Object.hasOwn(s, 'contributions'), 'a contributions key');
      assert.deepEqual(Object.keys(s), ['accountIds', 'scores', 'bands', 'bandCodes', 'bandNames', 'coverage']);
      assert.ok(s.scores instanceof Float64Array && s.coverage instanceof Float64Array);
      assert.deepEqual(s, withoutContributions(full));
    }
    assert.deepEqual(card.score(input, { contributions: true }), full);
    assert.deepEqual(await card.scoreAsync(input, { contributions: true }), full);
    assert.deepEqual(card.score(input, { contributions: null }), full);
    assert.deepEqual(card.score(input, { contributions: undefined }), full);
  }
  // With segments, and on an empty batch.
  const percentile = Scorecard.fromJson(
    cardJson((c) => {
      c.groups = [{ name: 'g', weight: 1, measures: [{ name: 'rank', feature: 'x', weight: 1, normaliser: { kind: 'percentile', higher_is_better: true, per_segment: true } }] }];
      return c;
    }),
  );
  const ranked = percentile.score({ accountIds: ['A', 'B', 'C', 'D'], columns: { x: [1, 2, 3, 4] } }, { segments: ['a', 'a', 'b', 'b'], contributions: false });
  assert.deepEqual(Array.from(ranked.scores), [25, 75, 25, 75]);
  const empty = small.score({ accountIds: [], columns: { logins: [], breadth: new Float64Array(0), sponsor: [] } }, { contributions: false });
  assert.deepEqual(empty, { accountIds: [], scores: new Float64Array(0), bandCodes: new Uint8Array(0), bandNames: ['red', 'yellow', 'green'], bands: [], coverage: new Float64Array(0) });
  // explain always gives the full breakdown.
  assert.deepEqual(small.explain(smallInput, 'A', { contributions: false }), small.explain(smallInput, 'A'));
});

test('contributions: errors are the same, and a bad value is CSOPS_INVALID_ARGUMENT', async () => {
  for (const contributions of ['no', 0, 1, [], {}]) {
    const e = throwsCode(() => small.score(smallInput, { contributions }), 'CSOPS_INVALID_ARGUMENT');
    assert.match(e.message, /options/);
    await rejectsCode(small.scoreAsync(smallInput, { contributions }), 'CSOPS_INVALID_ARGUMENT');
  }
  const missing = { accountIds: ['A'], columns: { logins: [1], sponsor: [1] } };
  const inf = { accountIds: ['A', 'B'], columns: { logins: [1, Infinity], breadth: new Float64Array([1, 1]), sponsor: [1, 1] } };
  for (const input of [missing, inf]) {
    const full = throwsCode(() => small.score(input), 'CSOPS_CONFIG');
    for (const contributions of [true, false]) {
      assert.deepEqual(throwsCode(() => small.score(input, { contributions }), 'CSOPS_CONFIG').problems, full.problems);
      assert.deepEqual((await rejectsCode(small.scoreAsync(input, { contributions }), 'CSOPS_CONFIG')).problems, full.problems);
    }
  }
  // An infinity is reported with the account it belongs to, for columns as for a frame.
  assert.match(throwsCode(() => small.score(inf), 'CSOPS_CONFIG').problems[0], /logins.*infinite.*`B`/);
  throwsCode(() => small.score(smallInput, { segments: ['a'], contributions: false }), 'CSOPS_CONFIG');
});

test('Float64Array columns are read where they lie: views, offsets and shared memory', async () => {
  const whole = new Float64Array([9, 2, 0.5, 1, 99]);
  const viaViews = {
    accountIds: ['A'],
    columns: { logins: whole.subarray(1, 2), breadth: new Float64Array(whole.buffer, 16, 1), sponsor: whole.subarray(3, 4) },
  };
  const plain = { accountIds: ['A'], columns: { logins: [2], breadth: [0.5], sponsor: [1] } };
  assert.deepEqual(small.score(viaViews), small.score(plain));
  assert.deepEqual(await small.scoreAsync(viaViews), small.score(plain));
  assert.equal(small.score(viaViews).scores[0], 62.5);
  const shared = new Float64Array(new SharedArrayBuffer(24));
  shared.set([2, 0.5, 1]);
  const viaShared = { accountIds: ['A'], columns: { logins: shared.subarray(0, 1), breadth: shared.subarray(1, 2), sponsor: shared.subarray(2) } };
  assert.deepEqual(small.score(viaShared), small.score(plain));
  // The caller's arrays are left as they were.
  assert.deepEqual(Array.from(whole), [9, 2, 0.5, 1, 99]);
});

test('a Float64Array detached or shrunk while the other arguments are read is an error, never a crash', async () => {
  const detach = (array) => structuredClone(array.buffer, { transfer: [array.buffer] });
  // By a getter of the options, read after the columns.
  {
    const logins = new Float64Array([2]);
    const options = {
      get segments() {
        detach(logins);
        return undefined;
      },
    };
    const input = { accountIds: ['A'], columns: { logins, breadth: [1], sponsor: [1] } };
    for (const call of [() => small.score(input, options), () => small.explain(input, 'A', options)]) {
      const e = throwsCode(call, 'CSOPS_INVALID_ARGUMENT');
      assert.match(e.message, /logins.*0 values for 1 accounts/);
    }
  }
  {
    const logins = new Float64Array([2]);
    const options = {
      get contributions() {
        detach(logins);
        return false;
      },
    };
    await rejectsCode(small.scoreAsync({ accountIds: ['A'], columns: { logins, breadth: [1], sponsor: [1] } }, options), 'CSOPS_INVALID_ARGUMENT');
  }
  // By an element getter of a later column.
  {
    const logins = new Float64Array([2, 2]);
    const breadth = [1, 1];
    Object.defineProperty(breadth, 1, {
      get() {
        detach(logins);
        return 1;
      },
    });
    throwsCode(() => small.score({ accountIds: ['A', 'B'], columns: { logins, breadth, sponsor: [1, 1] } }), 'CSOPS_INVALID_ARGUMENT');
  }
  // By a getter of an override, read after the input.
  {
    const logins = new Float64Array([2]);
    const override = {
      accountId: 'A',
      score: 90,
      reason: 'r',
      author: 'a',
      get expires() {
        detach(logins);
        return '2030-01-01';
      },
    };
    const input = { accountIds: ['A'], columns: { logins, breadth: [1], sponsor: [1] } };
    throwsCode(() => small.applyOverrides(input, [override], { asOf: '2024-01-01' }), 'CSOPS_INVALID_ARGUMENT');
  }
  // A resizable buffer shrunk by a getter.
  {
    const buffer = new ArrayBuffer(16, { maxByteLength: 16 });
    const logins = new Float64Array(buffer);
    logins.set([2, 2]);
    const options = {
      get segments() {
        buffer.resize(8);
        return undefined;
      },
    };
    const e = throwsCode(() => small.score({ accountIds: ['A', 'B'], columns: { logins, breadth: [1, 1], sponsor: [1, 1] } }, options), 'CSOPS_INVALID_ARGUMENT');
    assert.match(e.message, /logins.*1 values for 2 accounts/);
  }
  assert.equal(typeof version(), 'string'); // still alive
});

test('band codes: a Uint8Array indexing bandNames (255 = not scored), and bands made from them on first read', () => {
  const s = heuristic.score(sampleFrame);
  assert.ok(s.bandCodes instanceof Uint8Array && s.bandCodes.length === s.scores.length);
  assert.deepEqual(s.bandNames, heuristic.toJson().bands.map((b) => b.name));
  // The getter is listed but not yet called: reading it makes the names once, then keeps them.
  const descriptor = Object.getOwnPropertyDescriptor(s, 'bands');
  assert.equal(typeof descriptor.get, 'function');
  const names = s.bands;
  assert.equal(s.bands, names, 'the same array on every read');
  for (let i = 0; i < s.scores.length; i++) {
    const code = s.bandCodes[i];
    assert.equal(names[i], code === 255 ? null : s.bandNames[code], `row ${i}`);
    assert.equal(code === 255, Number.isNaN(s.scores[i]), `row ${i}: not scored`);
  }
  assert.ok(names.includes(null) || !s.scores.some(Number.isNaN));
  // A caller may replace it, as any result field.
  s.bands = ['x'];
  assert.deepEqual(s.bands, ['x']);
  // JSON has the names.
  assert.deepEqual(JSON.parse(JSON.stringify(heuristic.score(sampleFrame))).bands, names);
});
