// Segmentation from Node: the condition language (text and structured forms, three-valued
// logic, every way of giving columns), tier rules as data, the book's account table, the
// main job's segmentation, coverage, assignment and what-if (section 8 of
// `cargo run --release --example cs_week`) reproduced, sync = async, the same answers from
// the caller's own columns, and coded errors: hostile condition text and data are
// CSOPS_CONFIG (or CSOPS_INVALID_ARGUMENT for a wrong JavaScript type), never an abort (node
// --test runs this file in its own process, so an abort fails the file).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  Condition,
  Scorecard,
  TierRules,
  backtest,
  defaultCoverageModel,
  loadBook,
  segmentColumns,
  version,
  whatIfColumns,
} from 'csops';
import { rejectsCode, throwsCode, workspaceDir } from './helpers.mjs';

const book = loadBook(join(workspaceDir, 'data', 'sample-book'), { mode: 'lenient' });
const AS_OF = book.latestDate();

const columns = {
  id: ['A1', 'A2', 'A3', 'A4', 'A5'],
  arr: [150000, 50000, null, 200000, 8000],
  region: ['EMEA', 'NA', 'APAC', null, 'EMEA'],
  exec_sponsor_present: [true, false, null, true, false],
};

// ---------------------------------------------------------------------------------------------
// Conditions.

test('a condition reads as text and as JSON, and writes both back', () => {
  const c = new Condition('arr >= 100000 AND region IN ["EMEA", \'NA\'] and not exec_sponsor_present');
  const json = {
    and: [
      { field: 'arr', op: '>=', value: 100000 },
      { field: 'region', in: ['EMEA', 'NA'] },
      { not: { field: 'exec_sponsor_present' } },
    ],
  };
  assert.deepEqual(c.toJson(), json);
  assert.equal(String(c), 'arr >= 100000 and region in ["EMEA", "NA"] and not exec_sponsor_present');
  assert.equal(c.toString(), String(c));
  assert.deepEqual(c.fields, ['arr', 'region', 'exec_sponsor_present']);
  // Every way in gives the same condition.
  for (const same of [
    new Condition(json),
    new Condition(String(c)),
    new Condition(c),
    Condition.fromJson(json),
    Condition.fromJson(JSON.stringify(json)),
    Condition.fromJson(JSON.stringify(String(c))), // a JSON string holds the text form
    Condition.fromJson({ and: [new Condition('arr >= 100000'), 'region in ["EMEA", "NA"]', { not: 'exec_sponsor_present' }] }),
  ]) {
    assert.ok(same instanceof Condition);
    assert.deepEqual(same.toJson(), json);
    assert.equal(String(same), String(c));
  }
  // Inside data, a condition is written as its text.
  assert.equal(JSON.stringify({ when: c }), JSON.stringify({ when: String(c) }));
  // Fields are listed once each.
  assert.deepEqual(new Condition('arr > 1 or (arr < 0 and region is null)').fields, ['arr', 'region']);
});

test('every operator, in both forms', () => {
  const cases = [
    ['arr == 50000', { field: 'arr', op: '==', value: 50000 }, [false, true, false, false, false]],
    ['arr != 50000', { field: 'arr', op: '!=', value: 50000 }, [true, false, false, true, true]],
    ['arr < 50000', { field: 'arr', op: '<', value: 50000 }, [false, false, false, false, true]],
    ['arr <= 50000', { field: 'arr', op: '<=', value: 50000 }, [false, true, false, false, true]],
    ['arr > 50000', { field: 'arr', op: '>', value: 50000 }, [true, false, false, true, false]],
    ['arr between 8000 and 150000', { field: 'arr', between: [8000, 150000] }, [true, true, false, false, true]],
    ['region in ["EMEA"]', { field: 'region', in: ['EMEA'] }, [true, false, false, false, true]],
    ['region not in ["EMEA"]', { field: 'region', not_in: ['EMEA'] }, [false, true, true, false, false]],
    ['region is null', { field: 'region', is_null: true }, [false, false, false, true, false]],
    ['region is not null', { field: 'region', is_not_null: true }, [true, true, true, false, true]],
    ['exec_sponsor_present', { field: 'exec_sponsor_present' }, [true, false, false, true, false]],
    ['exec_sponsor_present == false', { field: 'exec_sponsor_present', op: '==', value: false }, [false, true, false, false, true]],
    ['region < "F"', { field: 'region', op: '<', value: 'F' }, [true, false, true, false, true]],
    ['arr > 100000 or region == "NA"', { or: [{ field: 'arr', op: '>', value: 100000 }, { field: 'region', op: '==', value: 'NA' }] }, [true, true, false, true, false]],
  ];
  for (const [text, json, expect] of cases) {
    assert.deepEqual(new Condition(text).filter(columns), expect, text);
    assert.deepEqual(Condition.fromJson(json).filter(columns), expect, `${text} (JSON)`);
    assert.deepEqual(new Condition(text).toJson(), json, text);
  }
  // `=` and `<>` are read as `==` and `!=`.
  assert.equal(String(new Condition('arr = 1 and region <> "x"')), 'arr == 1 and region != "x"');
  assert.equal(String(Condition.fromJson({ field: 'arr', op: '=', value: 1 })), 'arr == 1');
});

