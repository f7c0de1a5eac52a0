// Smoke test on the sample book that ships with the repository (data/sample-book/).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadBook, loadBookAsync } from 'csops';
import { workspaceDir } from './helpers.mjs';

const dir = join(workspaceDir, 'data', 'sample-book');
test('sample book: a lenient load reports problems and keeps the rest', async () => {
  const book = loadBook(dir, { mode: 'lenient' });
  const { problems, rejected, files, isClean } = book.report;
  assert.ok(book.counts().accounts > 0, 'no accounts loaded');
  assert.equal(isClean, false, 'the sample book is expected to carry deliberate problems');
  assert.ok(problems.length > 0);
  assert.ok(rejected.length > 0);
  for (const [file, c] of Object.entries(files)) {
    assert.equal(c.loaded + c.rejected, c.read, `${file}: rows read but neither loaded nor rejected`);
  }
  // Strict mode refuses the same input with the same problems.
  assert.throws(
    () => loadBook(dir),
    (e) => e.code === 'CSOPS_VALIDATION' && e.problems.length === problems.length,
  );
  // Features as of the latest day, and the async path agrees.
  const asOf = book.latestDate();
  assert.match(asOf, /^\d{4}-\d{2}-\d{2}$/);
  const frame = book.featuresAsOf(asOf);
  assert.ok(frame.length > 0);
  const viaAsync = await (await loadBookAsync(dir, { mode: 'lenient' })).featuresAsOfAsync(asOf);
  assert.deepEqual(viaAsync.accountIds, frame.accountIds);
});
