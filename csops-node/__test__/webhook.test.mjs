// The webhook example (examples/webhook.mjs) end to end over loopback: a CRM contact-role
// change comes in, the account is scored again, the plays run for it, the answer lists what
// fired; the same event twice fires once; another account's event leaves the first one's
// history alone; malformed requests get 4xx answers with csops codes, and the server keeps
// serving; the history survives a restart through its file; the command line starts it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadBook } from 'csops';
import { SAMPLE_BOOK, startWebhookServer } from '../examples/webhook.mjs';
import { testDir } from './helpers.mjs';
import { tempDir } from './fixtures.mjs';

const DAY = '2026-10-01';
const today = () => DAY;
const book = loadBook(SAMPLE_BOOK, { mode: 'lenient' });
const doc = JSON.parse(book.toJson());
const accountOf = new Map(doc.contacts.map((c) => [c.id, c.account_id]));
const accounts = new Map(doc.accounts.map((a) => [a.id, a]));

/** Held spells of `role` at accounts with ARR and an owner, one per account. */
function held(role) {
  const seen = new Set();
  return doc.contact_roles
    .filter((r) => r.role === role && !r.removed)
    .map((r) => ({ spell: r, account: accounts.get(accountOf.get(r.contact_id)) }))
    .filter(({ account }) => Number(account.arr) > 0 && account.owner_csm && !seen.has(account.id) && seen.add(account.id));
}
const sponsors = held('executive_sponsor');
const champions = held('champion').filter(({ account }) => !sponsors.slice(0, 2).some((s) => s.account.id === account.id));
/** The event ending a spell on DAY. */
const ended = ({ spell }) => ({ ...spell, removed: DAY });

/** POST an event (an object, or text as given); resolves to [status, body]. */
async function post(url, event, path = '/events/contact-role-change') {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof event === 'string' ? event : JSON.stringify(event),
  });
  return [res.status, await res.json()];
}

async function get(url, path) {
  const res = await fetch(`${url}${path}`);
  return [res.status, await res.json()];
}

/** The entries of a history that concern one account. */
function entriesOf(history, accountId) {
  return {
    lastFired: Object.fromEntries(
      Object.entries(history.last_fired ?? {})
        .filter(([, days]) => Object.hasOwn(days, accountId))
        .map(([play, days]) => [play, days[accountId]]),
    ),
    openTasks: (history.open_tasks ?? []).filter(([, a]) => a === accountId),
  };
}