test('missing values are unknown: only rows where the whole condition is true match', () => {
  // A3 has no ARR, A4 no region.
  assert.deepEqual(new Condition('arr >= 100000').filter(columns), [true, false, false, true, false]);
  assert.deepEqual(new Condition('not (arr >= 100000)').filter(columns), [false, true, false, false, true]);
  assert.deepEqual(new Condition('region != "EMEA"').filter(columns), [false, true, true, false, false]);
  assert.deepEqual(new Condition('not (region == "EMEA")').filter(columns), [false, true, true, false, false]);
  // false and unknown is false; true or unknown is true.
  assert.deepEqual(new Condition('region == "APAC" or arr > 0').filter(columns), [true, true, true, true, true]);
  assert.deepEqual(new Condition('not (region == "NA" and arr > 0)').filter(columns), [true, false, true, false, true]);
});

test('columns: Float64Array, arrays with null, NaN or holes, and tagged kinds', () => {
  const c = new Condition('x > 1');
  const expect = [false, true, false, false];
  assert.deepEqual(c.filter({ x: new Float64Array([1, 2, NaN, 0]) }), expect);
  assert.deepEqual(c.filter({ x: [1, 2, null, 0] }), expect);
  assert.deepEqual(c.filter({ x: [1, 2, undefined, 0] }), expect);
  assert.deepEqual(c.filter({ x: [1, 2, , 0] }), expect); // eslint-disable-line no-sparse-arrays
  assert.deepEqual(c.filter({ x: { number: [1, 2, null, 0] } }), expect);
  assert.deepEqual(c.filter({ x: { number: new Float64Array([1, 2, NaN, 0]) } }), expect);
  // Leading missing values take the kind of the first value.
  assert.deepEqual(new Condition('t == "a"').filter({ t: [null, undefined, 'a', 'b'] }), [false, false, true, false]);
  assert.deepEqual(new Condition('b').filter({ b: [null, true, false] }), [false, true, false]);
  // A column without a value takes the kind its condition compares it with (as in Python
  // and Rust: tests/conformance/given_columns), or the kind it is given.
  assert.deepEqual(new Condition('t == "a"').filter({ t: [null, null] }), [false, false]);
  assert.deepEqual(new Condition('t > 1').filter({ t: [null, null] }), [false, false]);
  assert.deepEqual(new Condition('t == "a"').filter({ t: { text: [null, null] } }), [false, false]);
  assert.deepEqual(new Condition('t is null').filter({ t: { text: [null, 'x'] } }), [true, false]);
  assert.deepEqual(new Condition('b is null').filter({ b: { bool: [null, true] } }), [true, false]);
  // No rows: no matches.
  assert.deepEqual(new Condition('x > 1').filter({ x: [] }), []);
  assert.deepEqual(new Condition('x > 1').filter({ x: new Float64Array(0) }), []);
  // A field called `__proto__` is just a column.
  assert.deepEqual(new Condition('__proto__ > 1').filter(JSON.parse('{"__proto__": [0, 2]}')), [false, true]);
});

test('unknown fields, type mismatches and parse errors are CSOPS_CONFIG with every problem', () => {
  let e = throwsCode(() => new Condition('regoin == "EMEA" and arr > "big" and region > 5').filter(columns), 'CSOPS_CONFIG');
  assert.deepEqual(e.problems, [
    'unknown field `regoin` (did you mean `region`?)',
    '`arr` is a number but is compared with "big"',
    '`region` is text but is compared with 5',
  ]);
  e = throwsCode(() => new Condition('exec_sponsor_present > true').filter(columns), 'CSOPS_CONFIG');
  assert.match(e.message, /yes\/no; it has no order/);
  e = throwsCode(() => new Condition('region').filter(columns), 'CSOPS_CONFIG');
  assert.match(e.message, /`region` is text/);
  // Parse errors name the line and column.
  for (const [text, where] of [
    ['arr >= ', 'line 1, column 8'],
    ['arr >= 1 and\n  (region == "EMEA"', 'line 2, column 20'],
    ['arr >= 1 region', 'line 1, column 10'],
    ['region == "EMEA', 'line 1, column 11'],
    ['arr == null', 'line 1, column 8'],
    ['arr ~ 1', 'line 1, column 5'],
    ['', 'line 1, column 1'],
  ]) {
    e = throwsCode(() => new Condition(text), 'CSOPS_CONFIG');
    assert.ok(e.message.includes(where), `${JSON.stringify(text)}: ${e.message}`);
    assert.equal(e.problems.length, 1);
  }
  // The structured form names the path.
  e = throwsCode(() => Condition.fromJson({ and: [{ field: 'arr', op: '>=' }] }), 'CSOPS_CONFIG');
  assert.match(e.message, /condition at \$\.and\[0\]: a comparison needs a `value`/);
  throwsCode(() => Condition.fromJson({ and: [] }), 'CSOPS_CONFIG');
  throwsCode(() => Condition.fromJson({ field: 'arr', op: '>=', value: 1, extra: 1 }), 'CSOPS_CONFIG');
  throwsCode(() => Condition.fromJson({ field: 'arr', op: '>=', value: null }), 'CSOPS_CONFIG');
  throwsCode(() => Condition.fromJson({ field: 'arr', is_null: false }), 'CSOPS_CONFIG');
  throwsCode(() => Condition.fromJson('arr > 5'), 'CSOPS_CONFIG'); // not JSON
  throwsCode(() => Condition.fromJson('[1]'), 'CSOPS_CONFIG');
});

