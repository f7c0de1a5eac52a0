// The texts the core renders (tests/conformance/render/), word for word: Node's render() is the
// core's rendering, as Rust's render() and Python's repr (csops-core/tests/render_vectors.rs,
// csops-py/tests/test_render_vectors.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { Scorecard, TierRules } from 'csops';
import { workspaceDir } from './helpers.mjs';

const render = (name) => readFileSync(join(workspaceDir, 'tests/conformance/render', name), 'utf8');

test('the default scorecard reads the same everywhere', () => {
  assert.equal(Scorecard.defaultHeuristic().render(), render('default_scorecard.txt'));
});

test('the default tier rules read the same everywhere', () => {
  assert.equal(TierRules.default().render(), render('default_tier_rules.txt'));
});

test('an explanation carries the core text as summary', () => {
  const card = Scorecard.defaultHeuristic();
  const features = ['logins_per_user_week', 'dau_mau', 'feature_breadth', 'seat_utilisation', 'exec_sponsor_present',
    'champion_present', 'days_since_last_ebr', 'open_high_priority_tickets', 'avg_csat', 'nps'];
  const columns = Object.fromEntries(features.map((f) => [f, new Float64Array([0.5, 1])]));
  const why = card.explain({ accountIds: ['A1', 'A2'], columns }, 'A1');
  assert.match(why.summary, /^Account "A1": score \d+\.\d \((red|yellow|green)\), coverage \d+%\n/);
  assert.match(why.summary, /Top drivers: |No measure costs any points\./);
  for (const m of card.measureNames()) assert.ok(why.summary.includes(m), m);
});

test('a book, a frame and a model set say what they are in the core\'s words', async () => {
  const { loadBook, ModelSet } = await import('csops');
  const book = loadBook(join(workspaceDir, 'data', 'sample-book'), { mode: 'lenient' });
  const c = book.counts();
  assert.ok(String(book).startsWith(`Book(${c.accounts} accounts, ${c.contacts} contacts, `), String(book));
  const frame = book.featuresAsOf('2026-09-30');
  assert.equal(String(frame), `FeatureFrame(as of 2026-09-30: ${frame.accountIds.length} accounts × ${frame.columns.length} features)`);
  const ms = new ModelSet({ default: Scorecard.defaultHeuristic().toJson(), by_segment: {} });
  assert.equal(ms.render(), 'ModelSet: default "default heuristic (login-heavy)", 0 segment scorecards');
});
