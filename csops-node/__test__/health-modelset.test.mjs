// Model sets (a scorecard per segment) and manual overrides from Node: per-segment scorecards
// with hand-checkable numbers, JSON / TOML round trips, validation problems prefixed by segment,
// overrides in force until their expiry day (exclusive), and async = sync.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ModelSet, Scorecard } from 'csops';
import { throwsCode } from './helpers.mjs';

/** A one-measure scorecard: score = 100 × (feature − 0) / (best − 0). */
const oneMeasure = (name, feature, best) => ({
  schema_version: 1,
  name,
  groups: [{ name: 'g', weight: 1, measures: [{ name: feature, feature, weight: 1, normaliser: { kind: 'linear', worst: 0, best } }] }],
});
// basic: logins 0..10 → 0..100; ent: seats 0..100 → 0..100.
const setJson = { default: oneMeasure('basic', 'logins', 10), by_segment: { ent: oneMeasure('ent', 'seats', 100) } };
const set = ModelSet.fromJson(setJson);
const input = { accountIds: ['A', 'B', 'C'], columns: { logins: [5, 5, 2], seats: [20, 80, 20] } };
const segments = ['smb', 'ent', 'other'];

test('a model set scores each row with its segment scorecard (or the default)', () => {
  const s = set.score(input, { segments });
  assert.deepEqual(s.accountIds, ['A', 'B', 'C']);
  assert.deepEqual(s.scorecard, ['basic', 'ent', 'basic']);
  assert.ok(s.scores instanceof Float64Array && s.coverage instanceof Float64Array);
  assert.deepEqual([...s.scores].map((x) => Math.round(x * 1e9) / 1e9), [50, 80, 20]);
  assert.deepEqual(s.bands, ['yellow', 'green', 'red']);
  assert.deepEqual([...s.coverage], [1, 1, 1]);
  assert.deepEqual(set.segments, ['ent']);
  assert.equal(set.scorecardFor('ent').name, 'ent');
  assert.equal(set.scorecardFor('smb').name, 'basic');
  assert.ok(set.scorecardFor('ent') instanceof Scorecard);
  // The per-segment scorecard alone agrees with the model set on its rows.
  const alone = set.scorecardFor('ent').score({ accountIds: ['B'], columns: { seats: [80] } });
  assert.equal(alone.scores[0], s.scores[1]);
});

test('segments are required and must match the rows', () => {
  throwsCode(() => set.score(input), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => set.score(input, {}), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => set.score(input, { segments, extra: 1 }), 'CSOPS_INVALID_ARGUMENT');
  const e = throwsCode(() => set.score(input, { segments: ['ent'] }), 'CSOPS_CONFIG');
  assert.match(e.problems[0], /segments has 1 entries for 3 accounts/);
  // A feature the row's scorecard reads is missing.
  throwsCode(() => set.score({ accountIds: ['B'], columns: { logins: [1] } }, { segments: ['ent'] }), 'CSOPS_CONFIG');
});

test('JSON and TOML round trips', () => {
  const json = set.toJson();
  assert.deepEqual(Object.keys(json).sort(), ['by_segment', 'default']);
  assert.equal(json.by_segment.ent.name, 'ent');
  assert.equal(json.default.min_coverage, 0.5);
  assert.deepEqual(ModelSet.fromJson(json).toJson(), json);
  assert.deepEqual(ModelSet.fromJson(JSON.stringify(json)).toJson(), json);
  const toml = set.toToml();
  assert.match(toml, /\[by_segment\.ent\]/);
  assert.deepEqual(ModelSet.fromToml(toml).toJson(), json);
  // by_segment is optional.
  const only = ModelSet.fromJson({ default: oneMeasure('basic', 'logins', 10) });
  assert.deepEqual(only.segments, []);
  assert.deepEqual(only.score(input, { segments }).scorecard, ['basic', 'basic', 'basic']);
});

test('invalid model sets: every problem, prefixed by segment', () => {
  const bad = {
    default: { ...oneMeasure('basic', 'logins', 10), schema_version: 2 },
    by_segment: { ent: { ...oneMeasure('ent', 'seats', 100), groups: [] }, smb: oneMeasure('smb', 'logins', 5) },
  };
  for (const make of [() => ModelSet.fromJson(bad), () => ModelSet.fromJson(JSON.stringify(bad))]) {
    const e = throwsCode(make, 'CSOPS_CONFIG');
    assert.ok(e.problems.some((p) => p.startsWith('default: ') && /schema_version 2/.test(p)), e.problems.join('\n'));
    assert.ok(e.problems.some((p) => p.startsWith('segment `ent`: ')), e.problems.join('\n'));
    assert.ok(!e.problems.some((p) => p.includes('`smb`')), e.problems.join('\n'));
  }
  const unknown = throwsCode(() => ModelSet.fromJson({ ...setJson, extra: {} }), 'CSOPS_CONFIG');
  assert.match(unknown.problems[0], /^model set: .*extra/);
  throwsCode(() => ModelSet.fromJson('{'), 'CSOPS_CONFIG');
  throwsCode(() => ModelSet.fromToml('default = 1'), 'CSOPS_CONFIG');
  throwsCode(() => ModelSet.fromToml(1), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => ModelSet.fromJson(42), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => set.scorecardFor(1), 'CSOPS_INVALID_ARGUMENT');
});

