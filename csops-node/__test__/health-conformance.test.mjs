// Runs the cross-language health-scoring vectors of tests/conformance/health/ exactly as the
// Rust runner (csops-core/tests/conformance.rs, health_scoring_vectors) does: the same
// scorecard and frame must give the same scores, bands, coverage, contributions and drivers
// in Rust, Python and Node. Floats compare within 1e-9.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Scorecard } from 'csops';
import { workspaceDir } from './helpers.mjs';

const vectorDir = join(workspaceDir, 'tests', 'conformance', 'health');
const vectors = readdirSync(vectorDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, v: JSON.parse(readFileSync(join(vectorDir, f), 'utf8')) }));

const errorCodes = { config: 'CSOPS_CONFIG' };

test('the health conformance vectors are all there', () => {
  assert.ok(vectors.length >= 6, `only ${vectors.length} vectors in ${vectorDir}`);
});

/** The vector's frame as score input: columns of numbers and nulls (null = missing). */
const input = (v) => ({ accountIds: v.frame.account_ids, columns: v.frame.columns });
/** The same columns as Float64Arrays (null becomes NaN). */
const typedInput = (v) => ({
  accountIds: v.frame.account_ids,
  columns: Object.fromEntries(
    Object.entries(v.frame.columns).map(([k, col]) => [k, Float64Array.from(col, (x) => x ?? NaN)]),
  ),
});
const options = (v) => (v.segments === undefined ? undefined : { segments: v.segments });

/** `want` null means missing (NaN); otherwise within 1e-9. */
function close(name, what, got, want) {
  if (want === null) {
    assert.ok(Number.isNaN(got), `${name}: ${what} = ${got}, want missing`);
  } else {
    assert.equal(typeof got, 'number', `${name}: ${what} is not a number`);
    assert.ok(Math.abs(got - want) < 1e-9, `${name}: ${what} = ${got}, want ${want}`);
  }
}

for (const { file, v } of vectors) {
  test(`health conformance: ${file}`, async () => {
    const expect = v.expect;
    if (expect.error) {
      let thrown;
      assert.throws(
        () => Scorecard.fromJson(v.scorecard).score(input(v), options(v)),
        (e) => {
          thrown = e;
          return true;
        },
      );
      assert.ok(thrown instanceof Error, `${file}: not an Error`);
      assert.equal(thrown.code, errorCodes[expect.error], `${file}: ${thrown.message}`);
      assert.ok(thrown.problems.length > 0, `${file}: no problems listed`);
      assert.ok(thrown.problems.every((p) => typeof p === 'string'));
      return;
    }

    // The scorecard as an object and as JSON text are the same scorecard.
    const card = Scorecard.fromJson(v.scorecard);
    assert.deepEqual(Scorecard.fromJson(JSON.stringify(v.scorecard)).toJson(), card.toJson());
    const scores = card.score(input(v), options(v));
    assert.deepEqual(scores.accountIds, v.frame.account_ids);

    expect.scores.forEach((want, i) => close(file, `score[${i}]`, scores.scores[i], want));
    assert.deepEqual(scores.bands, expect.bands, `${file}: bands`);
    if (expect.coverage) {
      expect.coverage.forEach((want, i) => close(file, `coverage[${i}]`, scores.coverage[i], want));
    }
    if (expect.contributions) {
      for (const [m, col] of Object.entries(expect.contributions)) {
        assert.ok(m in scores.contributions, `${file}: no contributions of ${m}`);
        col.forEach((want, i) => close(file, `${m}[${i}]`, scores.contributions[m][i], want));
      }
    }
    if (expect.explain) {
      const { row, top_drivers: want } = expect.explain;
      const x = card.explain(input(v), v.frame.account_ids[row], options(v));
      assert.deepEqual(x.drivers.slice(0, 10), want, `${file}: drivers`);
      close(file, 'explained score', x.score ?? NaN, expect.scores[row]);
    }

    // Float64Array columns and the async path give exactly the same result.
    assert.deepEqual(card.score(typedInput(v), options(v)), scores, `${file}: Float64Array columns`);
    assert.deepEqual(await card.scoreAsync(input(v), options(v)), scores, `${file}: scoreAsync`);
  });
}