test('malformed columns are CSOPS_INVALID_ARGUMENT, bad values in them CSOPS_CONFIG', () => {
  const c = new Condition('x > 1');
  // Values the core reads and refuses (as in every language): CSOPS_CONFIG naming positions.
  const values = [
    [{ x: ['a', 1] }, /column `x` mixes text \(position 0\) and numbers \(position 1\)/],
    [{ x: [1, 'a'] }, /column `x` mixes numbers \(position 0\) and text \(position 1\)/],
    [{ x: [1, 2], y: [1] }, /column `y` has 1 rows for a table of 2/],
    [{ x: [1n] }, /column `x`, position 0: a bigint is not a number, a string, a boolean or null/],
    [{ x: [{}] }, /position 0: an object/],
    [{ x: { text: ['a', 1] } }, /column `x`, position 1: 1 in a column of text/],
  ];
  for (const [cols, message] of values) {
    const e = throwsCode(() => c.filter(cols), 'CSOPS_CONFIG');
    assert.match(e.message, message);
  }
  // A bad column no condition names is no error.
  assert.deepEqual(c.filter({ x: [0, 2], junk: [1, 'a'] }), [false, true]);
  // Shapes that are not columns at all: CSOPS_INVALID_ARGUMENT.
  const cases = [
    [{ x: new Int32Array(2) }, /another typed array/],
    [{ x: 'abc' }, /must be a Float64Array/],
    [{ x: { txt: [] } }, /unknown key `txt`/],
    [{ x: { text: [], number: [] } }, /exactly one key/],
    [{ x: { number: 'abc' } }, /`columns.x.number` must be an array/],
  ];
  for (const [cols, message] of cases) {
    const e = throwsCode(() => c.filter(cols), 'CSOPS_INVALID_ARGUMENT');
    assert.match(e.message, message);
  }
  for (const bad of [null, undefined, 5, 'x', [[1]]]) throwsCode(() => c.filter(bad), 'CSOPS_INVALID_ARGUMENT');
  for (const bad of [5, null, undefined, true, [1]]) throwsCode(() => new Condition(bad), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => Condition.fromJson(5), 'CSOPS_INVALID_ARGUMENT');
  const e = throwsCode(() => Condition('arr > 1'), 'CSOPS_INVALID_ARGUMENT');
  assert.match(e.message, /new Condition\(text\)/);
});

// ---------------------------------------------------------------------------------------------
// Tier rules.

const TOML = `default_tier = "digital"

[[rules]]
tier = "strategic"
when = 'arr >= 100000 and region in ["EMEA", "NA"]'

[[rules]]
tier = "scaled"
when = { field = "arr", op = ">=", value = 10000 }
`;

test('tier rules: defaults, JSON and TOML, first match wins', () => {
  const rules = TierRules.default();
  assert.deepEqual(rules.tiers, ['high_touch', 'mid_touch', 'tech_touch', 'digital']);
  assert.deepEqual(rules.toJson(), {
    schema_version: 1,
    rules: [
      { tier: 'high_touch', when: 'arr >= 100000' },
      { tier: 'mid_touch', when: 'arr >= 25000' },
      { tier: 'tech_touch', when: 'arr >= 5000' },
    ],
    default_tier: 'digital',
  });
  assert.deepEqual(rules.assign(columns), ['high_touch', 'mid_touch', 'digital', 'high_touch', 'tech_touch']);
  // Round trips.
  assert.deepEqual(TierRules.fromJson(rules.toJson()).toJson(), rules.toJson());
  assert.deepEqual(new TierRules(JSON.stringify(rules.toJson())).toJson(), rules.toJson());
  assert.deepEqual(TierRules.fromToml(rules.toToml()).toJson(), rules.toJson());
  // TOML with both forms of `when`; the first matching rule wins.
  const custom = TierRules.fromToml(TOML);
  assert.deepEqual(custom.tiers, ['strategic', 'scaled', 'digital']);
  assert.deepEqual(custom.toJson().rules[1], { tier: 'scaled', when: 'arr >= 10000' });
  assert.deepEqual(custom.assign(columns), ['strategic', 'scaled', 'digital', 'scaled', 'digital']);
  // `when` as a Condition or in the structured form; no schema_version (it defaults to 1).
  const same = TierRules.fromJson({
    rules: [
      { tier: 'strategic', when: new Condition('arr >= 100000 and region in ["EMEA", "NA"]') },
      { tier: 'scaled', when: { field: 'arr', op: '>=', value: 10000 } },
    ],
    default_tier: 'digital',
  });
  assert.deepEqual(same.toJson(), custom.toJson());
  // A tier named twice is listed once.
  assert.deepEqual(
    TierRules.fromJson({ rules: [{ tier: 'a', when: 'arr > 1' }, { tier: 'a', when: 'arr < 0' }], default_tier: 'a' }).tiers,
    ['a'],
  );
});