test('a sponsor leaves: the sponsor-left task for the CSM, once; other accounts leave it alone; errors are 4xx with codes', async (t) => {
  assert.ok(sponsors.length >= 2 && champions.length >= 1, 'the sample book has sponsors and champions to end');
  const server = await startWebhookServer({ book, today });
  t.after(server.close);
  const { url } = server;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);

  // A's sponsor leaves today.
  const a = sponsors[0];
  let [status, body] = await post(url, ended(a));
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.accountId, a.account.id);
  assert.equal(body.day, DAY);
  assert.ok(body.score === null || (body.score >= 0 && body.score <= 100));
  assert.ok(body.band === null || ['red', 'yellow', 'green'].includes(body.band));
  assert.ok(Array.isArray(body.drivers) && body.drivers.length <= 3);
  const plays = body.fired.map((f) => f.play);
  assert.deepEqual(plays, body.band === 'red' ? ['sponsor-left', 'sponsor-left-red'] : ['sponsor-left']);
  const [fired] = body.fired;
  assert.equal(fired.accountId, a.account.id);
  assert.equal(fired.csm, a.account.owner_csm);
  assert.equal(fired.mode, 'live');
  assert.equal(fired.date, DAY);
  assert.match(fired.reason, /executive sponsor .* left the role on 2026-10-01/);
  assert.equal(fired.actions.length, 1);
  assert.deepEqual(
    { ...fired.actions[0], title: undefined, body: undefined },
    { action: 'task', assignee: a.account.owner_csm, due: '2026-10-08', priority: 'high', title: undefined, body: undefined },
  );
  assert.match(fired.actions[0].title, new RegExp(`Re-engage ${a.account.name}: executive sponsor left`));

  // The history remembers it.
  let [, history] = await get(url, '/history');
  const afterA = entriesOf(history, a.account.id);
  assert.equal(afterA.lastFired['sponsor-left'], DAY);
  assert.deepEqual(afterA.openTasks[0], ['sponsor-left', a.account.id]);
  assert.equal(history.last_run, null); // runs for one account do not move the last run

  // The same event again: nothing new.
  [status, body] = await post(url, ended(a));
  assert.equal(status, 200);
  assert.deepEqual(body.fired, []);
  assert.equal(body.accountId, a.account.id);

  // Another account's sponsor: its task; A's entries as they were.
  const b = sponsors[1];
  [status, body] = await post(url, ended(b));
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.accountId, b.account.id);
  assert.equal(body.fired[0].play, 'sponsor-left');
  assert.equal(body.fired[0].actions[0].assignee, b.account.owner_csm);
  assert.ok(body.fired.every((f) => f.accountId === b.account.id));
  [, history] = await get(url, '/history');
  assert.deepEqual(entriesOf(history, a.account.id), afterA);
  assert.equal(entriesOf(history, b.account.id).lastFired['sponsor-left'], DAY);

  // Malformed requests: 400 (not JSON, not an event) and 422 (the record is invalid), with codes
  // and details; the state is untouched.
  const bad = [
    ['{"contact_id": ', 400, 'CSOPS_FORMAT'],
    ['', 400, 'CSOPS_FORMAT'],
    ['[1, 2]', 400, 'CSOPS_INVALID_ARGUMENT'],
    ['"sponsor"', 400, 'CSOPS_INVALID_ARGUMENT'],
    ['null', 400, 'CSOPS_INVALID_ARGUMENT'],
    [{ ...ended(a), contact_id: 'C-NOPE' }, 422, 'CSOPS_VALIDATION', { field: 'contact_id', kind: 'unknown_reference' }],
    [{ ...ended(a), role: 'sponsor' }, 422, 'CSOPS_VALIDATION', { field: 'role', kind: 'unknown_value' }],
    [{ ...ended(a), removed: 'yesterday' }, 422, 'CSOPS_VALIDATION', { field: 'removed', kind: 'malformed' }],
    [{ ...ended(a), added: null }, 422, 'CSOPS_VALIDATION', { field: 'added', kind: 'missing' }],
    [{ ...ended(a), removed: '2000-01-01' }, 422, 'CSOPS_VALIDATION', { kind: 'dates_out_of_order' }],
  ];
  for (const [event, expectedStatus, code, problem] of bad) {
    [status, body] = await post(url, event);
    assert.equal(status, expectedStatus, `${JSON.stringify(event)}: ${JSON.stringify(body)}`);
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    if (problem) {
      assert.equal(body.error.problems[0].file, 'records#contact_roles');
      assert.equal(body.error.problems[0].row, 1);
      for (const [k, v] of Object.entries(problem)) assert.equal(body.error.problems[0][k], v, JSON.stringify(body.error.problems[0]));
    }
  }
  [status, body] = await post(url, 'x'.repeat(100_000));
  assert.deepEqual([status, body.error.code], [413, 'CSOPS_INVALID_ARGUMENT']);
  assert.deepEqual((await get(url, '/nope'))[0], 404);
  assert.deepEqual((await get(url, '/events/contact-role-change'))[0], 405);
  assert.deepEqual((await get(url, '/history'))[1], history);

  // Still serving: a champion leaves at a third account, and two events at once are applied
  // in turn.
  const c = champions[0];
  const [[s1, first], [s2, second]] = await Promise.all([post(url, ended(c)), post(url, ended(c))]);
  assert.deepEqual([s1, s2], [200, 200]);
  assert.deepEqual(first.fired.map((f) => [f.play, f.accountId, f.actions[0].assignee]), [['champion-left', c.account.id, c.account.owner_csm]]);
  assert.deepEqual(second.fired, []);
  [status, body] = await get(url, '/health');
  assert.deepEqual([status, body], [200, { ok: true, accounts: book.counts().accounts, day: DAY }]);
});

test('the history survives a restart through its file: the same event fires nothing', async (t) => {
  const [dir, cleanup] = tempDir();
  t.after(cleanup);
  const historyFile = join(dir, 'history.json');
  const a = sponsors[2] ?? sponsors[0];
  let server = await startWebhookServer({ book, today, historyFile });
  let [status, body] = await post(server.url, ended(a));
  await server.close();
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.fired[0].play, 'sponsor-left');
  const stored = JSON.parse(readFileSync(historyFile, 'utf8'));
  assert.equal(stored.last_fired['sponsor-left'][a.account.id], DAY);

  server = await startWebhookServer({ book, today, historyFile });
  t.after(server.close);
  assert.deepEqual((await get(server.url, '/history'))[1], stored);
  [status, body] = await post(server.url, ended(a));
  assert.equal(status, 200);
  assert.deepEqual(body.fired, []);
});

test('the command line starts it on the sample book', async (t) => {
  const child = spawn(process.execPath, [join(testDir, '..', 'examples', 'webhook.mjs'), '--port', '0', '--today', DAY], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill());
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  const [status, body] = await get(url, '/health');
  assert.deepEqual([status, body], [200, { ok: true, accounts: book.counts().accounts, day: DAY }]);
});
