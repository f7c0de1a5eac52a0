// The weekly report from Node: the same page as Rust's and Python's (the conformance vector
// tests/conformance/report/sample_week.html), as plain data that round-trips through JSON,
// written to a file, with options given as the classes a user already holds.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";

import * as csops from "csops";
import { workspaceDir } from "./helpers.mjs";

const vector = readFileSync(join(workspaceDir, "tests/conformance/report/sample_week.html"), "utf8");
const book = csops.loadBook(join(workspaceDir, "data/sample-book"), { mode: "lenient" });
const report = csops.weekReport(book);
const SECTIONS = ["quality", "health", "backtest", "recalibration", "forecast", "retention", "segmentation", "playbooks"];

test("the page is the core's, and survives JSON", () => {
  assert.equal(csops.reportHtml(report), vector);
  assert.equal(csops.reportHtml(JSON.parse(JSON.stringify(report))), vector);
});

test("sections answer first, then charts and tables", () => {
  assert.deepEqual(report.sections.map((s) => s.id), SECTIONS);
  for (const s of report.sections) {
    assert.ok(s.answer.length > 20, s.id);
    assert.ok(s.tables.length > 0, s.id);
    for (const c of s.charts) assert.ok(c.svg.startsWith("<svg") && c.title && c.alt, s.id);
  }
  assert.ok(report.summary.startsWith(report.title));
  for (const s of report.sections) assert.ok(report.summary.includes(s.answer));
});

test("writes the page to a file, and says when it cannot", () => {
  const dir = mkdtempSync(join(tmpdir(), "csops-report-"));
  csops.writeReportHtml(report, join(dir, "week.html"));
  assert.equal(readFileSync(join(dir, "week.html"), "utf8"), vector);
  assert.throws(() => csops.writeReportHtml(report, join(dir, "missing", "week.html")), { code: "CSOPS_IO" });
});

test("options take the classes a user holds, and the async twin agrees", async () => {
  const same = csops.weekReport(book, {
    asOf: new Date(Date.UTC(2026, 8, 30)),
    scorecard: csops.Scorecard.defaultHeuristic(),
    tierRules: csops.TierRules.default(),
    playbook: csops.Playbook.sponsorLeft(),
    replayDays: 28,
    effectDays: 540,
  });
  assert.equal(csops.reportHtml(same), vector);
  const later = await csops.weekReportAsync(book, { title: "Week 39", replayDays: 7 });
  assert.equal(later.title, "Week 39");
  assert.match(later.sections.at(-1).answer, /2026-09-24 to 2026-09-30/);
});

test("bad options and bad reports say which", async () => {
  assert.throws(() => csops.weekReport(book, { replayDays: "four weeks" }), {
    code: "CSOPS_INVALID_ARGUMENT",
    message: /replay_?[dD]ays/,
  });
  assert.throws(() => csops.weekReport(book, { colour: "blue" }), { code: "CSOPS_INVALID_ARGUMENT" });
  await assert.rejects(csops.weekReportAsync(book, { effectDays: 10_000_000 }), { code: "CSOPS_CONFIG" });
  assert.throws(() => csops.reportHtml({ title: "x" }), { code: "CSOPS_INVALID_ARGUMENT", message: /report/ });
  assert.throws(() => csops.weekReport({}), { code: "CSOPS_INVALID_ARGUMENT" });
});