test('tier rules: bad data is CSOPS_CONFIG listing every problem', () => {
  throwsCode(() => TierRules.fromJson({ rules: [], default_tier: 'd', extra: 1 }), 'CSOPS_CONFIG');
  throwsCode(() => TierRules.fromJson({ rules: [{ tier: 'x' }], default_tier: 'd' }), 'CSOPS_CONFIG');
  throwsCode(() => TierRules.fromJson('{'), 'CSOPS_CONFIG');
  let e = throwsCode(() => TierRules.fromJson({ rules: [{ tier: 'x', when: 'arr >=' }], default_tier: 'd' }), 'CSOPS_CONFIG');
  assert.match(e.message, /line 1, column 7/);
  throwsCode(() => TierRules.fromToml('[[[['), 'CSOPS_CONFIG');
  throwsCode(() => TierRules.fromToml('default_tier = 1'), 'CSOPS_CONFIG');
  // Loading checks what needs no accounts, every problem at once.
  e = throwsCode(
    () => TierRules.fromJson({ schema_version: 2, rules: [{ tier: 'x', when: 'regoin == "EMEA"' }, { tier: '', when: 'arr > "big"' }], default_tier: 'd' }),
    'CSOPS_CONFIG',
  );
  assert.deepEqual(e.problems, ['schema_version 2 is not supported (1)', 'rule 2: the tier has no name']);
  // Fields are checked against the accounts the rules meet.
  const bad = TierRules.fromJson({
    rules: [
      { tier: 'x', when: 'regoin == "EMEA"' },
      { tier: 'y', when: 'arr > "big"' },
    ],
    default_tier: 'd',
  });
  e = throwsCode(() => bad.assign(columns), 'CSOPS_CONFIG');
  assert.deepEqual(e.problems, [
    'rule 1 (x): unknown field `regoin` (did you mean `region`?)',
    'rule 2 (y): `arr` is a number but is compared with "big"',
  ]);
  for (const v of [5, null, true, [1]]) throwsCode(() => TierRules.fromJson(v), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => TierRules.fromToml({}), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => TierRules({ rules: [], default_tier: 'd' }), 'CSOPS_INVALID_ARGUMENT');
});

// ---------------------------------------------------------------------------------------------
// The account table.

test('the account table: one row per account, the fields conditions may read', () => {
  const t = book.accountTable();
  const n = book.counts().accounts;
  assert.deepEqual(t.id, book.accountIds());
  for (const [field, column] of Object.entries(t)) assert.equal(column.length, n, field);
  for (const f of ['arr', 'seats', 'term_months', 'days_to_renewal', 'logins_per_user_week', 'feature_breadth']) {
    assert.ok(t[f] instanceof Float64Array, f);
  }
  for (const f of ['id', 'name', 'owner_csm', 'segment', 'tier', 'region', 'industry', 'plan', 'currency', 'start_date', 'renewal_date', 'attr.source']) {
    assert.ok(Array.isArray(t[f]), f);
    assert.ok(t[f].every((x) => x === null || typeof x === 'string'), f);
  }
  assert.ok(!('score' in t) && !('band' in t));
  // ARR on the day, in the reporting currency: the book's customers have some.
  assert.equal(t.arr.filter((x) => x > 0).length, 237);
  // Without features: the account fields only; with a scorecard: health.
  const bare = book.accountTable(AS_OF, { features: false });
  assert.deepEqual(Object.keys(bare).sort(), Object.keys(t).filter((k) => !(t[k] instanceof Float64Array) || ['arr', 'seats', 'term_months', 'days_to_renewal'].includes(k)).sort());
  assert.deepEqual(Array.from(bare.arr), Array.from(t.arr));
  const card = Scorecard.defaultHeuristic();
  const scored = book.accountTable(new Date(`${AS_OF}T12:00:00Z`), { scorecard: card });
  assert.ok(scored.score instanceof Float64Array && scored.coverage instanceof Float64Array);
  assert.ok(scored.band.every((b) => b === null || ['red', 'yellow', 'green'].includes(b)));
  const health = book.healthAsOf(card, AS_OF);
  scored.id.forEach((id, i) => {
    if (health[id] !== undefined) assert.equal(scored.band[i], health[id].band, id);
  });
  // Another feature configuration adds its columns.
  const snapshot = book.accountTable(AS_OF, { features: { snapshot_metrics: ['active_users'] } });
  assert.ok(snapshot['snapshot.active_users'] instanceof Float64Array);
  assert.deepEqual(Object.keys(book.accountTable(AS_OF, { features: '{"snapshot_metrics": ["active_users"]}' })), Object.keys(snapshot));
  // An earlier day: fewer customers, and renewal dates after it.
  const early = book.accountTable('2025-01-01', { features: false });
  assert.ok(early.arr.filter((x) => x > 0).length < 237);
  // The table is what conditions and rules read.
  const big = new Condition('arr >= 100000 and region == "EMEA"').filter(t);
  assert.equal(big.length, n);
  assert.ok(big.some(Boolean));
  assert.deepEqual(TierRules.default().assign(t).length, n);
});