const basic = set.scorecardFor('smb');
// basic scores: A 50 (yellow), B 50 (yellow), C 20 (red).
const overrideBase = { reason: 'renewal signed', author: 'sam' };

test('overrides apply until their expiry day (exclusive); score-only and band-only', () => {
  const overrides = [
    { accountId: 'A', score: 90, expires: '2024-07-01', ...overrideBase },
    { accountId: 'B', band: 'red', expires: new Date('2024-06-30T00:00:00Z'), ...overrideBase },
    { accountId: 'Z', score: 10, expires: '2030-01-01', ...overrideBase },
  ];
  const before = basic.applyOverrides(input, overrides, { asOf: '2024-06-29' });
  assert.deepEqual(before, [
    {
      accountId: 'A',
      computedScore: 50,
      computedBand: 'yellow',
      score: 90,
      band: 'green',
      overrideApplied: { accountId: 'A', score: 90, band: null, reason: 'renewal signed', author: 'sam', expires: '2024-07-01' },
    },
    {
      accountId: 'B',
      computedScore: 50,
      computedBand: 'yellow',
      score: 50,
      band: 'red',
      overrideApplied: { accountId: 'B', score: null, band: 'red', reason: 'renewal signed', author: 'sam', expires: '2024-06-30' },
    },
    { accountId: 'C', computedScore: 20, computedBand: 'red', score: 20, band: 'red', overrideApplied: null },
  ]);
  // On B's expiry day its override no longer applies; A's still does.
  const on = basic.applyOverrides(input, overrides, { asOf: new Date('2024-06-30T12:00:00Z') });
  assert.equal(on[0].score, 90);
  assert.equal(on[1].overrideApplied, null);
  assert.equal(on[1].score, 50);
  assert.equal(on[1].band, 'yellow');
  const after = basic.applyOverrides(input, overrides, { asOf: '2024-07-01', segments });
  assert.ok(after.every((r) => r.overrideApplied === null && r.score === r.computedScore && r.band === r.computedBand));
  // No overrides: the computed scores; a row without a score reports null.
  const none = basic.applyOverrides({ accountIds: ['N'], columns: { logins: [null] } }, [], { asOf: '2024-06-29' });
  assert.deepEqual(none, [{ accountId: 'N', computedScore: null, computedBand: null, score: null, band: null, overrideApplied: null }]);
});

test('invalid overrides: every problem is listed', () => {
  const overrides = [
    { accountId: 'A', reason: ' ', author: 'sam', expires: '2024-07-01' },
    { accountId: 'A', score: 150, expires: '2024-07-01', ...overrideBase },
    { accountId: 'B', band: 'purple', score: null, expires: '2024-07-01', ...overrideBase },
  ];
  const e = throwsCode(() => basic.applyOverrides(input, overrides, { asOf: '2024-06-29' }), 'CSOPS_CONFIG');
  const expected = [
    /`A`: sets neither a score nor a band/,
    /`A`: a reason and an author are required/,
    /`A`: more than one override/,
    /`A`: score 150 is outside/,
    /`B`: unknown band `purple`/,
  ];
  assert.equal(e.problems.length, expected.length, e.problems.join('\n'));
  for (const re of expected) assert.ok(e.problems.some((p) => re.test(p)), `${re} not in\n${e.problems.join('\n')}`);
  // Malformed arguments.
  const asOf = '2024-06-29';
  throwsCode(() => basic.applyOverrides(input, {}, { asOf }), 'CSOPS_INVALID_ARGUMENT');
  // Malformed overrides are read by the core, which lists every problem of every override
  // (CSOPS_CONFIG, as Python's ConfigError), keys named as Node writes them.
  const malformed = throwsCode(
    () => basic.applyOverrides(input, [{ score: '1', note: 'x', ...overrideBase }, 'A'], { asOf }),
    'CSOPS_CONFIG',
  );
  assert.deepEqual(malformed.problems, [
    'overrides[0]: unknown key `note`',
    'overrides[0]: `accountId` is required',
    'overrides[0]: `score` must be a number, got text',
    'overrides[0]: `expires` is required',
    'overrides[1]: must be an object, got text',
  ]);
  throwsCode(() => basic.applyOverrides(input, [{ accountId: 'A', score: 1, ...overrideBase }], { asOf }), 'CSOPS_CONFIG');
  throwsCode(
    () => basic.applyOverrides(input, [{ accountId: 'A', score: 1, expires: '2024-13-01', ...overrideBase }], { asOf }),
    'CSOPS_CONFIG',
  );
  throwsCode(
    () => basic.applyOverrides(input, [{ accountId: 'A', score: '1', expires: asOf, ...overrideBase }], { asOf }),
    'CSOPS_CONFIG',
  );
  throwsCode(
    () => basic.applyOverrides(input, [{ accountId: 'A', score: 1, expires: asOf, note: 'x', ...overrideBase }], { asOf }),
    'CSOPS_CONFIG',
  );
  throwsCode(() => basic.applyOverrides(input, []), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => basic.applyOverrides(input, [], {}), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => basic.applyOverrides(input, [], { asOf, when: 1 }), 'CSOPS_INVALID_ARGUMENT');
});

