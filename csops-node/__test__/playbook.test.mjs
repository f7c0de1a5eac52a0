// Playbooks from Node: playbooks as data (TOML, JSON text, objects; written back), validation
// listing every problem, runs on a small book worked by hand (live and log-only, templates,
// assignees, due days), the engine's guarantees through the binding (an idempotent rerun, the
// history surviving JSON storage, closing a task), replay on the sample book equal to
// running day by day from JavaScript (section 9 of `cargo run --release --example cs_week`),
// effects, the plain-text log, keys that are not prototypes, sync = async, and hostile input:
// coded errors, never an abort (node --test runs this file in its own process, so an abort
// fails the file).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  Condition,
  Playbook,
  Scorecard,
  closeTask,
  loadBook,
  loadBookJson,
  playEffects,
  playEffectsAsync,
  renderFired,
  replayPlays,
  replayPlaysAsync,
  runPlays,
  runPlaysAsync,
  version,
} from 'csops';
import { rejectsCode, throwsCode, workspaceDir } from './helpers.mjs';

/** A day `n` days after `day` (`YYYY-MM-DD`). */
function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// A small book, worked by hand. On 2026-09-30, after a run on 2026-09-15 (events count from
// 09-16): A1's sponsor Jane Doe left on 09-20 (A2's on 09-01, before the window); A3 gave an NPS
// of 3 on 09-28 (A2's 9 is no detractor); A1 renews in 93 days, A2 in 62, A3 in 244.

const BOOK = {
  schema_version: 1,
  accounts: [
    { id: 'A1', name: 'Acme', currency: 'USD', arr: '80000.00', start_date: '2025-01-01', owner_csm: 'ann', renewal_date: '2027-01-01', term_months: 12 },
    { id: 'A2', name: 'Globex', currency: 'USD', arr: '20000.00', start_date: '2025-01-01', owner_csm: 'bob', renewal_date: '2026-12-01', term_months: 12 },
    { id: 'A3', name: 'Initech', currency: 'USD', arr: '60000.00', start_date: '2025-01-01', owner_csm: 'bob', renewal_date: '2027-06-01', term_months: 12 },
  ],
  contacts: [
    { id: 'C1', account_id: 'A1', name: 'Jane Doe', email: 'jane@acme.test' },
    { id: 'C2', account_id: 'A2', name: 'Sam Roe', email: 'sam@globex.test' },
  ],
  contact_roles: [
    { contact_id: 'C1', role: 'executive_sponsor', added: '2025-01-01', removed: '2026-09-20' },
    { contact_id: 'C2', role: 'executive_sponsor', added: '2025-01-01', removed: '2026-09-01' },
  ],
  surveys: [
    { id: 'S1', account_id: 'A3', date: '2026-09-28', kind: 'nps', score: 3 },
    { id: 'S2', account_id: 'A2', date: '2026-09-28', kind: 'nps', score: 9 },
  ],
};
const small = loadBookJson(JSON.stringify(BOOK), { mode: 'lenient' });

const TOML = `
[[plays]]
name = "sponsor-left"
owner = "cs-ops"
mode = "live"
cooldown_days = 30
trigger = { kind = "event", event = "sponsor_removed" }
actions = [
  { action = "task", assign = { to = "owner" }, title = "Re-engage {name}: sponsor left", body = "{reason}", due_in_days = 7, priority = "high" },
  { action = "tag", tag = "sponsor-risk" },
]

[[plays]]
name = "renewal-watch"
owner = "renewals"
filter = "arr >= 10000"
trigger = { kind = "renewal", within_days = 120 }
actions = [
  { action = "task", assign = { to = "role", role = "renewals_manager" }, title = "Renewal of {name} on {renewal_date}", due_in_days = 14 },
  { action = "route", to = "renewals-desk" },
]

[[plays]]
name = "detractor"
owner = "cs-ops"
trigger = { kind = "event", event = "nps_detractor" }
actions = [
  { action = "task", assign = { to = "queue", queue = "scaled-cs" }, title = "{name}: NPS detractor ({play}, {date})", due_in_days = 3, priority = "urgent" },
]
`;
const pb = Playbook.fromToml(TOML);
const DAY = '2026-09-30';
const AFTER_RUN = { last_run: '2026-09-15' };