test('account table options are checked', () => {
  let e = throwsCode(() => book.accountTable(AS_OF, { feature: false }), 'CSOPS_INVALID_ARGUMENT');
  assert.match(e.message, /unknown key `feature`/);
  throwsCode(() => book.accountTable('yesterday'), 'CSOPS_CONFIG');
  throwsCode(() => book.accountTable(AS_OF, { scorecard: {} }), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => book.accountTable(AS_OF, { features: 5 }), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => book.accountTable(AS_OF, { features: { nope: 1 } }), 'CSOPS_CONFIG');
  e = throwsCode(() => book.accountTable(AS_OF, { features: false, scorecard: Scorecard.defaultHeuristic() }), 'CSOPS_CONFIG');
  assert.match(e.message, /leave `features` on/);
});

// ---------------------------------------------------------------------------------------------
// The main job.

// Section 8 of the main job: the re-tuned scorecard's health on the latest day, the
// features of step 2 (with the `active_users` snapshot metric), the default rules and model,
// and the roster the owners imply.
const rc = backtest(book, Scorecard.defaultHeuristic()).recalibrate();
const MAIN = { scorecard: rc.scorecard, features: { snapshot_metrics: ['active_users'] } };
const main = book.segment(MAIN);

test('the main job: tiers, coverage and CSM load (section 8 of cs_week) are reproduced', () => {
  assert.deepEqual(
    main.coverage.tiers.map((t) => [t.tier, t.accounts, Math.round(t.arr), t.csms, t.needed, t.capacity]),
    [
      ['high_touch', 41, 13856819, 3, 3, { accounts_per_csm: 15 }],
      ['mid_touch', 36, 2202540, 2, 1, { accounts_per_csm: 50 }],
      ['tech_touch', 78, 857818, 1, 1, { accounts_per_csm: 200 }],
      ['digital', 82, 177727, 1, 0, 'pooled'],
    ],
  );
  assert.equal(main.coverage.unowned, 13);
  assert.deepEqual(main.coverage.unknownOwners, []);
  assert.deepEqual(
    main.coverage.csms.map((c) => [c.csm, c.tier, c.accounts, Math.round(c.arr), c.redAccounts, c.offTier, Math.round(100 * c.utilisation), c.status]),
    [
      ['elena.brooks', 'mid_touch', 20, 1096727, 6, 7, 40, 'under'],
      ['elena.johansson', 'high_touch', 12, 4870252, 2, 1, 80, 'ok'],
      ['emma.novak', 'high_touch', 8, 2948415, 3, 2, 53, 'under'],
      ['ingrid.mensah', 'tech_touch', 24, 1171622, 6, 13, 12, 'under'],
      ['liam.singh', 'mid_touch', 27, 1513259, 2, 17, 54, 'under'],
      ['pedro.schmidt', 'digital', 99, 460989, 22, 38, 0, 'under'],
      ['tom.brooks', 'high_touch', 13, 4874424, 2, 1, 87, 'ok'],
    ],
  );
  // The roster the owners imply: every owner, full-time, serving the tier of most of their
  // accounts.
  assert.deepEqual(
    main.roster.map((c) => [c.name, c.tier, c.fte]),
    main.coverage.csms.map((c) => [c.csm, c.tier, 1]),
  );
  // Every account has a tier; the tiers' customers add up to the book's.
  assert.deepEqual(main.tiers.map((t) => t.accountId), book.accountIds());
  const counts = {};
  const arr = book.accountTable(AS_OF, { features: false }).arr;
  main.tiers.forEach((t, i) => {
    if (arr[i] > 0) counts[t.tier] = (counts[t.tier] ?? 0) + 1;
  });
  assert.deepEqual(counts, Object.fromEntries(main.coverage.tiers.map((t) => [t.tier, t.accounts])));
});