test('scoreAsync equals score; its errors reject', async () => {
  const promise = set.scoreAsync(input, { segments });
  assert.ok(promise instanceof Promise);
  assert.deepEqual(await promise, set.score(input, { segments }));
  for (const [args, code] of [
    [[input], 'CSOPS_INVALID_ARGUMENT'],
    [[input, { segments: ['ent'] }], 'CSOPS_CONFIG'],
  ]) {
    const p = set.scoreAsync(...args);
    assert.ok(p instanceof Promise, 'an async call threw synchronously');
    await assert.rejects(p, (e) => e instanceof Error && e.code === code);
  }
});

test('new ModelSet(json) reads a model set as ModelSet.fromJson does', () => {
  const made = new ModelSet(setJson);
  assert.ok(made instanceof ModelSet);
  assert.deepEqual(made.toJson(), ModelSet.fromJson(setJson).toJson());
  assert.deepEqual(new ModelSet(JSON.stringify(setJson)).toJson(), set.toJson());
  assert.deepEqual(made.score(input, { segments }), set.score(input, { segments }));
  const bad = { default: { ...oneMeasure('basic', 'logins', 10), schema_version: 2 } };
  const e = throwsCode(() => new ModelSet(bad), 'CSOPS_CONFIG');
  assert.deepEqual(e.problems, throwsCode(() => ModelSet.fromJson(bad), 'CSOPS_CONFIG').problems);
  assert.ok(e.problems.some((p) => p.startsWith('default: ')));
  throwsCode(() => new ModelSet('{'), 'CSOPS_CONFIG');
  throwsCode(() => new ModelSet(), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => new ModelSet(42), 'CSOPS_INVALID_ARGUMENT');
  assert.match(throwsCode(() => ModelSet(setJson), 'CSOPS_INVALID_ARGUMENT').message, /new ModelSet/);
  throwsCode(() => ModelSet.call({}, setJson), 'CSOPS_INVALID_ARGUMENT');
});

test('a segment named __proto__ (or constructor, or with a NUL) is a plain own key', () => {
  // JSON.parse makes `__proto__` an own key, as a file would.
  const json = JSON.parse(
    JSON.stringify({ default: oneMeasure('basic', 'logins', 10) }).replace(
      /}$/,
      `, "by_segment": {"__proto__": ${JSON.stringify(oneMeasure('proto', 'seats', 100))}, "constructor": ${JSON.stringify(oneMeasure('ctor', 'seats', 50))}, "nul\\u0000seg": ${JSON.stringify(oneMeasure('nul', 'logins', 5))}}}`,
    ),
  );
  assert.ok(Object.hasOwn(json.by_segment, '__proto__'));
  for (const odd of [ModelSet.fromJson(json), new ModelSet(json), ModelSet.fromJson(JSON.stringify(json))]) {
    assert.deepEqual(odd.segments, ['__proto__', 'constructor', 'nul\0seg']);
    assert.equal(odd.scorecardFor('__proto__').name, 'proto');
    const back = odd.toJson();
    assert.equal(Object.getPrototypeOf(back.by_segment), Object.prototype);
    assert.deepEqual(Object.keys(back.by_segment), ['__proto__', 'constructor', 'nul\0seg']);
    assert.ok(Object.hasOwn(back.by_segment, '__proto__'));
    assert.equal(back.by_segment.__proto__.name, 'proto');
    assert.equal(back.by_segment['nul\0seg'].name, 'nul');
    assert.deepEqual(back.by_segment.__proto__, odd.scorecardFor('__proto__').toJson());
    // Round trips: the object, its JSON text, and TOML.
    assert.deepEqual(ModelSet.fromJson(back).toJson(), back);
    assert.deepEqual(JSON.parse(JSON.stringify(back)), back);
    assert.deepEqual(ModelSet.fromJson(JSON.stringify(back)).toJson(), back);
    assert.deepEqual(ModelSet.fromToml(odd.toToml()).toJson(), back);
    // And the segment picks its scorecard.
    const s = odd.score({ accountIds: ['A', 'B'], columns: { logins: [5, 5], seats: [20, 20] } }, { segments: ['__proto__', 'other'] });
    assert.deepEqual(s.scorecard, ['proto', 'basic']);
  }
});

test('model set options take no contributions option', () => {
  const e = throwsCode(() => set.score(input, { segments, contributions: false }), 'CSOPS_INVALID_ARGUMENT');
  assert.match(e.message, /contributions/);
  throwsCode(() => set.score(input, { segments: null }), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => set.score(input, 5), 'CSOPS_INVALID_ARGUMENT');
});