// What fires on DAY, worked by hand: by play (playbook order), then account.
const EXPECTED = [
  {
    date: DAY,
    play: 'sponsor-left',
    accountId: 'A1',
    csm: 'ann',
    mode: 'live',
    reason: 'executive sponsor Jane Doe left the role on 2026-09-20',
    actions: [
      {
        action: 'task',
        assignee: 'ann',
        title: 'Re-engage Acme: sponsor left',
        body: 'executive sponsor Jane Doe left the role on 2026-09-20',
        due: '2026-10-07',
        priority: 'high',
      },
      { action: 'tag', tag: 'sponsor-risk' },
    ],
  },
  ...[
    ['A1', 'Acme', 'ann', 93, '2027-01-01'],
    ['A2', 'Globex', 'bob', 62, '2026-12-01'],
  ].map(([accountId, name, csm, days, renewal]) => ({
    date: DAY,
    play: 'renewal-watch',
    accountId,
    csm,
    mode: 'log_only',
    reason: `renews in ${days} days`,
    actions: [
      {
        action: 'task',
        assignee: 'role:renewals_manager',
        title: `Renewal of ${name} on ${renewal}`,
        body: '',
        due: '2026-10-14',
        priority: 'normal',
      },
      { action: 'route', to: 'renewals-desk' },
    ],
  })),
  {
    date: DAY,
    play: 'detractor',
    accountId: 'A3',
    csm: 'bob',
    mode: 'log_only',
    reason: 'NPS 3 on 2026-09-28',
    actions: [
      {
        action: 'task',
        assignee: 'queue:scaled-cs',
        title: 'Initech: NPS detractor (detractor, 2026-09-30)',
        body: '',
        due: '2026-10-03',
        priority: 'urgent',
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Playbooks as data.

test('a playbook reads from TOML, JSON text and objects, and writes its data back', () => {
  assert.deepEqual(pb.plays, ['sponsor-left', 'renewal-watch', 'detractor']);
  const data = pb.toJson();
  // Every key, defaults filled in: log-only, no cooldown, normal priority, empty body.
  assert.equal(data.schema_version, 1);
  assert.deepEqual(
    data.plays.map((p) => [p.name, p.owner, p.mode, p.cooldown_days, p.filter, p.description]),
    [
      ['sponsor-left', 'cs-ops', 'live', 30, null, ''],
      ['renewal-watch', 'renewals', 'log_only', 0, 'arr >= 10000', ''],
      ['detractor', 'cs-ops', 'log_only', 0, null, ''],
    ],
  );
  assert.deepEqual(data.plays[1].trigger, { kind: 'renewal', within_days: 120 });
  assert.deepEqual(data.plays[1].actions, [
    { action: 'task', assign: { to: 'role', role: 'renewals_manager' }, title: 'Renewal of {name} on {renewal_date}', body: '', due_in_days: 14, priority: 'normal' },
    { action: 'route', to: 'renewals-desk' },
  ]);
  // Round trips: the data, its JSON text, JSON.stringify of the playbook itself.
  assert.deepEqual(new Playbook(data).toJson(), data);
  assert.deepEqual(Playbook.fromJson(data).toJson(), data);
  assert.deepEqual(Playbook.fromJson(JSON.stringify(data)).toJson(), data);
  assert.deepEqual(JSON.parse(JSON.stringify(pb)), data);
  assert.deepEqual(pb.toJSON(), data);
  assert.ok(new Playbook(JSON.stringify(pb)) instanceof Playbook);
  // The TOML form (a playbook file) reads back as the same playbook, as in Python.
  assert.match(pb.toToml(), /\[\[plays\]\]/);
  assert.deepEqual(Playbook.fromToml(pb.toToml()).toJson(), data);
  // A playbook given as data where a Playbook is expected gives the same run.
  assert.deepEqual(runPlays(small, data, DAY, { history: AFTER_RUN }), runPlays(small, pb, DAY, { history: AFTER_RUN }));
  assert.deepEqual(runPlays(small, JSON.stringify(data), DAY, { history: AFTER_RUN }), runPlays(small, pb, DAY, { history: AFTER_RUN }));

  // A filter in any form of the condition language; absent optional keys take defaults.
  const play = (filter) => ({
    name: 'big',
    owner: 'me',
    filter,
    trigger: { kind: 'level', when: { field: 'arr', op: '>', value: 0 } },
    actions: [{ action: 'tag', tag: 'big' }],
  });
  for (const filter of ['arr >= 10000', new Condition('arr >= 10000'), { field: 'arr', op: '>=', value: 10000 }]) {
    const p = new Playbook({ plays: [play(filter)] }).toJson();
    assert.deepEqual(p, {
      schema_version: 1,
      plays: [
        {
          name: 'big',
          description: '',
          owner: 'me',
          trigger: { kind: 'level', when: 'arr > 0' },
          filter: 'arr >= 10000',
          actions: [{ action: 'tag', tag: 'big' }],
          mode: 'log_only',
          cooldown_days: 0,
        },
      ],
    });
  }

  // The acceptance story's play.
  const sponsor = Playbook.sponsorLeft();
  assert.deepEqual(sponsor.plays, ['sponsor-left']);
  const s = sponsor.toJson().plays[0];
  assert.deepEqual(
    [s.mode, s.cooldown_days, s.filter, s.trigger, s.actions.length, s.actions[0].assign, s.actions[0].due_in_days, s.actions[0].priority],
    ['log_only', 30, 'arr > 0', { kind: 'event', event: 'sponsor_removed' }, 1, { to: 'owner' }, 7, 'high'],
  );
  assert.ok(s.actions[0].title.includes('{name}'));
});

test('malformed playbooks are CSOPS_CONFIG; arguments of the wrong type CSOPS_INVALID_ARGUMENT', () => {
  const good = pb.toJson();
  const withPlay = (change) => ({ plays: [{ ...good.plays[0], ...change }] });
  const config = [
    [withPlay({ colour: 'red' }), /unknown field `colour`/],
    [{ plays: [{ name: 'x', trigger: good.plays[0].trigger, actions: [] }] }, /missing field `owner`/],
    [withPlay({ trigger: { kind: 'sometimes' } }), /sometimes/],
    [withPlay({ trigger: { kind: 'level', when: 'arr >=' } }), /line 1, column 7/],
    [withPlay({ mode: 'loud' }), /loud/],
    [withPlay({ cooldown_days: -1 }), /-1/],
    [withPlay({ actions: [{ action: 'task', assign: { to: 'boss' }, title: 'x', due_in_days: 1 }] }), /boss/],
    [{ plays: [], extra: 1 }, /unknown field `extra`/],
    ['{"plays": [', /playbook/],
    ['not json', /playbook/],
  ];
  for (const [data, message] of config) {
    const e = throwsCode(() => Playbook.fromJson(data), 'CSOPS_CONFIG');
    assert.match(e.message, message);
    assert.equal(e.problems.length, 1);
    throwsCode(() => new Playbook(data), 'CSOPS_CONFIG');
    throwsCode(() => runPlays(small, data, DAY), 'CSOPS_CONFIG');
  }
  throwsCode(() => Playbook.fromToml('[[plays]]\nname = 1'), 'CSOPS_CONFIG');
  throwsCode(() => Playbook.fromToml('[[[['), 'CSOPS_CONFIG');
  for (const bad of [5, null, undefined, true, [1]]) {
    throwsCode(() => new Playbook(bad), 'CSOPS_INVALID_ARGUMENT');
    throwsCode(() => Playbook.fromJson(bad), 'CSOPS_INVALID_ARGUMENT');
  }
  throwsCode(() => Playbook.fromToml({ plays: [] }), 'CSOPS_INVALID_ARGUMENT');
  const e = throwsCode(() => Playbook(good), 'CSOPS_INVALID_ARGUMENT');
  assert.match(e.message, /new Playbook\(config\)/);
});

test('loading lists every problem that needs no book, from TOML, JSON and objects alike', () => {
  const text = `
[[plays]]
name = "a"
owner = "x"
trigger = { kind = "change", field = "logins_per_user_week", window_days = 0 }
actions = [{ action = "task", assign = { to = "owner" }, title = "Hi {nmae", due_in_days = 1, priority = "asap" }]

[[plays]]
name = "a"
owner = ""
trigger = { kind = "level", when = "regoin == 'EMEA'" }
actions = []
`;
  const e = throwsCode(() => Playbook.fromToml(text), 'CSOPS_CONFIG');
  const expected = ['window', 'needs `drop` or `rise`', 'priority `asap`', '`{` without `}`', 'used twice', 'no owner', 'no actions'];
  for (const want of expected) assert.ok(e.problems.some((p) => p.includes(want)), `${want} not in ${JSON.stringify(e.problems)}`);
  assert.equal(e.problems.length, expected.length, JSON.stringify(e.problems));
  assert.ok(e.problems.every((p) => p.startsWith('play `a`')), JSON.stringify(e.problems));
  const plays = [
    { name: 'a', owner: 'x', trigger: { kind: 'change', field: 'logins_per_user_week', window_days: 0 }, actions: [{ action: 'task', assign: { to: 'owner' }, title: 'Hi {nmae', due_in_days: 1, priority: 'asap' }] },
    { name: 'a', owner: '', trigger: { kind: 'level', when: "regoin == 'EMEA'" }, actions: [] },
  ];
  assert.deepEqual(throwsCode(() => new Playbook({ plays }), 'CSOPS_CONFIG').problems, e.problems);
  assert.deepEqual(throwsCode(() => Playbook.fromJson(JSON.stringify({ plays })), 'CSOPS_CONFIG').problems, e.problems);
});

test('validate lists every unknown field against the book, and a run checks the same first', () => {
  assert.equal(pb.validate(small), undefined);
  assert.equal(pb.validate(small, { asOf: '2026-01-01', features: { usage_window_days: 14 } }), undefined);
  const bad = Playbook.fromToml(`
[[plays]]
name = "a"
owner = "x"
trigger = { kind = "change", field = "name", window_days = 7, drop = 0.5 }
actions = [{ action = "task", assign = { to = "owner" }, title = "Hi {nmae}", body = "{segment} {attr.nope}", due_in_days = 1 }]

[[plays]]
name = "a2"
owner = "x"
trigger = { kind = "level", when = "regoin == 'EMEA'" }
actions = [{ action = "tag", tag = "t" }]
`);
  const e = throwsCode(() => bad.validate(small), 'CSOPS_CONFIG');
  const expected = ['`{nmae}`', '`{attr.nope}`', 'regoin', 'not `name`'];
  for (const want of expected) assert.ok(e.problems.some((p) => p.includes(want)), `${want} not in ${JSON.stringify(e.problems)}`);
  assert.equal(e.problems.length, expected.length, JSON.stringify(e.problems));
  // A run checks the same, first; sync and async.
  assert.deepEqual(throwsCode(() => runPlays(small, bad, DAY), 'CSOPS_CONFIG').problems, e.problems);
  return rejectsCode(runPlaysAsync(small, bad, DAY), 'CSOPS_CONFIG').then((a) => assert.deepEqual(a.problems, e.problems));
});

test('score and band exist only with a scorecard', async () => {
  const banded = new Playbook({
    plays: [{ name: 'red', owner: 'o', trigger: { kind: 'crossing', when: 'band == "red"' }, actions: [{ action: 'tag', tag: 'red' }] }],
  });
  const e = throwsCode(() => banded.validate(small), 'CSOPS_CONFIG');
  assert.match(e.message, /unknown field `band`/);
  throwsCode(() => runPlays(small, banded, DAY), 'CSOPS_CONFIG');
  const card = Scorecard.defaultHeuristic();
  assert.equal(banded.validate(small, { scorecard: card }), undefined);
  // A crossing play's first run only notes which accounts hold: nothing fires.
  const first = runPlays(small, banded, DAY, { scorecard: card });
  assert.deepEqual(first.fired, []);
  assert.deepEqual(Object.keys(first.history.holding), ['red']);
  assert.equal(first.history.holding.red.length, 1); // one crossing condition
  assert.deepEqual(await runPlaysAsync(small, banded, DAY, { scorecard: card }), first);
});

// ---------------------------------------------------------------------------------------------
// Running.

test('runPlays: what fires on a day, with templates, assignees and due days, live and log-only', () => {
  const r = runPlays(small, pb, DAY, { history: AFTER_RUN });
  assert.equal(r.date, DAY);
  assert.deepEqual(r.fired, EXPECTED);
  assert.deepEqual(r.history, {
    last_run: DAY,
    last_fired: {
      detractor: { A3: DAY },
      'renewal-watch': { A1: DAY, A2: DAY },
      'sponsor-left': { A1: DAY },
    },
    open_tasks: [
      ['detractor', 'A3'],
      ['renewal-watch', 'A1'],
      ['renewal-watch', 'A2'],
      ['sponsor-left', 'A1'],
    ],
    holding: {},
  });
  // A Date is its UTC day.
  assert.deepEqual(runPlays(small, pb, new Date(`${DAY}T23:59:59Z`), { history: AFTER_RUN }), r);
  // On a first run, events count from the day itself: nobody left on 09-30.
  assert.deepEqual(
    runPlays(small, pb, DAY).fired.map((f) => [f.play, f.accountId]),
    [['renewal-watch', 'A1'], ['renewal-watch', 'A2']],
  );

  // Log-only and live make the same decisions and keep the same history; only the mode
  // differs.
  const withMode = (mode) => new Playbook({ plays: pb.toJson().plays.map((p) => ({ ...p, mode })) });
  const live = runPlays(small, withMode('live'), DAY, { history: AFTER_RUN });
  const quiet = runPlays(small, withMode('log_only'), DAY, { history: AFTER_RUN });
  assert.ok(live.fired.every((f) => f.mode === 'live'));
  assert.ok(quiet.fired.every((f) => f.mode === 'log_only'));
  const decision = ({ mode, ...rest }) => rest;
  assert.deepEqual(live.fired.map(decision), EXPECTED.map(decision));
  assert.deepEqual(quiet.fired.map(decision), EXPECTED.map(decision));
  assert.deepEqual(live.history, r.history);
  assert.deepEqual(quiet.history, r.history);
});

test('a rerun with the returned history fires nothing; the history survives JSON; closeTask', () => {
  const first = runPlays(small, pb, DAY, { history: AFTER_RUN });
  const saved = structuredClone(first.history);
  const again = runPlays(small, pb, DAY, { history: first.history });
  assert.deepEqual(again.fired, []);
  assert.deepEqual(again.history, first.history);

  // Stored as JSON (as a backend would), read back as an object or as the text itself.
  const stored = JSON.stringify(first.history);
  const next = addDays(DAY, 1);
  const fromObject = runPlays(small, pb, next, { history: first.history });
  assert.deepEqual(runPlays(small, pb, next, { history: JSON.parse(stored) }), fromObject);
  assert.deepEqual(runPlays(small, pb, next, { history: stored }), fromObject);
  // The renewal tasks are open, the events are past: nothing fires the next day either.
  assert.deepEqual(fromObject.fired, []);
  assert.equal(fromObject.history.last_run, next);

  // Closing A2's renewal task lets renewal-watch (no cooldown) fire for A2 again, and only
  // for A2; the history given is not changed.
  const closed = closeTask(first.history, 'renewal-watch', 'A2');
  assert.deepEqual(first.history, saved);
  assert.deepEqual(closed, { ...saved, open_tasks: saved.open_tasks.filter(([p, a]) => !(p === 'renewal-watch' && a === 'A2')) });
  const reopened = runPlays(small, pb, next, { history: closed });
  assert.deepEqual(reopened.fired, [
    {
      ...EXPECTED[2],
      date: next,
      reason: 'renews in 61 days',
      actions: [{ ...EXPECTED[2].actions[0], due: '2026-10-15' }, EXPECTED[2].actions[1]],
    },
  ]);
  assert.deepEqual(reopened.history.open_tasks, saved.open_tasks);
  assert.equal(reopened.history.last_fired['renewal-watch'].A2, next);
  // As JSON text too.
  assert.deepEqual(closeTask(stored, 'renewal-watch', 'A2'), closed);
  // Closing a task that is not open changes nothing; a partial history comes back whole.
  assert.deepEqual(closeTask(first.history, 'renewal-watch', 'A3'), saved);
  assert.deepEqual(closeTask({}, 'p', 'A1'), { last_run: null, last_fired: {}, open_tasks: [], holding: {} });

  // Cooldowns hold after a task is closed: sponsor-left (30 days) does not fire again for A1
  // even when another sponsor leaves within them.
  const book2 = loadBookJson(
    JSON.stringify({
      ...BOOK,
      contacts: [...BOOK.contacts, { id: 'C3', account_id: 'A1', name: 'Max Poe', email: 'max@acme.test' }],
      contact_roles: [...BOOK.contact_roles, { contact_id: 'C3', role: 'executive_sponsor', added: '2025-01-01', removed: '2026-10-05' }],
    }),
  );
  const h = closeTask(first.history, 'sponsor-left', 'A1');
  assert.deepEqual(runPlays(book2, pb, '2026-10-06', { history: h }).fired.filter((f) => f.play === 'sponsor-left'), []);
  const late = runPlays(book2, pb, '2026-10-06', { history: { ...h, last_fired: { 'sponsor-left': { A1: '2026-09-05' } } } });
  assert.deepEqual(late.fired.filter((f) => f.play === 'sponsor-left').map((f) => [f.accountId, f.reason]), [
    ['A1', 'executive sponsor Max Poe left the role on 2026-10-05'],
  ]);

  // Runs go forwards.
  const e = throwsCode(() => runPlays(small, pb, '2026-09-29', { history: first.history }), 'CSOPS_CONFIG');
  assert.match(e.message, /runs go forwards/);
});

test('a run for some accounts (options.accounts) fires for them only and leaves the rest of the history as given', async () => {
  const full = runPlays(small, pb, DAY, { history: AFTER_RUN });
  const scoped = runPlays(small, pb, DAY, { history: AFTER_RUN, accounts: ['A1'] });
  // What the full run fires for A1, and nothing else.
  assert.ok(scoped.fired.length > 0);
  assert.deepEqual(scoped.fired, full.fired.filter((f) => f.accountId === 'A1'));
  // The last run stays where it was (the next full run still sees the day's other events);
  // only A1's entries are new.
  assert.equal(scoped.history.last_run, AFTER_RUN.last_run);
  for (const [play, days] of Object.entries(scoped.history.last_fired)) assert.deepEqual(Object.keys(days), ['A1'], play);
  assert.deepEqual(scoped.history.open_tasks, full.history.open_tasks.filter(([, account]) => account === 'A1'));
  // Again with its own history: nothing new (once a day, open tasks).
  assert.deepEqual(runPlays(small, pb, DAY, { history: scoped.history, accounts: ['A1'] }).fired, []);
  // Another account's run leaves A1's entries as they were.
  const other = runPlays(small, pb, DAY, { history: scoped.history, accounts: ['A3'] });
  assert.deepEqual(other.fired, full.fired.filter((f) => f.accountId === 'A3'));
  for (const play of Object.keys(scoped.history.last_fired)) {
    assert.equal(other.history.last_fired[play].A1, scoped.history.last_fired[play].A1, play);
  }
  assert.ok(scoped.history.open_tasks.every((t) => other.history.open_tasks.some((u) => u[0] === t[0] && u[1] === t[1])));
  // The full run of the day after them fires the rest, and ends where a full run alone does.
  const after = runPlays(small, pb, DAY, { history: other.history });
  assert.deepEqual(after.fired, full.fired.filter((f) => f.accountId === 'A2'));
  assert.deepEqual(after.history, full.history);
  // Async; no accounts; an account not in the book.
  assert.deepEqual(await runPlaysAsync(small, pb, DAY, { history: AFTER_RUN, accounts: ['A1'] }), scoped);
  assert.deepEqual(runPlays(small, pb, DAY, { history: AFTER_RUN, accounts: [] }).fired, []);
  const e = throwsCode(() => runPlays(small, pb, DAY, { history: AFTER_RUN, accounts: ['A1', 'nope'] }), 'CSOPS_CONFIG');
  assert.deepEqual(e.problems, ['account `nope` is not in the account table']);
  await rejectsCode(runPlaysAsync(small, pb, DAY, { accounts: ['nope'] }), 'CSOPS_CONFIG');
});

test('keys are plain keys: an account, a CSM and a play called __proto__', () => {
  const book = loadBookJson(
    JSON.stringify({
      ...BOOK,
      accounts: BOOK.accounts.map((a) => (a.id === 'A1' ? { ...a, id: '__proto__', owner_csm: '__proto__' } : a)),
      contacts: BOOK.contacts.map((c) => (c.account_id === 'A1' ? { ...c, account_id: '__proto__' } : c)),
    }),
  );
  const data = pb.toJson();
  data.plays[0].name = '__proto__';
  const r = runPlays(book, data, DAY, { history: AFTER_RUN });
  assert.deepEqual(
    r.fired.map((f) => [f.play, f.accountId, f.csm]),
    [['__proto__', '__proto__', '__proto__'], ['renewal-watch', '__proto__', '__proto__'], ['renewal-watch', 'A2', 'bob'], ['detractor', 'A3', 'bob']],
  );
  const lastFired = r.history.last_fired;
  assert.equal(Object.getPrototypeOf(lastFired), Object.prototype);
  assert.ok(Object.hasOwn(lastFired, '__proto__'));
  assert.equal(Object.getPrototypeOf(lastFired['__proto__']), Object.prototype);
  assert.deepEqual(Object.keys(lastFired['__proto__']), ['__proto__']);
  assert.equal(lastFired['__proto__']['__proto__'], DAY);
  assert.deepEqual(Object.keys(lastFired['renewal-watch']), ['A2', '__proto__']);
  // Through JSON and back, the keys are still there: the rerun fires nothing.
  assert.deepEqual(runPlays(book, data, DAY, { history: JSON.parse(JSON.stringify(r.history)) }).fired, []);
  assert.deepEqual(closeTask(r.history, '__proto__', '__proto__').open_tasks, r.history.open_tasks.filter(([p]) => p !== '__proto__'));
  // Counts per CSM and per play.
  const rep = replayPlays(book, data, '2026-09-16', DAY);
  assert.equal(Object.getPrototypeOf(rep.perCsm), Object.prototype);
  assert.equal(Object.getPrototypeOf(rep.perPlay), Object.prototype);
  assert.ok(Object.hasOwn(rep.perCsm, '__proto__') && Object.hasOwn(rep.perPlay, '__proto__'));
  assert.equal(rep.perPlay['__proto__'], 1);
});

// ---------------------------------------------------------------------------------------------
// The sample book: replay, effects, the log.

const book = loadBook(join(workspaceDir, 'data', 'sample-book'), { mode: 'lenient' });
const LATEST = book.latestDate();
const bookJson = JSON.parse(book.toJson());
const sponsor = Playbook.sponsorLeft();

test('replay (section 9 of cs_week) equals running day by day from JavaScript', async () => {
  const from = addDays(LATEST, -27);
  const start = { last_run: addDays(from, -1) };
  const r = replayPlays(book, sponsor, from, LATEST, { history: start });
  assert.deepEqual([r.from, r.to], [from, LATEST]);
  assert.ok(r.fired.length > 0, 'the sample book has sponsors leaving in its last four weeks');

  // Day by day as a backend would: the history stored as JSON between runs, tasks closed on
  // their due day.
  let stored = JSON.stringify(start);
  const fired = [];
  const due = new Map();
  for (let day = from; day <= LATEST; day = addDays(day, 1)) {
    let history = JSON.parse(stored);
    for (const [p, a] of due.get(day) ?? []) history = closeTask(history, p, a);
    const out = runPlays(book, sponsor, day, { history });
    for (const f of out.fired) {
      for (const a of f.actions) if (a.action === 'task') due.set(a.due, [...(due.get(a.due) ?? []), [f.play, f.accountId]]);
    }
    fired.push(...out.fired);
    stored = JSON.stringify(out.history);
  }
  assert.deepEqual(r.fired, fired);
  assert.deepEqual(r.history, JSON.parse(stored));

  // Counts per play and per assignee add up.
  assert.deepEqual(r.perPlay, { 'sponsor-left': r.fired.length });
  const perCsm = {};
  for (const f of r.fired) for (const a of f.actions) if (a.action === 'task') perCsm[a.assignee] = (perCsm[a.assignee] ?? 0) + 1;
  assert.deepEqual(r.perCsm, perCsm);

  // Every firing is a sponsor who left that day (per the book's own records), log-only.
  const accountOf = Object.fromEntries(bookJson.contacts.map((c) => [c.id, c.account_id]));
  const left = new Set(
    bookJson.contact_roles
      .filter((x) => x.role === 'executive_sponsor' && x.removed && x.removed >= from && x.removed <= LATEST)
      .map((x) => `${x.removed} ${accountOf[x.contact_id]}`),
  );
  for (const f of r.fired) {
    assert.ok(left.has(`${f.date} ${f.accountId}`), `${f.date} ${f.accountId} had no sponsor leave`);
    assert.equal(f.mode, 'log_only');
    assert.match(f.reason, new RegExp(`left the role on ${f.date}$`));
    assert.equal(f.actions[0].due, addDays(f.date, 7));
  }

  // Replay treats every play as log-only, and equals its async variant.
  const live = new Playbook({ plays: [{ ...sponsor.toJson().plays[0], mode: 'live' }] });
  const liveReplay = replayPlays(book, live, from, LATEST, { history: start });
  assert.deepEqual(liveReplay, r);
  assert.deepEqual(await replayPlaysAsync(book, live, from, LATEST, { history: JSON.stringify(start) }), r);
  // … while a run honours the mode.
  assert.ok(runPlays(book, live, r.fired[0].date, { history: { last_run: addDays(r.fired[0].date, -1) } }).fired.every((f) => f.mode === 'live'));
});

test('playEffects: renewals after firing, against the book', async () => {
  const from = addDays(LATEST, -540);
  const long = replayPlays(book, sponsor, from, LATEST, { history: { last_run: addDays(from, -1) } });
  const effects = playEffects(book, sponsor, long.fired);
  assert.equal(effects.length, 1);
  const e = effects[0];
  assert.equal(e.play, 'sponsor-left');

  // The accounts it fired on, counted from the book's renewal outcomes: each account's first
  // renewal within 365 days after its first firing.
  const expected = (horizon) => {
    const firstFired = new Map();
    for (const f of long.fired) if (!firstFired.has(f.accountId)) firstFired.set(f.accountId, f.date);
    let renewals = 0;
    let renewed = 0;
    for (const [account, day] of firstFired) {
      const end = addDays(day, horizon);
      const first = bookJson.renewal_outcomes
        .filter((o) => o.account_id === account && o.renewal_date > day && o.renewal_date <= end)
        .sort((a, b) => (a.renewal_date < b.renewal_date ? -1 : 1))[0];
      if (first) {
        renewals++;
        if (first.outcome !== 'churned') renewed++;
      }
    }
    return [renewals, renewed];
  };
  assert.deepEqual([e.firedRenewals, e.firedRenewed], expected(365));
  assert.ok(e.firedRenewals > 0 && e.otherRenewals > 0);
  assert.ok(e.otherRenewed <= e.otherRenewals);
  for (const [ci, k, n] of [[e.firedCi95, e.firedRenewed, e.firedRenewals], [e.otherCi95, e.otherRenewed, e.otherRenewals]]) {
    assert.ok(ci.lo <= k / n && k / n <= ci.hi && ci.lo >= 0 && ci.hi <= 1, JSON.stringify(ci));
  }
  assert.ok(e.fisher.pValue >= 0 && e.fisher.pValue <= 1);
  // The renewal rates, as the core computes them.
  assert.equal(e.firedRate, e.firedRenewed / e.firedRenewals);
  assert.equal(e.otherRate, e.otherRenewed / e.otherRenewals);
  assert.ok(e.verdict.includes(`(${e.firedRenewed}/${e.firedRenewals})`), e.verdict);
  assert.ok(e.verdict.includes(`(${e.otherRenewed}/${e.otherRenewals})`), e.verdict);

  // Another horizon; fired plays given back as JSON; async; a play that never fired is left
  // out; nothing fired, no effects.
  const short = playEffects(book, sponsor, long.fired, { horizonDays: 90 })[0];
  assert.deepEqual([short.firedRenewals, short.firedRenewed], expected(90));
  assert.ok(short.firedRenewals < e.firedRenewals);
  assert.deepEqual(playEffects(book, sponsor, JSON.parse(JSON.stringify(long.fired))), effects);
  assert.deepEqual(await playEffectsAsync(book, sponsor, long.fired, { horizonDays: 365 }), effects);
  const two = new Playbook({ plays: [...sponsor.toJson().plays, { ...pb.toJson().plays[2] }] });
  assert.deepEqual(playEffects(book, two, long.fired), effects);
  assert.deepEqual(playEffects(book, sponsor, []), []);
  // Without renewals in the horizon, no rates (null, not NaN), no intervals, no test.
  const none = playEffects(small, pb, runPlays(small, pb, DAY, { history: AFTER_RUN }).fired);
  assert.ok(none.length > 0);
  for (const x of none) {
    assert.deepEqual(
      [x.firedRenewals, x.firedRate, x.firedCi95, x.otherRenewals, x.otherRate, x.otherCi95, x.fisher],
      [0, null, null, 0, null, null, null],
    );
  }
});

test('renderFired: one line per firing', () => {
  const r = runPlays(small, pb, DAY, { history: AFTER_RUN });
  const lines = renderFired(r.fired).split('\n');
  assert.equal(lines.pop(), '');
  assert.deepEqual(lines, [
    '2026-09-30 sponsor-left   A1        fired [executive sponsor Jane Doe left the role on 2026-09-20] -> ann: "Re-engage Acme: sponsor left" due 2026-10-07',
    '2026-09-30 renewal-watch  A1        would fire [renews in 93 days] -> role:renewals_manager: "Renewal of Acme on 2027-01-01" due 2026-10-14',
    '2026-09-30 renewal-watch  A2        would fire [renews in 62 days] -> role:renewals_manager: "Renewal of Globex on 2026-12-01" due 2026-10-14',
    '2026-09-30 detractor      A3        would fire [NPS 3 on 2026-09-28] -> queue:scaled-cs: "Initech: NPS detractor (detractor, 2026-09-30)" due 2026-10-03',
  ]);
  assert.equal(renderFired(JSON.parse(JSON.stringify(r.fired))), renderFired(r.fired));
  // Without a task, no arrow.
  assert.equal(renderFired([{ ...r.fired[0], actions: [{ action: 'tag', tag: 'x' }] }]), `${lines[0].split(' -> ')[0]}\n`);
  assert.equal(renderFired([]), '');
  // A run's and a replay's summary: the core's text (Python's repr), headline then lines.
  assert.equal(r.summary, `PlayRun ${DAY}: 4 fired (1 live, 3 would have fired)\n${lines.join('\n')}`);
  const re = replayPlays(small, pb, DAY, DAY);
  assert.equal(re.summary.split('\n')[0], `PlayReplay ${DAY} to ${DAY} (log-only): ${re.fired.length} would have fired`);
});

// ---------------------------------------------------------------------------------------------
// Hostile input.

test('options and arguments are checked: CSOPS_INVALID_ARGUMENT naming them, sync and async', async () => {
  const cases = [
    [() => runPlays(5, pb, DAY), /`book` must be a Book/],
    [() => runPlays(small, 5, DAY), /`playbook` must be a Playbook/],
    [() => runPlays(small, [pb], DAY), /`playbook` must be a Playbook/],
    [() => runPlays(small, pb), /`day`/],
    [() => runPlays(small, pb, DAY, 5), /`options`/],
    [() => runPlays(small, pb, DAY, { histroy: {} }), /unknown key `histroy`/],
    [() => runPlays(small, pb, DAY, { scorecard: {} }), /`scorecard` must be a Scorecard/],
    [() => runPlays(small, pb, DAY, { history: 5 }), /`options.history` must be a fire history/],
    [() => runPlays(small, pb, DAY, { history: [] }), /`options.history` must be a fire history/],
    [() => runPlays(small, pb, DAY, { accounts: 'A1' }), /`options.accounts` must be an array of strings/],
    [() => runPlays(small, pb, DAY, { accounts: ['A1', 5] }), /`options.accounts\[1\]` must be a string/],
    [() => replayPlays(small, pb, DAY, DAY, { accounts: ['A1'] }), /unknown key `accounts`/],
    [() => replayPlays(small, pb, null, DAY), /`from`/],
    [() => playEffects(small, pb, {}), /^fired: invalid type: map, expected a sequence/],
    [() => playEffects(small, pb, [{}]), /^fired\[0\]: missing field `date`/],
    [() => playEffects(small, pb, [{ ...EXPECTED[0], mode: 'sometimes' }]), /^fired\[0\].mode: unknown variant `sometimes`, expected `live` or `log_only`/],
    // Paths name fields as the core spells them (docs/node.md).
    [() => playEffects(small, pb, [{ ...EXPECTED[0], accountId: 5 }]), /^fired\[0\].account_id: invalid type: integer `5`, expected a string/],
    [() => playEffects(small, pb, [{ ...EXPECTED[0], actions: [{ action: 'call' }] }]), /^fired\[0\].actions\[0\].action: unknown variant `call`, expected one of `task`, `tag`, `route`/],
    [() => playEffects(small, pb, [{ ...EXPECTED[0], actions: [{ action: 'task', assignee: 'x' }] }]), /^fired\[0\].actions\[0\]: missing field `title`/],
    [() => playEffects(small, pb, EXPECTED, { horizon: 30 }), /unknown key `horizon`/],
    [() => playEffects(small, pb, EXPECTED, { horizonDays: '30' }), /`options.horizonDays` must be a number/],
    [() => renderFired([{ ...EXPECTED[0], date: 'today' }]), /^fired\[0\].date: invalid value: `today` is not a date/],
    [() => renderFired(EXPECTED[0]), /^fired: invalid type: map, expected a sequence/],
    [() => closeTask(5, 'p', 'A1'), /`history`/],
    [() => closeTask({}, 5, 'A1'), /`play` must be a string/],
    [() => closeTask({}, 'p', null), /`accountId` must be a string/],
    [() => pb.validate({}), /`book` must be a Book/],
    [() => pb.validate(small, { asof: DAY }), /unknown key `asof`/],
  ];
  for (const [f, message] of cases) {
    const e = throwsCode(f, 'CSOPS_INVALID_ARGUMENT');
    assert.match(e.message, message);
  }
  // Values out of range, and text that is not a day, are configuration errors.
  for (const [f, message] of [
    [() => runPlays(small, pb, 'yesterday'), /`day`/],
    [() => replayPlays(small, pb, DAY, 'tomorrow'), /`to`/],
    [() => pb.validate(small, { asOf: '2026-02-30' }), /`options.asOf`/],
  ]) {
    assert.match(throwsCode(f, 'CSOPS_CONFIG').message, message);
  }
  throwsCode(() => playEffects(small, pb, EXPECTED, { horizonDays: -1 }), 'CSOPS_CONFIG');
  throwsCode(() => runPlays(small, pb, DAY, { features: { nope: 1 } }), 'CSOPS_CONFIG');
  // Async variants reject instead of throwing.
  await rejectsCode(runPlaysAsync(small, 5, DAY), 'CSOPS_INVALID_ARGUMENT');
  // A history is read by the core, which names the key at fault: a CSOPS_CONFIG error.
  for (const [history, key] of [
    [{ last_run: 'yesterday' }, 'last_run'],
    [{ last_fired: { p: { A1: 5 } } }, 'last_fired'],
    [{ open_tasks: [['p']] }, 'open_tasks'],
    [{ holding: { p: ['A1'] } }, 'holding'],
  ]) {
    const e = throwsCode(() => runPlays(small, pb, DAY, { history }), 'CSOPS_CONFIG');
    assert.match(e.message, new RegExp(`fire history: \`${key}\``));
  }
  assert.match(throwsCode(() => runPlays(small, pb, DAY, { history: { lastRun: '2026-09-15' } }), 'CSOPS_CONFIG').message, /fire history: `lastRun`: unknown field `lastRun`/);
  assert.match(throwsCode(() => runPlays(small, pb, DAY, { history: '{"last_run": "2026-09-15", "last_fird": {}}' }), 'CSOPS_CONFIG').message, /fire history: `last_fird`: unknown field/);
  assert.match(throwsCode(() => runPlays(small, pb, DAY, { history: '{"last_run": ' }), 'CSOPS_CONFIG').message, /fire history: not JSON/);
  assert.match(throwsCode(() => runPlays(small, pb, DAY, { history: '[]' }), 'CSOPS_CONFIG').message, /fire history: expected an object/);
  await rejectsCode(runPlaysAsync(small, pb, DAY, { history: { lastRun: DAY } }), 'CSOPS_CONFIG');
  await rejectsCode(replayPlaysAsync(small, pb, 'then', DAY), 'CSOPS_CONFIG');
  await rejectsCode(playEffectsAsync(small, pb, [{}]), 'CSOPS_INVALID_ARGUMENT');
  await rejectsCode(runPlaysAsync(small, pb, DAY, { history: { last_run: '2026-10-01' } }), 'CSOPS_CONFIG');
  await rejectsCode(replayPlaysAsync(small, pb, DAY, '2026-09-01'), 'CSOPS_CONFIG');
  // A throwing getter propagates the caller's own error.
  const boom = new Error('boom');
  assert.throws(
    () =>
      runPlays(small, pb, DAY, {
        get history() {
          throw boom;
        },
      }),
    (x) => x === boom,
  );
});

test('replays run forwards, over at most ten years', () => {
  let e = throwsCode(() => replayPlays(small, pb, DAY, '2026-09-01'), 'CSOPS_CONFIG');
  assert.match(e.message, /runs backwards/);
  e = throwsCode(() => replayPlays(small, pb, '2010-01-01', DAY), 'CSOPS_CONFIG');
  assert.match(e.message, /ten years/);
});

test('hostile playbooks and histories are coded errors, never a crash', async () => {
  // Nested deeper than the engine allows; deeper than JSON can be written or read.
  let t = { kind: 'renewal', within_days: 1 };
  for (let i = 0; i < 40; i++) t = { kind: 'all', of: [t] };
  // The depth needs no book: loading refuses it.
  let e = throwsCode(() => new Playbook({ plays: [{ name: 'a', owner: 'o', trigger: t, actions: [{ action: 'tag', tag: 't' }] }] }), 'CSOPS_CONFIG');
  assert.match(e.message, /nested more than 16 deep/);
  let deeper = { kind: 'renewal', within_days: 1 };
  for (let i = 0; i < 200_000; i++) deeper = { kind: 'all', of: [deeper] };
  throwsCode(() => new Playbook({ plays: [{ name: 'a', owner: 'o', trigger: deeper, actions: [] }] }), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => Playbook.fromJson(`{"plays": [{"trigger": ${'{"kind": "all", "of": ['.repeat(100_000)}`), 'CSOPS_CONFIG');
  throwsCode(() => Playbook.fromJson('['.repeat(200_000)), 'CSOPS_CONFIG');
  const head = '[[plays]]\nname = "a"\nowner = "o"\nactions = [{ action = "tag", tag = "t" }]\n';
  throwsCode(() => Playbook.fromToml(`${head}trigger = ${'{ kind = "all", of = ['.repeat(5000)}{ kind = "renewal", within_days = 1 }${']}'.repeat(5000)}`), 'CSOPS_CONFIG');
  throwsCode(() => Playbook.fromToml(`${head}trigger = { kind = "renewal", within_days = 1 }\nfilter = ${'{ not = '.repeat(5000)}{ field = "arr" }${' }'.repeat(5000)}`), 'CSOPS_CONFIG');
  throwsCode(() => Playbook.fromToml('\0\u0001[[plays]]\nname = """'), 'CSOPS_CONFIG');
  // Circular data.
  const cyclic = { plays: [] };
  cyclic.plays.push(cyclic);
  e = throwsCode(() => new Playbook(cyclic), 'CSOPS_INVALID_ARGUMENT');
  assert.match(e.message, /circular/);
  const loop = { last_fired: {} };
  loop.last_fired.self = loop;
  throwsCode(() => runPlays(small, pb, DAY, { history: loop }), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => runPlays(small, pb, DAY, { history: `{"last_fired": ${'{"a":'.repeat(100_000)}` }), 'CSOPS_CONFIG');
  // Spans beyond ten years (due days, windows, horizons) are configuration errors, checked
  // before any date is computed.
  const huge = pb.toJson();
  huge.plays[0].actions[0].due_in_days = 4294967295;
  const spans = [
    [() => runPlays(small, huge, DAY, { history: AFTER_RUN }), /a task due in 4294967295 days; at most 3660/],
    [() => runPlaysAsync(small, huge, DAY, { history: AFTER_RUN }), /a task due in 4294967295 days; at most 3660/],
    [() => playEffects(small, pb, EXPECTED, { horizonDays: 4294967295 }), /a horizon of 4294967295 days; at most 3660/],
    [() => playEffectsAsync(small, pb, EXPECTED, { horizonDays: 3661 }), /a horizon of 3661 days; at most 3660/],
    [() => runPlays(small, { plays: [{ name: 'x', owner: 'o', trigger: { kind: 'change', field: 'arr', window_days: 4294967295, drop: 0.1 }, actions: [{ action: 'tag', tag: 't' }] }] }, DAY), /a window of 1 to 3660 days, not 4294967295/],
    [() => runPlays(small, { plays: [{ name: 'x', owner: 'o', cooldown_days: 100000, trigger: { kind: 'renewal', within_days: 1 }, actions: [{ action: 'tag', tag: 't' }] }] }, DAY), /100000/],
  ];
  for (const [run, message] of spans) {
    let error;
    try {
      await run();
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof Error, `${run} did not fail`);
    assert.equal(error.code, 'CSOPS_CONFIG', `${error.code}: ${error.message}`);
    assert.match(error.message, message);
  }
  // Days at the edge of the calendar: a result or a configuration error, never a panic.
  const edges = [
    () => runPlays(small, pb, new Date(Date.UTC(-262143, 0, 5))),
    () => runPlays(small, pb, '0001-01-01', { history: { last_run: '0001-01-01' } }),
    () => replayPlays(small, pb, '9999-12-20', '9999-12-31'),
  ];
  for (const edge of edges) {
    try {
      await edge();
    } catch (err) {
      assert.ok(err instanceof Error);
      assert.equal(err.code, 'CSOPS_CONFIG', `${err.code}: ${err.message}`);
    }
  }

  // Random text: a playbook or CSOPS_CONFIG, nothing else.
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const alphabet = ['[[plays]]', '\n', 'name', 'owner', 'trigger', 'actions', ' = ', '"a"', '{', '}', '[', ']', ',', 'kind', '"level"', 'when', '"arr > 1"', '1', '-', '.', '\0', 'é', '"""', "'"];
  for (let i = 0; i < 2_000; i++) {
    const length = 1 + Math.floor(random() * 40);
    const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (const read of [() => Playbook.fromToml(text), () => Playbook.fromJson(text)]) {
      try {
        assert.ok(read() instanceof Playbook);
      } catch (err) {
        assert.equal(err.code, 'CSOPS_CONFIG', `${JSON.stringify(text)}: ${err.code} ${err.message}`);
      }
    }
  }
  assert.equal(typeof version(), 'string'); // still alive
});