test('the main job: assignment and what-if (section 8 of cs_week) are reproduced', () => {
  const { moves, unplaced, owners } = main.assignment;
  const placed = moves.filter((m) => m.to !== null);
  const released = moves.filter((m) => m.to === null && m.reason.includes('pooled'));
  assert.deepEqual([placed.length, released.length, unplaced], [92, 61, 0]);
  assert.deepEqual(
    placed.slice(0, 8).map((m) => [m.accountId, m.tier, m.from, m.to, m.reason]),
    [
      ['A-00005', 'high_touch', 'ingrid.mensah', 'emma.novak', 'the account is high_touch; ingrid.mensah serves tech_touch'],
      ['A-00295', 'high_touch', 'liam.singh', 'emma.novak', 'the account is high_touch; liam.singh serves mid_touch'],
      ['A-00180', 'high_touch', 'elena.brooks', 'emma.novak', 'the account is high_touch; elena.brooks serves mid_touch'],
      ['A-00049', 'high_touch', 'liam.singh', 'emma.novak', 'the account is high_touch; liam.singh serves mid_touch'],
      ['A-00212', 'high_touch', 'ingrid.mensah', 'emma.novak', 'the account is high_touch; ingrid.mensah serves tech_touch'],
      ['A-00226', 'high_touch', 'ingrid.mensah', 'emma.novak', 'the account is high_touch; ingrid.mensah serves tech_touch'],
      ['A-00259', 'high_touch', 'liam.singh', 'elena.johansson', 'the account is high_touch; liam.singh serves mid_touch'],
      ['A-00032', 'high_touch', 'ingrid.mensah', 'emma.novak', 'the account is high_touch; ingrid.mensah serves tech_touch'],
    ],
  );
  // `owners` is the book's owners with the moves applied.
  const t = book.accountTable(AS_OF, { features: false });
  const after = [...t.owner_csm];
  const row = Object.fromEntries(t.id.map((id, i) => [id, i]));
  for (const m of moves) {
    assert.equal(after[row[m.accountId]], m.from, m.accountId);
    after[row[m.accountId]] = m.to;
  }
  assert.deepEqual(owners, after);

  // What if high-touch started at 75,000 instead of 100,000?
  const rules = TierRules.default();
  const lower = rules.toJson();
  lower.rules[0].when = 'arr >= 75000';
  const w = book.whatIf(rules, lower, MAIN);
  assert.equal(w.changes.length, 10);
  assert.ok(w.changes.every((c) => c.before === 'mid_touch' && c.after === 'high_touch'));
  assert.deepEqual(
    w.tiers.map((x) => [x.tier, x.accountsBefore, x.accountsAfter, x.neededBefore, x.neededAfter]),
    [
      ['high_touch', 41, 51, 3, 4],
      ['mid_touch', 36, 26, 1, 1],
      ['tech_touch', 78, 78, 1, 1],
      ['digital', 82, 82, 0, 0],
    ],
  );
  // The same rules change nothing.
  assert.deepEqual(book.whatIf(rules, rules).changes, []);
});

test('segmentAsync gives the same segmentation; its errors reject', async () => {
  assert.deepEqual(await book.segmentAsync(MAIN), main);
  assert.deepEqual(await book.segmentAsync(), book.segment());
  await rejectsCode(book.segmentAsync({ rules: 5 }), 'CSOPS_INVALID_ARGUMENT');
  await rejectsCode(book.segmentAsync({ nope: 1 }), 'CSOPS_INVALID_ARGUMENT');
  await rejectsCode(book.segmentAsync({ rules: { rules: [{ tier: 'x', when: 'nope > 1' }], default_tier: 'd' } }), 'CSOPS_CONFIG');
  await rejectsCode(book.segmentAsync({ asOf: '2026-02-30' }), 'CSOPS_CONFIG');
});

test("the caller's own columns give the same answers as the book", () => {
  const t = book.accountTable(AS_OF, MAIN);
  const rules = TierRules.default();
  // The same figures; the text differs only where it says the book's day (and, with the
  // roster given, that it was not inferred from the owners).
  const figures = ({ summary, ...rest }) => rest;
  const s = segmentColumns(t, rules);
  assert.deepEqual(figures(s), figures(main));
  assert.equal(s.summary.replace('Segmentation:', `Segmentation as of ${AS_OF}:`), main.summary);
  assert.deepEqual(figures(segmentColumns(t)), figures(main)); // default rules
  const given = segmentColumns(t, rules.toJson(), { model: defaultCoverageModel(), roster: main.roster });
  assert.deepEqual({ ...figures(given), rosterInferred: true }, figures(main));
  assert.ok(!given.rosterInferred && main.rosterInferred);
  assert.ok(!given.summary.includes('(from the owners)') && main.summary.includes('(from the owners)'));
  const lower = rules.toJson();
  lower.rules[0].when = 'arr >= 75000';
  assert.deepEqual(whatIfColumns(t, rules, lower), book.whatIf(rules, lower, MAIN));
  // Assignment is stable: with the new owners, the same roster moves nothing.
  const again = segmentColumns({ ...t, owner_csm: main.assignment.owners }, rules, { roster: main.roster });
  assert.deepEqual(again.assignment.moves, []);
  assert.deepEqual(again.assignment.owners, main.assignment.owners);
  // Ids named `account_id` (as a scored frame has them) serve as `id`, as in Python.
  const { id, ...rest } = t;
  assert.deepEqual(figures(segmentColumns({ account_id: id, ...rest }, rules)), figures(s));
  assert.deepEqual(whatIfColumns({ account_id: id, ...rest }, rules, lower), whatIfColumns(t, rules, lower));
  // An owner column with no value at all reads as no owners, whatever its kind.
  const none = new Array(id.length).fill(null);
  assert.deepEqual(segmentColumns({ ...t, owner_csm: none }).coverage.unowned, segmentColumns({ ...t, owner_csm: { text: none } }).coverage.unowned);
});

