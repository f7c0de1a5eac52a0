// Async calls report progress (`onProgress`) and stop on an aborted `signal` with a
// CSOPS_CANCELLED AbortError; synchronous calls refuse both.
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Scorecard, backtestAsync, loadBook, loadBookAsync, replayPlaysAsync } from 'csops';
import { tempDir } from './fixtures.mjs';
import { workspaceDir } from './helpers.mjs';

const sample = join(workspaceDir, 'data', 'sample-book');
const tick = () => new Promise((r) => setImmediate(r));

test('loadBookAsync reports each file from start to end', async () => {
  const events = [];
  const book = await loadBookAsync(sample, { mode: 'lenient', onProgress: (e) => events.push(e) });
  await tick();
  const usage = events.filter((e) => e.stage === 'reading usage_events.csv');
  const size = statSync(join(sample, 'usage_events.csv')).size;
  assert.equal(usage[0].done, 0);
  assert.deepEqual([usage.at(-1).done, usage.at(-1).total, usage.at(-1).unit], [size, size, 'bytes']);
  for (const file of Object.keys(book.report.files)) {
    assert.ok(events.some((e) => e.stage === `reading ${file}`), file);
  }
  assert.equal(book.toJson(), loadBook(sample, { mode: 'lenient' }).toJson());
});

const rejectsAborted = (promise) =>
  assert.rejects(promise, (e) => e.name === 'AbortError' && e.code === 'CSOPS_CANCELLED' && typeof e.stage === 'string');

test('an aborted signal rejects every async long call with a CSOPS_CANCELLED AbortError', async () => {
  const book = loadBook(sample, { mode: 'lenient' });
  const aborted = AbortSignal.abort();
  await rejectsAborted(loadBookAsync(sample, { mode: 'lenient', signal: aborted }));
  await rejectsAborted(book.featuresAsOfAsync('2026-09-30', null, { signal: aborted }));
  await rejectsAborted(backtestAsync(book, Scorecard.defaultHeuristic(), { signal: aborted }));
  const playbook = { schema_version: 1, plays: [] };
  await rejectsAborted(replayPlaysAsync(book, playbook, '2026-09-01', '2026-09-30', { signal: aborted }));
});

test('aborting while a load runs stops it; the book is untouched and the next call works', async (t) => {
  // A book big enough that the load is still running when the first progress event arrives.
  const [dir, cleanup] = tempDir();
  t.after(cleanup);
  writeFileSync(join(dir, 'accounts.csv'), 'id,name,currency,arr,start_date\nA1,Acme,USD,1000,2024-01-01\n');
  writeFileSync(join(dir, 'usage_events.csv'), 'account_id,user_id,feature,timestamp\n' + 'A1,u1,login,2025-01-01T09:30:00Z\n'.repeat(2_000_000));
  const controller = new AbortController();
  let calls = 0;
  const load = loadBookAsync(dir, {
    mode: 'lenient',
    signal: controller.signal,
    onProgress: () => {
      calls += 1;
      controller.abort();
    },
  });
  await rejectsAborted(load);
  assert.ok(calls >= 1);
  const again = await loadBookAsync(sample, { mode: 'lenient', signal: new AbortController().signal });
  assert.equal(again.counts().accounts, 300);
});

test('synchronous calls refuse onProgress and signal', () => {
  assert.throws(
    () => loadBook(sample, { onProgress: () => {} }),
    (e) => e.code === 'CSOPS_INVALID_ARGUMENT' && /async variant/.test(e.message),
  );
  assert.throws(() => loadBook(sample, { signal: AbortSignal.abort() }), (e) => e.code === 'CSOPS_INVALID_ARGUMENT');
});
