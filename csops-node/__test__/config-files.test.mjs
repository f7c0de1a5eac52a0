// Configuration files, as Python's `load(path)` reads them: `Scorecard.load`, `ModelSet.load`,
// `TierRules.load` and `Playbook.load` read a `.toml` or `.json` file (any case) by the core's
// one rule (`csops_core::options::load_file`); another extension is CSOPS_CONFIG, a missing
// file CSOPS_IO.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { ModelSet, Playbook, Scorecard, TierRules } from 'csops';
import { throwsCode } from './helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'csops-config-'));

const kinds = [
  ['scorecard', Scorecard, Scorecard.defaultHeuristic()],
  ['model set', ModelSet, ModelSet.fromJson({ default: Scorecard.defaultHeuristic().toJson() })],
  ['tier rules', TierRules, TierRules.default()],
  ['playbook', Playbook, Playbook.sponsorLeft()],
];

for (const [what, Class, value] of kinds) {
  test(`${what}: load reads its TOML and JSON files`, () => {
    const stem = what.replace(' ', '_');
    const toml = join(dir, `${stem}.toml`);
    const json = join(dir, `${stem}.JSON`);
    writeFileSync(toml, value.toToml());
    writeFileSync(json, JSON.stringify(value.toJson()));
    assert.deepEqual(Class.load(toml).toJson(), value.toJson());
    assert.deepEqual(Class.load(json).toJson(), value.toJson());
    const txt = join(dir, `${stem}.txt`);
    writeFileSync(txt, value.toToml());
    const e = throwsCode(() => Class.load(txt), 'CSOPS_CONFIG');
    assert.match(e.message, new RegExp(`${what} file .*: the name must end in .toml or .json`));
    throwsCode(() => Class.load(join(dir, 'missing.toml')), 'CSOPS_IO');
    throwsCode(() => Class.load(5), 'CSOPS_INVALID_ARGUMENT');
  });
}