test('rules, model and roster options take effect', () => {
  assert.deepEqual(defaultCoverageModel(), {
    tiers: {
      digital: 'pooled',
      high_touch: { accounts_per_csm: 15 },
      mid_touch: { accounts_per_csm: 50 },
      tech_touch: { accounts_per_csm: 200 },
    },
  });
  // Two tiers by region, one ARR target; a roster with a half-time CSM.
  const rules = {
    rules: [{ tier: 'emea', when: 'region == "EMEA"' }],
    default_tier: 'rest',
  };
  const model = { tiers: { emea: { arr_per_csm: 2000000 }, rest: 'pooled' } };
  const roster = [
    { name: 'ann', tier: 'emea', fte: 0.5 },
    { name: 'bob', tier: 'emea' },
  ];
  const s = book.segment({ rules, model, roster, features: false });
  assert.deepEqual(s.roster, [
    { name: 'ann', tier: 'emea', fte: 0.5 },
    { name: 'bob', tier: 'emea', fte: 1 },
  ]);
  const emea = s.coverage.tiers[0];
  assert.deepEqual([emea.tier, emea.capacity, emea.csms, emea.needed], ['emea', { arr_per_csm: 2000000 }, 1.5, Math.ceil(emea.arr / 2000000)]);
  // Nobody owns accounts under those names: every owner of a customer is unknown, and EMEA
  // customers are placed with ann or bob (as far as the ARR target leaves them room).
  const t = book.accountTable(AS_OF, { features: false });
  const owned = t.owner_csm.filter((o, i) => o !== null && t.arr[i] > 0).length;
  assert.equal(s.coverage.unknownOwners.reduce((a, o) => a + o.accounts, 0), owned);
  assert.deepEqual(s.coverage.csms.map((c) => [c.csm, c.accounts]), [['ann', 0], ['bob', 0]]);
  const to = new Set(s.assignment.moves.map((m) => m.to));
  assert.ok([...to].every((x) => x === null || x === 'ann' || x === 'bob'));
  const ann = s.assignment.moves.filter((m) => m.to === 'ann').length;
  assert.ok(ann > 0);
  // An earlier day: fewer customers.
  const early = book.segment({ asOf: '2025-06-30', features: false });
  assert.ok(early.coverage.tiers.reduce((a, t) => a + t.accounts, 0) < 237);
});

test('segmentation options are checked: CSOPS_INVALID_ARGUMENT for shapes, CSOPS_CONFIG for values', () => {
  const invalid = [
    [{ rule: 1 }, /unknown key `rule`/],
    [{ rules: 5 }, /`options.rules` must be TierRules/],
    [{ model: 5 }, /`options.model` must be a coverage model/],
    [{ roster: {} }, /`options.roster` must be an array/],
    [{ roster: [{ name: 'a', tier: 'high_touch', FTE: 1 }] }, /unknown key `FTE`/],
    [{ roster: [{ name: 'a' }] }, /needs `tier`/],
    [{ roster: [{ name: 1, tier: 'x' }] }, /`options.roster\[0\].name` must be a string/],
    [{ scorecard: 'x' }, /`scorecard` must be a Scorecard/],
  ];
  for (const [options, message] of invalid) {
    const e = throwsCode(() => book.segment(options), 'CSOPS_INVALID_ARGUMENT');
    assert.match(e.message, message);
  }
  const config = [
    [{ model: { tiers: { high_touch: 'pooled' } } }, ['tier `mid_touch` has no coverage target', 'tier `tech_touch` has no coverage target', 'tier `digital` has no coverage target']],
    [{ model: { tier: {} } }, /unknown field `tier`/],
    [{ model: { tiers: { high_touch: { accounts_per_csm: 'x' }, mid_touch: 'pooled', tech_touch: 'pooled', digital: 'pooled' } } }, /invalid type/],
    [{ model: { tiers: { high_touch: { accounts_per_csm: 0 }, mid_touch: 'pooled', tech_touch: 'pooled', digital: 'pooled' } } }, /the ratio must be positive/],
    [{ roster: [{ name: 'a', tier: 'high_touch', fte: -1 }, { name: 'a', tier: 'nope' }] }, ['CSM `a`: fte must be positive, not -1', 'CSM `a`: tier `nope` has no coverage target', 'CSM `a` is on the roster twice']],
    [{ rules: { rules: [{ tier: 'x', when: 'nope > 1' }], default_tier: 'd' } }, /rule 1 \(x\): unknown field `nope`/],
    [{ rules: '{' }, /tier rules/],
    [{ asOf: 'yesterday' }, /`options.asOf`/],
  ];
  for (const [options, expected] of config) {
    const e = throwsCode(() => book.segment(options), 'CSOPS_CONFIG');
    if (Array.isArray(expected)) assert.deepEqual(e.problems, expected);
    else assert.match(e.message, expected);
  }
  // The caller's columns need `id`, `arr` and `owner_csm`.
  let e = throwsCode(() => segmentColumns({ id: ['a'], arr: [1] }), 'CSOPS_CONFIG');
  assert.match(e.message, /no text column `owner_csm`/);
  e = throwsCode(() => segmentColumns({ arr: [1], owner_csm: ['x'] }), 'CSOPS_CONFIG');
  assert.match(e.message, /no text column `id`/);
  throwsCode(() => segmentColumns({ id: ['a'], arr: [1], owner_csm: ['x'] }, null, { rules: TierRules.default() }), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => whatIfColumns({ id: ['a'], arr: [1] }, TierRules.default(), 5), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => book.whatIf(TierRules.default(), TierRules.default(), { roster: [] }), 'CSOPS_INVALID_ARGUMENT');
});

// ---------------------------------------------------------------------------------------------
// Hostile input.

