// The result tables of the sample book (tests/conformance/tables/), value for value: Node's
// tables are the core's (csops-core/tests/tables.rs), as Python's frames are
// (test_table_vectors.py). Node has the back-test's, the forecast's, the ARR bridge's and the
// segmentation's (coverage, CSMs, assignment).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";

import * as csops from "csops";
import { workspaceDir } from "./helpers.mjs";

const vector = (name) =>
  JSON.parse(readFileSync(join(workspaceDir, "tests/conformance/tables", `${name}.json`), "utf8"));

const book = csops.loadBook(join(workspaceDir, "data/sample-book"), { mode: "lenient" });
const card = csops.Scorecard.defaultHeuristic();

function sameColumns(name, got) {
  const want = vector(name);
  assert.deepEqual(Object.keys(got), want.schema.map((c) => c.name), name);
  assert.deepEqual(got, want.columns, name);
}

test("a back-test's tables are the core's", () => {
  const bt = csops.backtest(book, card);
  for (const t of ["bands", "quarters", "measures", "calibration", "lift", "survival", "observations"]) {
    sameColumns(`backtest_${t}`, bt.table(t));
  }
  assert.ok(bt.table("roc").fpr.length > 0);
  assert.ok(bt.recalibrate().table("weights").measure.length > 0);
  assert.throws(() => bt.table("nope"), (e) => e.code === "CSOPS_INVALID_ARGUMENT" && /"bands"/.test(e.message));
});

test("a forecast's and an ARR bridge's tables are the core's", () => {
  const latest = book.latestDate();
  const health = book.healthAsOf(card, latest);
  const fc = csops.forecast(book, { health });
  const names = { lines: "lines", bySegment: "by_segment", byCsm: "by_csm", byMonth: "by_month", months: "months" };
  for (const [js, file] of Object.entries(names)) {
    sameColumns(`forecast_${file}`, csops.forecastTable(fc, js));
  }
  // Through JSON and back, as a stored forecast is.
  sameColumns("forecast_lines", csops.forecastTable(JSON.parse(JSON.stringify(fc)), "lines"));
  assert.throws(() => csops.forecastTable(fc, "by_segment"), (e) => e.code === "CSOPS_INVALID_ARGUMENT");
  const from = new Date(`${latest}T00:00:00Z`);
  from.setUTCDate(from.getUTCDate() - 365);
  const bridge = book.arrBridge(from.toISOString().slice(0, 10), latest);
  sameColumns("arr_bridge_accounts", csops.bridgeTable(bridge));
});

test("a segmentation's tables are the core's", () => {
  const seg = book.segment({ scorecard: card, asOf: book.latestDate() });
  for (const t of ["coverage", "csms", "assignment"]) {
    sameColumns(`segmentation_${t}`, csops.segmentationTable(seg, t));
    sameColumns(`segmentation_${t}`, csops.segmentationTable(JSON.parse(JSON.stringify(seg)), t));
  }
  assert.throws(() => csops.segmentationTable(seg, "tiers"), (e) => e.code === "CSOPS_INVALID_ARGUMENT");
});