test('hostile condition text is CSOPS_CONFIG, never a crash', () => {
  const hostile = [
    '('.repeat(100_000) + 'x' + ')'.repeat(100_000), // too long
    '('.repeat(1_000) + 'x' + ')'.repeat(1_000), // too deep
    'not '.repeat(1_000) + 'x',
    `x in [${Array.from({ length: 12_000 }, () => '1').join(',')}]`, // too many values
    Array.from({ length: 12_000 }, () => 'x').join(' or '), // too many comparisons
    'x == "' + 'a'.repeat(70_000) + '"',
    '"unterminated',
    "'",
    'x == "\\q"',
    'x == "line\nbreak"',
    '\0',
    'x ==',
    ')',
    'and',
    'x in [1, 2',
    'x between 1',
    'x is',
    '1e999 > x',
    'x > 1e999',
    '\u{1F600} > 1',
    '\ud800',
  ];
  for (const text of hostile) {
    const e = throwsCode(() => new Condition(text), 'CSOPS_CONFIG');
    assert.ok(e.message.length < 10_000, `a ${e.message.length}-character message`);
  }
  // Random text: a condition or CSOPS_CONFIG, nothing else.
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const alphabet = ['x', 'arr', ' ', '(', ')', '[', ']', ',', '"', "'", '\\', '=', '!', '<', '>', '-', '.', '1', 'e', 'and', 'or', 'not', 'in', 'is', 'null', 'between', 'true', '\n', '\0', 'é'];
  let parsed = 0;
  for (let i = 0; i < 3_000; i++) {
    const length = 1 + Math.floor(random() * 30);
    const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    try {
      const c = new Condition(text);
      parsed++;
      // What parses, prints as text that parses to the same condition.
      assert.deepEqual(new Condition(String(c)).toJson(), c.toJson(), text);
    } catch (e) {
      assert.equal(e.code, 'CSOPS_CONFIG', `${JSON.stringify(text)}: ${e.code} ${e.message}`);
    }
  }
  assert.ok(parsed > 0);
  assert.equal(typeof version(), 'string'); // still alive
});

test('hostile structured conditions and rules are coded errors, never a crash', () => {
  // Deeper than the condition language allows, as an object and as JSON text.
  let deep = { field: 'x' };
  for (let i = 0; i < 100; i++) deep = { not: deep };
  let e = throwsCode(() => Condition.fromJson(deep), 'CSOPS_CONFIG');
  assert.match(e.message, /nested more than 64 deep/);
  throwsCode(() => Condition.fromJson(JSON.stringify(deep)), 'CSOPS_CONFIG');
  // Deeper than JSON can be written or read.
  let deeper = { field: 'x' };
  for (let i = 0; i < 200_000; i++) deeper = { not: deeper };
  throwsCode(() => Condition.fromJson(deeper), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => new Condition(deeper), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => Condition.fromJson('{"not":'.repeat(200_000)), 'CSOPS_CONFIG');
  throwsCode(() => Condition.fromJson('['.repeat(200_000)), 'CSOPS_CONFIG');
  throwsCode(() => TierRules.fromJson({ rules: [{ tier: 'x', when: deep }], default_tier: 'd' }), 'CSOPS_CONFIG');
  throwsCode(() => TierRules.fromJson(`{"rules": [{"tier": "x", "when": ${'{"not":'.repeat(200_000)}`), 'CSOPS_CONFIG');
  throwsCode(() => TierRules.fromJson({ rules: [{ tier: 'x', when: deeper }], default_tier: 'd' }), 'CSOPS_INVALID_ARGUMENT');
  // Too many values.
  throwsCode(() => Condition.fromJson({ field: 'x', in: Array.from({ length: 20_000 }, (_, i) => i) }), 'CSOPS_CONFIG');
  // Cycles.
  const cyclic = { not: null };
  cyclic.not = cyclic;
  e = throwsCode(() => Condition.fromJson(cyclic), 'CSOPS_INVALID_ARGUMENT');
  assert.match(e.message, /circular/);
  // A throwing getter propagates the caller's own error (as for every other argument).
  const boom = new Error('boom');
  assert.throws(
    () =>
      new Condition('x > 1').filter({
        get x() {
          throw boom;
        },
      }),
    (x) => x === boom,
  );
  // A proxy whose traps throw.
  throwsCode(() => new Condition('x > 1').filter(new Proxy({}, { ownKeys() { throw boom; } })), 'CSOPS_INVALID_ARGUMENT');
  // Garbage TOML.
  throwsCode(() => TierRules.fromToml('\0\u0001[[rules]]\nwhen = """'), 'CSOPS_CONFIG');
  assert.equal(typeof version(), 'string'); // still alive
});

test('a large table is evaluated column by column', () => {
  const n = 200_000;
  const arr = new Float64Array(n);
  const region = new Array(n);
  for (let i = 0; i < n; i++) {
    arr[i] = i % 7 === 0 ? NaN : i;
    region[i] = i % 3 === 0 ? null : i % 3 === 1 ? 'EMEA' : 'NA';
  }
  const hit = new Condition('arr >= 100000 and region != "NA"').filter({ arr, region });
  let expected = 0;
  for (let i = 0; i < n; i++) if (i % 7 !== 0 && i >= 100000 && i % 3 === 1) expected++;
  assert.equal(hit.filter(Boolean).length, expected);
});
