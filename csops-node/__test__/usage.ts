// Typed usage of the public API, checked by `tsc --noEmit` (types.test.mjs): it must compile
// against the generated index.d.ts, and every `@ts-expect-error` line must be an error.
// Never executed.
import {
  Backtest,
  Book,
  Condition,
  FeatureFrame,
  ModelSet,
  Playbook,
  Recalibration,
  Scorecard,
  backtest,
  backtestAsync,
  generateBook,
  stats,
  closeTask,
  defaultCoverageModel,
  defaultFeatureConfig,
  forecast,
  forecastAsync,
  loadBook,
  loadBookAsync,
  loadBookCsv,
  loadBookJson,
  loadBookTables,
  playEffects,
  playEffectsAsync,
  reconcile,
  renderFired,
  replayPlays,
  replayPlaysAsync,
  runPlays,
  runPlaysAsync,
  segmentColumns,
  TierRules,
  trend,
  version,
  whatIfColumns,
  weekReport,
  weekReportAsync,
  reportHtml,
  writeReportHtml,
  CsopsError as CsopsErrorClass,
  isCsopsError,
} from 'csops';
import type {
  Report,
  ReportSection,
  ReportVerdict,
  Drivers,
  Summary,
  ForecastCategory,
  Note,
  ProgressEvent,
  Account,
  AccountJson,
  AccountColumns,
  AccountMove,
  AccountTable,
  AccountTableOptions,
  AccountTier,
  AssigneeJson,
  AccountMovement,
  ArrBridge,
  AccountScore,
  ApplyOverridesOptions,
  BacktestOptions,
  BacktestReport,
  BacktestSlice,
  Band,
  BandChoice,
  BandComparison,
  BandOutcome,
  BandRow,
  BandSurvival,
  BookCounts,
  ColumnSummary,
  ColumnValues,
  Contact,
  ContactRoleJson,
  ConditionJson,
  Coverage,
  CoverageModelJson,
  Csm,
  CsmLoad,
  CsopsError,
  Direction,
  FeatureConfig,
  FileCounts,
  FireHistory,
  Fired,
  FiredAction,
  ForecastOptions,
  ForecastSubtotal,
  Health,
  HealthAsOfOptions,
  HeldOut,
  HypothesisTest,
  Interval,
  Lift,
  LogisticFit,
  LoadOptions,
  MeasurePower,
  MeasureResult,
  MeasureWeight,
  MissingRule,
  ModelSetJson,
  ModelSetScoreOptions,
  ModelSetScores,
  Money,
  Normaliser,
  Observations,
  Override,
  OverrideApplied,
  PlayActionJson,
  PlaybookJson,
  PlaybookValidateOptions,
  PlayEffect,
  PlayEffectsOptions,
  PlayJson,
  PlayReplay,
  PlayReplayOptions,
  PlayRun,
  PlayRunOptions,
  ProbabilityMap,
  Problem,
  ProblemKind,
  RecalibrationOptions,
  RecordsJson,
  RecalibrationReport,
  RecalibrationSplit,
  ReconcileOptions,
  Reconciliation,
  ReconciliationIssue,
  RejectedRow,
  RenewalDistribution,
  RenewalForecast,
  RenewalLine,
  ReportedScore,
  Retention,
  RetentionOptions,
  RetentionSeriesOptions,
  RocAuc,
  ScoreColumns,
  SegmentColumnsOptions,
  Segmentation,
  SegmentOptions,
  ScoreOptions,
  ScorecardGroup,
  ScorecardJson,
  ScorecardMeasure,
  Scores,
  ScoresOnly,
  SurvivalPoint,
  TierChange,
  TierCoverage,
  TierRulesJson,
  TierShift,
  TicketJson,
  TriggerJson,
  Trend,
  ValidationReport,
  WithRecordsOptions,
  WhatIf,
  WhatIfOptions,
} from 'csops';

/** Compiles only when `value` has exactly type `T` (not `any`, not wider, not narrower). */
type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function exact<T>() {
  return <V>(value: V & (Equals<V, T> extends true ? unknown : never)): V => value;
}

export async function usage(): Promise<void> {
  exact<string>()(version());
  // The checker itself: `any` and wider or narrower types are rejected.
  // @ts-expect-error -- any is not string
  exact<string>()(JSON.parse('1'));
  // @ts-expect-error -- string | null is not string
  exact<string>()(Math.random() > 1 ? null : 'x');
  // @ts-expect-error -- 'x' is narrower than string
  exact<string>()('x' as const);

  const lenient: LoadOptions = { mode: 'lenient' };
  const mapped: LoadOptions = { headerMap: { accounts: { 'Account ID': 'id' } } };
  const toml: LoadOptions = { headerMap: '[accounts]\n"Account ID" = "id"\n' };
  exact<Book>()(loadBook('exports/', lenient));
  exact<Book>()(loadBook('book.json'));
  exact<Book>()(loadBook('book.json', null));
  exact<Promise<Book>>()(loadBookAsync('exports/', mapped));
  exact<Book>()(loadBookJson('{"accounts": []}', toml));
  const book = loadBookCsv({ accounts: 'id,name\n' }, { mode: 'strict' });
  // A source map as an object or TOML text; progress and a signal on the async variant.
  const sourced: LoadOptions = {
    sourceMap: {
      missing_values: ['-'],
      accounts: { files: ['crm.csv'], columns: { id: 'Account ID', arr: { from: 'ARR', scale: 1000 } } },
      contact_roles: { events: { action: 'change', added: ['Added'], removal_without_addition: 'reject' } },
    },
  };
  exact<Book>()(loadBook('exports/', sourced));
  // (An AbortSignal; the test's lib has no DOM types, so a structural stand-in.)
  const signal = { aborted: false, addEventListener: (_type: 'abort', _listener: () => void) => {} };
  exact<Promise<Book>>()(
    loadBookAsync('exports/', {
      sourceMap: '[accounts]\nfiles = ["crm.csv"]\n',
      onProgress: (p: ProgressEvent) => void [p.stage, p.done, p.total, p.unit],
      signal,
    }),
  );
  exact<Book>()(loadBookTables({ accounts: [{ id: 'A1', arr: 1, start_date: new Date() }] }));
  exact<Book>()(loadBookTables({ accounts: { id: ['A1'], arr: Float64Array.of(1) } }, { mode: 'lenient' }));
  const notes: Array<Note> = book.report.notes;
  void notes;

  const report = exact<ValidationReport & ReportVerdict>()(book.report);
  exact<boolean>()(report.isClean);
  exact<string>()(report.summary);
  exact<Array<Problem>>()(report.problems);
  exact<Array<RejectedRow>>()(report.rejected);
  exact<Record<string, FileCounts>>()(report.files);
  const problem = report.problems[0]!;
  exact<number | null>()(problem.row);
  exact<string | null>()(problem.recordId);
  exact<string | null>()(problem.field);
  exact<ProblemKind>()(problem.kind);
  const kind: ProblemKind = 'unknown_reference';
  // @ts-expect-error -- not a problem kind
  const notAKind: ProblemKind = 'unknownReference';
  void [kind, notAKind];
  exact<Record<string, string>>()(report.rejected[0]!.fields);

  const counts = exact<BookCounts>()(book.counts());
  exact<number>()(counts.usageEvents);
  exact<number>()(counts.renewalOutcomes);
  exact<Array<string>>()(book.accountIds());
  const account = exact<Array<Account>>()(book.accounts())[0]!;
  exact<Money>()(account.arr);
  exact<string>()(account.arr.amount); // exact decimal text, never a number
  exact<string>()(account.startDate);
  exact<string | null>()(account.renewalDate);
  exact<number | null>()(account.seats);
  exact<Record<string, string>>()(account.attributes);
  exact<string | null>()(book.latestDate());
  exact<Array<string>>()(book.writeCsv('out/'));
  exact<string>()(book.toJson());
  exact<string>()(book.renderReport());
  const contact = exact<Array<Contact>>()(book.contacts())[0]!;
  exact<string>()(contact.accountId);
  exact<string | null>()(contact.email);
  // The classes made by functions have no public constructor.
  // @ts-expect-error -- a Book comes from loadBook*
  new Book();
  // @ts-expect-error -- nor from a document
  new Book('{"accounts": []}');
  // @ts-expect-error -- a FeatureFrame comes from book.featuresAsOf
  new FeatureFrame();
  // @ts-expect-error -- a Backtest comes from backtest
  new Backtest();
  // @ts-expect-error -- a Recalibration comes from backtest.recalibrate
  new Recalibration();

  const config: FeatureConfig = { usage_window_days: 14, key_features: ['reports'], include_churned: true };
  exact<Required<FeatureConfig>>()(defaultFeatureConfig());
  exact<number>()(defaultFeatureConfig().usage_window_days);
  const frame = exact<FeatureFrame>()(book.featuresAsOf('2024-03-31', config));
  exact<FeatureFrame>()(book.featuresAsOf(new Date(), 'usage_window_days = 14'));
  exact<Promise<FeatureFrame>>()(book.featuresAsOfAsync(new Date(), config));
  exact<FeatureFrame>()(await book.featuresAsOfAsync('2024-03-31'));
  exact<string>()(frame.asOf);
  exact<Array<string>>()(frame.accountIds);
  exact<Array<string>>()(frame.columns);
  exact<number>()(frame.length);
  exact<Float64Array>()(frame.column('nps'));
  exact<number | null>()(frame.value('A1', 'nps'));
  const summary = exact<Array<ColumnSummary>>()(frame.summary());
  exact<number | null>()(summary[0]!.mean);
  exact<string>()(frame.renderSummary());

  // Health scoring. Scorecards are data with the core's snake_case keys.
  const json: ScorecardJson = {
    schema_version: 1,
    name: 'mid-market v2',
    min_coverage: 0.6,
    groups: [
      {
        name: 'usage',
        weight: 2,
        measures: [
          { name: 'breadth', feature: 'feature_breadth', weight: 3, normaliser: { kind: 'linear', worst: 0, best: 0.8 } },
          {
            name: 'recency',
            feature: 'days_since_last_activity',
            weight: 1,
            normaliser: { kind: 'piecewise', points: [[0, 100], [30, 0]] },
            missing: { rule: 'worst' },
          },
        ],
      },
    ],
  };
  const normalisers: Array<Normaliser> = [
    { kind: 'steps', thresholds: [1, 3], points: [100, 50, 10] },
    { kind: 'percentile', higher_is_better: true, per_segment: true },
    { kind: 'logistic', midpoint: 0, steepness: 0.05 },
    { kind: 'boolean' },
    { kind: 'boolean', yes: 90, no: 10 },
  ];
  const rules: Array<MissingRule> = [{ rule: 'redistribute' }, { rule: 'fixed', score: 40 }, { rule: 'worst' }];
  const bands: Array<Band> = [{ name: 'F', min: 0 }, { name: 'A', min: 80 }];
  void [normalisers, rules, bands];
  const card = exact<Scorecard>()(Scorecard.fromJson(json));
  exact<Scorecard>()(new Scorecard(json));
  exact<Scorecard>()(new Scorecard('{"schema_version": 1}'));
  // @ts-expect-error -- the constructor needs the scorecard
  new Scorecard();
  // @ts-expect-error -- the constructor reads JSON (text or data), not TOML
  new Scorecard(42);
  // @ts-expect-error -- scorecard keys are snake_case
  new Scorecard({ schemaVersion: 1, name: 'x', groups: [] });
  exact<Scorecard>()(Scorecard.fromJson('{"schema_version": 1}'));
  exact<Scorecard>()(Scorecard.fromToml('schema_version = 1'));
  exact<Scorecard>()(Scorecard.defaultHeuristic());
  exact<string>()(card.name);
  exact<Array<string>>()(card.measureNames());
  exact<string>()(card.toToml());
  const written = exact<ScorecardJson>()(card.toJson());
  exact<Array<ScorecardGroup>>()(written.groups);
  const measure = exact<ScorecardMeasure>()(written.groups[0]!.measures[0]!);
  exact<Normaliser>()(measure.normaliser);
  exact<MissingRule | undefined>()(measure.missing);
  if (measure.normaliser.kind === 'piecewise') exact<Array<[number, number]>>()(measure.normaliser.points);
  exact<number | undefined>()(written.min_coverage);

  const columns: ScoreColumns = {
    accountIds: ['A1', 'A2'],
    columns: { feature_breadth: new Float64Array([0.5, NaN]), days_since_last_activity: [3, null] },
  };
  const options: ScoreOptions = { segments: ['smb', 'ent'] };
  const scores = exact<Scores>()(card.score(frame));
  exact<Scores>()(card.score(columns, { segments: ['smb', 'ent'] }));
  exact<Scores>()(card.score(columns, null));
  exact<Scores>()(card.score(columns, undefined));
  exact<Promise<Scores>>()(card.scoreAsync(frame, { segments: ['smb', 'ent'] }));
  exact<Scores>()(await card.scoreAsync(columns));
  // Without the contributions: the result type follows the option.
  const bare = exact<ScoresOnly>()(card.score(frame, { contributions: false }));
  exact<ScoresOnly>()(card.score(columns, { segments: ['smb', 'ent'], contributions: false }));
  exact<Promise<ScoresOnly>>()(card.scoreAsync(frame, { contributions: false }));
  exact<Scores>()(card.score(frame, { contributions: true }));
  exact<Promise<Scores>>()(card.scoreAsync(columns, { contributions: true }));
  exact<Float64Array>()(bare.scores);
  exact<Array<string | null>>()(bare.bands);
  exact<Float64Array>()(bare.coverage);
  exact<Array<string>>()(bare.accountIds);
  // @ts-expect-error -- no contributions without them
  void bare.contributions;
  // Options known only as `ScoreOptions` (or a boolean known at run time) may give either.
  const either = exact<Scores | ScoresOnly>()(card.score(columns, options));
  exact<Promise<Scores | ScoresOnly>>()(card.scoreAsync(frame, options));
  exact<Scores | ScoresOnly>()(card.score(frame, { contributions: Math.random() > 0.5 }));
  exact<Scores | ScoresOnly>()(card.score(frame, Math.random() > 0.5 ? options : null));
  if ('contributions' in either) exact<Record<string, Float64Array>>()(either.contributions);
  // @ts-expect-error -- contributions is a boolean
  card.score(frame, { contributions: 'no' });
  // @ts-expect-error -- the options are named
  card.score(frame, false);
  exact<Array<string>>()(scores.accountIds);
  exact<Float64Array>()(scores.scores);
  exact<Array<string | null>>()(scores.bands);
  exact<Float64Array>()(scores.coverage);
  exact<Record<string, Float64Array>>()(scores.contributions);

  const one = exact<AccountScore & Drivers>()(card.scoreOne({ feature_breadth: 0.5, days_since_last_activity: null }));
  const why = exact<AccountScore & Drivers & Summary>()(card.explain(frame, 'A1', options));
  exact<string>()(card.explain(columns, 'A1').summary);
  exact<string>()(card.render());
  exact<number | null>()(one.score);
  exact<string | null>()(one.band);
  exact<number>()(one.coverage);
  exact<Array<string>>()(why.drivers);
  exact<Record<string, number>>()(why.groups); // group name → contribution, scorecard order
  const part = exact<MeasureResult>()(why.measures[0]!);
  exact<number | null>()(part.value);
  exact<number | null>()(part.measureScore);
  exact<number>()(part.pointsLost);

  const moved = exact<Trend>()(trend(62, 55, 5));
  exact<Trend>()(trend(62, 55));
  exact<number>()(moved.delta);
  exact<Direction>()(moved.direction);
  const up: Direction = 'up';
  // @ts-expect-error -- directions are lower-case
  const notADirection: Direction = 'Up';
  void [up, notADirection];

  // @ts-expect-error -- scorecard keys are snake_case, as in scorecard files
  Scorecard.fromJson({ schemaVersion: 1, name: 'x', groups: [] });
  // @ts-expect-error -- not a normaliser kind
  const cubic: Normaliser = { kind: 'cubic' };
  // @ts-expect-error -- a linear normaliser needs both ends
  const half: Normaliser = { kind: 'linear', worst: 0 };
  // @ts-expect-error -- piecewise points are [value, score] pairs
  const flat: Normaliser = { kind: 'piecewise', points: [1, 2] };
  // @ts-expect-error -- a fixed imputation needs its score
  const noScore: MissingRule = { rule: 'fixed' };
  void [cubic, half, flat, noScore];
  // @ts-expect-error -- TOML is text
  Scorecard.fromToml(json);
  // @ts-expect-error -- the input is a FeatureFrame or columns, not a book
  card.score(book);
  // @ts-expect-error -- column input is camelCase
  card.score({ account_ids: ['A1'], columns: {} });
  // @ts-expect-error -- columns hold numbers
  card.score({ accountIds: ['A1'], columns: { nps: ['10'] } });
  // @ts-expect-error -- unknown option
  card.score(frame, { segment: ['smb'] });
  // @ts-expect-error -- scores are a Float64Array (NaN = insufficient data), not nullable numbers
  const nullable: Array<number | null> = card.score(frame).scores;
  // @ts-expect-error -- an account id is a string
  card.explain(frame, 0);
  // @ts-expect-error -- feature values are numbers or null
  card.scoreOne({ nps: '10' });
  // @ts-expect-error -- the dead band is a number
  trend(62, 55, '5');
  void nullable;

  // Model sets: a scorecard per segment.
  const setJson: ModelSetJson = { default: card.toJson(), by_segment: { ent: card.toJson() } };
  const set = exact<ModelSet>()(ModelSet.fromJson(setJson));
  exact<ModelSet>()(new ModelSet(setJson));
  exact<ModelSet>()(new ModelSet('{"default": {}}'));
  // @ts-expect-error -- the constructor needs the model set
  new ModelSet();
  exact<ModelSet>()(ModelSet.fromJson('{"default": {}}'));
  exact<ModelSet>()(ModelSet.fromToml(set.toToml()));
  exact<ModelSetJson>()(set.toJson());
  exact<Record<string, ScorecardJson> | undefined>()(set.toJson().by_segment); // optional when given
  exact<Array<string>>()(set.segments);
  exact<Scorecard>()(set.scorecardFor('ent'));
  const setOptions: ModelSetScoreOptions = { segments: ['ent', 'smb'] };
  const setScores = exact<ModelSetScores>()(set.score(frame, setOptions));
  exact<Array<string>>()(setScores.accountIds);
  exact<Array<string>>()(setScores.scorecard);
  exact<Float64Array>()(setScores.scores);
  exact<Array<string | null>>()(setScores.bands);
  exact<Float64Array>()(setScores.coverage);
  exact<Promise<ModelSetScores>>()(set.scoreAsync(frame, setOptions));
  // @ts-expect-error -- a model set needs the segments
  set.score(frame);
  // @ts-expect-error -- model set scores have no contributions to leave out
  set.score(frame, { segments: ['ent'], contributions: false });
  // @ts-expect-error -- by_segment keeps the core's snake_case key
  ModelSet.fromJson({ default: card.toJson(), bySegment: {} });

  // Overrides.
  const overrides: Array<Override> = [
    { accountId: 'A', score: 90, reason: 'renewal', author: 'sam', expires: '2024-07-01' },
    { accountId: 'B', band: 'red', reason: 'escalation', author: 'kim', expires: new Date() },
  ];
  const overrideOptions: ApplyOverridesOptions = { asOf: new Date(), segments: null };
  const reported = exact<Array<ReportedScore>>()(card.applyOverrides(frame, overrides, overrideOptions));
  const row = reported[0]!;
  exact<string>()(row.accountId);
  exact<number | null>()(row.computedScore);
  exact<string | null>()(row.computedBand);
  exact<number | null>()(row.score);
  exact<string | null>()(row.band);
  exact<OverrideApplied | null>()(row.overrideApplied);
  exact<string>()(row.overrideApplied!.expires);
  card.applyOverrides(columns, [], { asOf: '2024-06-30' });
  // @ts-expect-error -- the day is required
  card.applyOverrides(frame, overrides, {});
  // @ts-expect-error -- an override names its author
  card.applyOverrides(frame, [{ accountId: 'A', score: 1, reason: 'r', expires: '2024-07-01' }], { asOf: '2024-06-30' });

  // Back-testing and re-calibration.
  const btOptions: BacktestOptions = {
    leadDays: 90,
    quarters: 4,
    end: '2026-09-30',
    contractionIsChurn: false,
    liftFractions: [0.1, 0.2],
  };
  const bt = exact<Backtest>()(backtest(book, card, btOptions));
  exact<Backtest>()(backtest(book, card));
  exact<Backtest>()(backtest(book, card, null));
  exact<Backtest>()(backtest(book, card, { end: new Date(), features: { usage_window_days: 14 } }));
  exact<Backtest>()(backtest(book, card, { features: 'usage_window_days = 14' }));
  exact<Promise<Backtest>>()(backtestAsync(book, card, btOptions));
  exact<string>()(bt.render());
  const btReport = exact<BacktestReport>()(bt.report);
  exact<string>()(btReport.windowStart);
  exact<number>()(btReport.leadDays);
  exact<boolean>()(btReport.probabilityInSample);
  exact<ProbabilityMap | null>()(btReport.probability);
  exact<[HypothesisTest, number] | null>()(btReport.logrank);
  exact<number>()(btReport.logrank![0].statistic);
  exact<Array<MeasurePower>>()(btReport.measures);
  exact<Array<BandSurvival>>()(btReport.survival);
  exact<Array<SurvivalPoint>>()(btReport.survival[0]!.curve);
  const overall = exact<BacktestSlice>()(btReport.overall);
  exact<Array<BacktestSlice>>()(btReport.quarters);
  exact<Array<MeasurePower>>()(overall.measures);
  const bandRow = exact<BandRow>()(overall.bands[0]!);
  exact<number>()(bandRow.renewals);
  exact<number | null>()(bandRow.rate);
  exact<Interval | null>()(bandRow.ci95);
  exact<Money>()(bandRow.arrUp);
  exact<string>()(bandRow.arrRenewed.amount);
  exact<BandComparison | null>()(overall.comparison);
  exact<HypothesisTest | null>()(overall.comparison!.zTest);
  exact<number>()(overall.comparison!.fisher.pValue);
  const auc = exact<RocAuc | null>()(overall.auc);
  exact<number>()(auc!.seDelong);
  exact<number | null>()(overall.brier);
  exact<Array<Lift>>()(overall.lift);
  exact<number>()(overall.calibration[0]!.meanRisk);
  exact<number | null>()(btReport.measures[0]!.auc);
  exact<string | null>()(btReport.measures[0]!.flag);
  const obs = exact<Observations>()(bt.observations);
  exact<Array<string>>()(obs.renewalId);
  exact<Array<string | null>>()(obs.segment);
  exact<Array<'renewed' | 'churned' | 'contracted' | 'expanded'>>()(obs.outcome);
  exact<Array<boolean>>()(obs.churned);
  exact<Array<string>>()(obs.arrBefore);
  exact<Float64Array>()(obs.score);
  exact<Array<string | null>>()(obs.band);
  exact<Record<string, Float64Array>>()(obs.measures);
  if (btReport.probability?.method === 'isotonic') exact<Array<number>>()(btReport.probability.x);
  if (btReport.probability?.method === 'platt') exact<number>()(btReport.probability.slope);

  const rcOptions: RecalibrationOptions = {
    c: 1.0,
    holdoutQuarters: 1,
    probability: 'platt',
    redChurnTarget: 0.25,
    greenChurnTarget: 0.05,
  };
  const rc = exact<Recalibration>()(bt.recalibrate(rcOptions));
  exact<Recalibration>()(bt.recalibrate());
  exact<Recalibration>()(bt.recalibrate({ probability: 'isotonic' }));
  exact<Promise<Recalibration>>()(bt.recalibrateAsync(rcOptions));
  exact<Recalibration>()(await bt.recalibrateAsync());
  exact<Scorecard>()(rc.scorecard);
  exact<string>()(rc.render());
  const rcReport = exact<RecalibrationReport>()(rc.report);
  exact<ScorecardJson>()(rcReport.scorecard);
  exact<LogisticFit>()(rcReport.fit);
  exact<Array<number>>()(rcReport.fit.coef);
  exact<Array<MeasureWeight>>()(rcReport.weights);
  exact<number>()(rcReport.weights[0]!.shareAfter);
  exact<Array<string>>()(rcReport.dropped);
  exact<RecalibrationSplit>()(rcReport.train);
  exact<Array<string>>()(rcReport.test.quarters);
  exact<HeldOut>()(rcReport.before);
  exact<RocAuc | null>()(rcReport.after.auc);
  exact<number | null>()(rcReport.after.brier);
  exact<ProbabilityMap>()(rcReport.probability);
  const choice = exact<BandChoice>()(rcReport.bands[0]!);
  exact<Array<Band>>()(choice.bands);
  const outcome = exact<BandOutcome>()(choice.outcomes[0]!);
  exact<number | null>()(outcome.testChurnRate);
  exact<Float64Array>()(rc.churnProbability(50));
  exact<Float64Array>()(rc.churnProbability([10, null, 90]));
  exact<Float64Array>()(rc.churnProbability(obs.score));
  // A re-calibration's mapping evaluated out of sample on later renewals.
  exact<Backtest>()(backtest(book, rc.scorecard, { probability: rcReport.probability }));
  // @ts-expect-error -- options are camelCase
  backtest(book, card, { lead_days: 90 });
  // @ts-expect-error -- quarters is a number
  backtest(book, card, { quarters: '4' });
  // @ts-expect-error -- the book comes first, as a Book
  backtest(card, book);
  // @ts-expect-error -- a scorecard, not its JSON
  backtest(book, card.toJson());
  // @ts-expect-error -- lift fractions are numbers
  backtest(book, card, { liftFractions: ['0.1'] });
  // @ts-expect-error -- not a probability method
  bt.recalibrate({ probability: 'sigmoid' });
  // @ts-expect-error -- options are camelCase
  bt.recalibrate({ holdout_quarters: 1 });
  // @ts-expect-error -- scores are numbers
  rc.churnProbability('50');
  // @ts-expect-error -- a probability map names its method
  backtest(book, card, { probability: { intercept: 0, slope: -0.1 } });
  // @ts-expect-error -- the report is read-only
  bt.report = btReport;
  // @ts-expect-error -- money amounts are exact decimal text
  const arrUp: number = bandRow.arrUp.amount;
  void arrUp;

  // Revenue: the ARR bridge, retention, health on a day, the forecast and its reconciliation.
  const bridge = exact<ArrBridge & Summary>()(book.arrBridge('2025-09-30', new Date()));
  exact<string>()(bridge.new); // exact decimal text, never a number
  exact<string>()(bridge.currency);
  exact<number>()(bridge.logosChurned);
  const movement = exact<AccountMovement>()(bridge.accounts[0]!);
  exact<'none' | 'flat' | 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation'>()(movement.movement);
  exact<string>()(movement.end);
  const retentionOptions: RetentionOptions = { by: 'attr.region' };
  const rows = exact<Array<Retention>>()(book.retention('2025-09-30', '2026-09-30', retentionOptions));
  exact<Array<Retention>>()(book.retention('2025-09-30', '2026-09-30'));
  exact<Array<Retention>>()(book.retention('2025-09-30', '2026-09-30', { by: 'start_cohort' }));
  exact<Array<Retention>>()(book.retention('2025-09-30', '2026-09-30', { by: { 'A-1': 'red' } }));
  const cohort = rows[0]!;
  exact<string>()(cohort.startArr);
  exact<number | null>()(cohort.grr);
  exact<number | null>()(cohort.logoRetention);
  const seriesOptions: RetentionSeriesOptions = { period: 'month' };
  exact<Array<Retention>>()(book.retentionSeries('2025-09-30', '2026-09-30', seriesOptions));
  exact<Retention>()(book.trailingTwelveMonths());
  exact<Retention>()(book.trailingTwelveMonths('2026-09-30'));
  const healthOptions: HealthAsOfOptions = { features: { usage_window_days: 28 } };
  const health = exact<Record<string, Health>>()(book.healthAsOf(card, '2026-09-30', healthOptions));
  exact<Record<string, Health>>()(book.healthAsOf(card));
  exact<Promise<Record<string, Health>>>()(book.healthAsOfAsync(card, null));
  exact<number | null>()(health['A-1']!.score);
  exact<string | null>()(health['A-1']!.band);

  const forecastOptions: ForecastOptions = {
    health,
    start: '2026-10-01',
    end: '2026-12-31',
    asOf: '2026-09-30',
    probability: rc,
    expansion: 'opportunities',
    distribution: 'monte_carlo',
    draws: 10_000,
    seed: 7,
    commitFrom: 0.9,
    bestCaseFrom: 0.6,
  };
  const fc = exact<RenewalForecast & Summary>()(forecast(book, forecastOptions));
  exact<RenewalForecast & Summary>()(forecast(book));
  exact<RenewalForecast & Summary>()(forecast(book, { probability: { calibrated: rc, fallback: 0.8 } }));
  exact<RenewalForecast & Summary>()(forecast(book, { probability: { calibrated: rcReport.probability } }));
  exact<RenewalForecast & Summary>()(forecast(book, { probability: { bandPriors: { red: 0.7, green: 0.95 }, fallback: 0.85 } }));
  exact<RenewalForecast & Summary>()(forecast(book, { probability: { supplied: { 'A-1': 0.5 } } }));
  exact<Promise<RenewalForecast & Summary>>()(forecastAsync(book, forecastOptions));
  exact<string>()(fc.expectedRenewal);
  exact<string>()(fc.bestCase);
  const line = exact<RenewalLine>()(fc.lines[0]!);
  exact<number>()(line.pRenew);
  exact<number | null>()(line.score);
  exact<ForecastCategory>()(line.category);
  exact<Array<ForecastSubtotal>>()(fc.byMonth);
  exact<number>()(fc.bySegment[0]!.renewals);
  const distribution = exact<RenewalDistribution | null>()(fc.distribution);
  exact<string>()(distribution!.method);
  exact<number>()(distribution!.p90);
  const reconcileOptions: ReconcileOptions = { tolerance: 0.02, amountTolerance: 0.01, matchDays: 60, atRiskBands: ['red'] };
  const rec = exact<Reconciliation & Summary>()(reconcile(book, fc, reconcileOptions));
  exact<Reconciliation & Summary>()(reconcile(book, JSON.parse(JSON.stringify(fc)) as RenewalForecast));
  exact<number | null>()(rec.gap);
  exact<boolean>()(rec.passes);
  exact<string>()(rec.crmArr);
  const issue = exact<ReconciliationIssue>()(rec.issues[0]!);
  exact<string | null>()(issue.opportunityId);
  exact<'missing_opportunity' | 'no_renewal_due' | 'amount_mismatch' | 'close_date_outside_renewal_month' | 'commit_on_at_risk_account'>()(issue.kind);
  // @ts-expect-error -- options are camelCase
  forecast(book, { as_of: '2026-09-30' });
  // @ts-expect-error -- not an expansion source
  forecast(book, { expansion: 'pipeline' });
  // @ts-expect-error -- a probability source is named
  forecast(book, { probability: { red: 0.7 } });
  // @ts-expect-error -- band priors are numbers
  forecast(book, { probability: { bandPriors: { red: '0.7' } } });
  // @ts-expect-error -- the book comes first
  forecast(forecastOptions);
  // @ts-expect-error -- not a cut
  book.retention('2025-09-30', '2026-09-30', { by: 'colour' });
  // @ts-expect-error -- not a period
  book.retentionSeries('2025-09-30', '2026-09-30', { period: 'week' });
  // @ts-expect-error -- a scorecard, not its JSON
  book.healthAsOf(card.toJson());
  // @ts-expect-error -- reconcile takes the book, then the forecast
  reconcile(fc, book);
  // @ts-expect-error -- amounts are exact decimal text
  const forecastArr: number = fc.arr;
  void forecastArr;

  try {
    loadBook('exports/');
  } catch (e) {
    const err = e as CsopsError;
    switch (err.code) {
      case 'CSOPS_VALIDATION':
        exact<Array<Problem>>()(err.problems);
        exact<ValidationReport & ReportVerdict>()(err.report);
        break;
      case 'CSOPS_CONFIG':
        exact<Array<string>>()(err.problems);
        break;
      case 'CSOPS_FORMAT':
      case 'CSOPS_IO':
      case 'CSOPS_MONEY':
      case 'CSOPS_NOT_FOUND':
      case 'CSOPS_INVALID_ARGUMENT':
      case 'CSOPS_INTERNAL':
      case 'CSOPS_CANCELLED':
        exact<string>()(err.message);
        // @ts-expect-error -- only validation and config errors carry problems
        void err.problems;
        break;
      default: {
        const none: never = err; // every code is handled above
        void none;
      }
    }
    // @ts-expect-error -- not a csops error code
    if (err.code === 'CSOPS_VALIDATON') void err;
  }

  // @ts-expect-error -- the path is a string
  loadBook(42);
  // @ts-expect-error -- unknown mode
  loadBook('exports/', { mode: 'loose' });
  // @ts-expect-error -- options are camelCase
  loadBook('exports/', { header_map: {} });
  // @ts-expect-error -- CSV texts are strings
  loadBookCsv({ accounts: 5 });
  // @ts-expect-error -- the feature configuration keeps the core's snake_case keys
  book.featuresAsOf('2024-03-31', { usageWindowDays: 14 });
  // @ts-expect-error -- a day is a string or a Date
  book.featuresAsOf(20240331);
  // @ts-expect-error -- money is never a number
  const amount: number = account.arr.amount;
  void amount;
  // @ts-expect-error -- the report is read-only
  book.report = report;
}

/** Segmentation: conditions, tier rules, the account table, coverage, assignment, what-if. */
export async function segmentation(book: Book, card: Scorecard): Promise<void> {
  // Conditions: the text form, the structured form, or a Condition.
  const c = exact<Condition>()(new Condition('arr >= 100000 and region in ["EMEA"]'));
  const structured: ConditionJson = {
    and: [
      { field: 'arr', op: '>=', value: 100000 },
      { field: 'region', in: ['EMEA', 'NA'] },
      { not: { field: 'exec_sponsor_present' } },
      { or: ['band == "red"', { field: 'score', between: [0, 40] }] },
      { field: 'region', not_in: ['APAC'] },
      { field: 'owner_csm', is_null: true },
      { field: 'owner_csm', is_not_null: true },
    ],
  };
  exact<Condition>()(new Condition(structured));
  exact<Condition>()(Condition.fromJson(structured));
  exact<Condition>()(Condition.fromJson(JSON.stringify(structured)));
  exact<string>()(c.toString());
  exact<string>()(c.toJSON());
  exact<ConditionJson>()(c.toJson());
  exact<Array<string>>()(c.fields);
  const columns: AccountColumns = {
    id: ['A1', 'A2'],
    arr: new Float64Array([150000, NaN]),
    seats: [10, null],
    region: ['EMEA', null],
    exec_sponsor_present: [true, null],
    industry: { text: [null, null] },
    nps: { number: [null, null] },
    champion_present: { bool: [null, null] },
  };
  const column: ColumnValues = [1, null];
  void column;
  exact<Array<boolean>>()(c.filter(columns));
  // @ts-expect-error -- an operator of the language
  const badOp: ConditionJson = { field: 'arr', op: '=>', value: 1 };
  // @ts-expect-error -- values are numbers, text or yes/no
  const badValue: ConditionJson = { field: 'arr', op: '>=', value: null };
  // @ts-expect-error -- is_null takes true
  const badNull: ConditionJson = { field: 'arr', is_null: false };
  void [badOp, badValue, badNull];
  // @ts-expect-error -- a column holds numbers, text or yes/no values
  c.filter({ arr: [{}] });
  // @ts-expect-error -- numbers as a Float64Array, not another typed array
  c.filter({ arr: new Int32Array(2) });

  // Tier rules.
  const rules = exact<TierRules>()(TierRules.default());
  const data: TierRulesJson = {
    rules: [
      { tier: 'strategic', when: 'arr >= 100000' },
      { tier: 'scaled', when: { field: 'arr', op: '>=', value: 10000 } },
      { tier: 'emea', when: c },
    ],
    default_tier: 'digital',
  };
  exact<TierRules>()(new TierRules(data));
  exact<TierRules>()(TierRules.fromJson(JSON.stringify(data)));
  exact<TierRules>()(TierRules.fromToml('default_tier = "digital"\nrules = []\n'));
  exact<TierRulesJson>()(rules.toJson());
  exact<string>()(rules.toToml());
  exact<Array<string>>()(rules.tiers);
  exact<Array<string>>()(rules.assign(columns));
  // @ts-expect-error -- tier rules keep the core's snake_case keys
  TierRules.fromJson({ rules: [], defaultTier: 'digital' });

  // The account table: what conditions read.
  const tableOptions: AccountTableOptions = { features: { snapshot_metrics: ['active_users'] }, scorecard: card };
  const table = exact<AccountTable>()(book.accountTable());
  exact<AccountTable>()(book.accountTable('2026-09-30', tableOptions));
  exact<AccountTable>()(book.accountTable(new Date(), { features: false }));
  exact<Array<boolean>>()(c.filter(table));
  exact<Float64Array | Array<string | null> | Array<boolean | null>>()(table['arr']);

  // Segmentation of a book, and of the caller's own columns.
  const model: CoverageModelJson = { tiers: { high_touch: { accounts_per_csm: 15 }, mid_touch: { arr_per_csm: 2e6 }, digital: 'pooled' } };
  exact<CoverageModelJson>()(defaultCoverageModel());
  const roster: Array<Csm> = [{ name: 'ann', tier: 'high_touch' }, { name: 'bob', tier: 'mid_touch', fte: 0.5 }];
  const options: SegmentOptions = { rules, model, roster, asOf: '2026-09-30', features: true, scorecard: card };
  const s = exact<Segmentation & Summary>()(book.segment(options));
  exact<Segmentation & Summary>()(book.segment());
  exact<Segmentation & Summary>()(book.segment({ rules: data }));
  exact<Promise<Segmentation & Summary>>()(book.segmentAsync(options));
  const columnsOptions: SegmentColumnsOptions = { model, roster };
  exact<Segmentation & Summary>()(segmentColumns(columns, rules, columnsOptions));
  exact<Segmentation & Summary>()(segmentColumns(table));
  exact<AccountTier>()(s.tiers[0]!);
  exact<Array<Csm>>()(s.roster);
  const coverage = exact<Coverage>()(s.coverage);
  const tier = exact<TierCoverage>()(coverage.tiers[0]!);
  exact<{ accounts_per_csm: number } | { arr_per_csm: number } | 'pooled'>()(tier.capacity);
  exact<number>()(tier.needed);
  const load = exact<CsmLoad>()(coverage.csms[0]!);
  exact<string>()(load.status); // the core's text: over, under or ok
  exact<number>()(load.redAccounts);
  exact<number>()(coverage.unknownOwners[0]!.accounts);
  exact<number>()(coverage.unowned);
  const move = exact<AccountMove>()(s.assignment.moves[0]!);
  exact<string | null>()(move.from);
  exact<string | null>()(move.to);
  exact<Array<string | null>>()(s.assignment.owners);
  exact<number>()(s.assignment.unplaced);

  // What-if.
  const whatIfOptions: WhatIfOptions = { model, asOf: new Date(), scorecard: card };
  const w = exact<WhatIf & Summary>()(book.whatIf(rules, data, whatIfOptions));
  exact<string>()(whatIfColumns(columns, rules, data, { model }).summary);
  exact<TierChange>()(w.changes[0]!);
  const shift = exact<TierShift>()(w.tiers[0]!);
  exact<number>()(shift.neededAfter);

  // @ts-expect-error -- options are camelCase
  book.segment({ as_of: '2026-09-30' });
  // @ts-expect-error -- not a coverage target
  book.segment({ model: { tiers: { digital: 'pool' } } });
  // @ts-expect-error -- a roster entry names the CSM and the tier
  book.segment({ roster: [{ name: 'ann' }] });
  // @ts-expect-error -- the rules before and after
  book.whatIf(rules);
  // @ts-expect-error -- a Condition is made with `new`
  Condition('arr > 1');
}

/** Playbooks: plays as data, runs with a stored history, replay, effects, the log. */
export async function playbooks(book: Book, card: Scorecard, stored: string): Promise<void> {
  // Plays as data, with the core's snake_case keys.
  const triggers: Array<TriggerJson> = [
    { kind: 'level', when: 'band == "red" and arr >= 50000' },
    { kind: 'crossing', when: { field: 'score', op: '<', value: 40 } },
    { kind: 'change', field: 'logins_per_user_week', window_days: 30, drop: 0.3 },
    { kind: 'change', field: 'arr', window_days: 90, rise: 0.2, drop: null },
    { kind: 'event', event: 'sponsor_removed' },
    { kind: 'renewal', within_days: 120 },
    { kind: 'all', of: [{ kind: 'renewal', within_days: 120 }, { kind: 'any', of: [{ kind: 'level', when: new Condition('band != "green"') }] }] },
  ];
  const assignees: Array<AssigneeJson> = [{ to: 'owner' }, { to: 'role', role: 'renewals_manager' }, { to: 'queue', queue: 'scaled-cs' }];
  const actions: Array<PlayActionJson> = [
    { action: 'task', assign: assignees[0]!, title: '{name} turned red ({score})', body: '{reason}', due_in_days: 3, priority: 'high' },
    { action: 'task', assign: { to: 'owner' }, title: 'Call {name}', due_in_days: 1 },
    { action: 'tag', tag: 'at-risk' },
    { action: 'route', to: 'renewals-desk' },
  ];
  const play: PlayJson = { name: 'red-large', owner: 'cs-ops', mode: 'live', cooldown_days: 14, filter: 'arr >= 20000', trigger: triggers[0]!, actions };
  const data: PlaybookJson = { plays: [play, { name: 'quiet', owner: 'cs-ops', trigger: triggers[4]!, actions: [actions[2]!], filter: null }] };
  const pb = exact<Playbook>()(new Playbook(data));
  exact<Playbook>()(new Playbook(JSON.stringify(data)));
  exact<Playbook>()(Playbook.fromJson(data));
  exact<Playbook>()(Playbook.fromToml('[[plays]]\nname = "x"\n'));
  exact<Playbook>()(Playbook.sponsorLeft());
  exact<Array<string>>()(pb.plays);
  const written = exact<PlaybookJson>()(pb.toJson());
  exact<PlaybookJson>()(pb.toJSON());
  exact<Array<PlayJson>>()(written.plays);
  exact<TriggerJson>()(written.plays[0]!.trigger);
  exact<'live' | 'log_only' | undefined>()(written.plays[0]!.mode);
  const validateOptions: PlaybookValidateOptions = { asOf: '2026-09-30', scorecard: card, features: { usage_window_days: 14 } };
  exact<void>()(pb.validate(book, validateOptions));
  exact<void>()(pb.validate(book));

  // A run from a webhook handler: the history stored as JSON between calls.
  const options: PlayRunOptions = { history: JSON.parse(stored) as FireHistory, scorecard: card };
  const run = exact<PlayRun & Summary>()(runPlays(book, pb, '2026-09-30', options));
  exact<PlayRun & Summary>()(runPlays(book, data, new Date(), { history: stored }));
  exact<PlayRun & Summary>()(runPlays(book, pb, '2026-09-30', { history: { last_run: '2026-09-15' } }));
  exact<PlayRun & Summary>()(runPlays(book, JSON.stringify(data), '2026-09-30', null));
  exact<Promise<PlayRun & Summary>>()(runPlaysAsync(book, pb, '2026-09-30', options));
  exact<string>()(run.date);
  const fired = exact<Fired>()(run.fired[0]!);
  exact<string>()(fired.accountId);
  exact<string | null>()(fired.csm);
  exact<'live' | 'log_only'>()(fired.mode);
  exact<string>()(fired.reason);
  const action = exact<FiredAction>()(fired.actions[0]!);
  exact<'task' | 'tag' | 'route'>()(action.action);
  if (action.action === 'task') {
    exact<string>()(action.assignee);
    exact<string>()(action.due);
    exact<string>()(action.priority); // the core's text: low, normal, high or urgent
  } else if (action.action === 'tag') {
    exact<string>()(action.tag);
  } else {
    exact<string>()(action.to);
  }
  const history = exact<FireHistory>()(run.history);
  exact<string | null>()(history.last_run);
  exact<Record<string, Record<string, string>>>()(history.last_fired);
  exact<Array<[string, string]>>()(history.open_tasks);
  exact<Record<string, Array<Array<string>>>>()(history.holding);
  exact<string>()(JSON.stringify(history));
  exact<FireHistory>()(closeTask(history, 'red-large', 'A-1'));
  exact<FireHistory>()(closeTask(stored, 'red-large', 'A-1'));
  exact<FireHistory>()(closeTask({ open_tasks: [['red-large', 'A-1']] }, 'red-large', 'A-1'));

  // Replay, log-only, before go-live; effects; the log.
  const replay = exact<PlayReplay & Summary>()(replayPlays(book, pb, '2026-09-03', '2026-09-30', { history: { last_run: '2026-09-02' } }));
  exact<PlayReplay & Summary>()(replayPlays(book, pb, new Date(), new Date()));
  exact<Promise<PlayReplay & Summary>>()(replayPlaysAsync(book, pb, '2026-09-03', '2026-09-30', options));
  const replayOptions: PlayReplayOptions = { history: stored, scorecard: card, features: 'usage_window_days = 14' };
  exact<PlayReplay & Summary>()(replayPlays(book, pb, '2026-09-03', '2026-09-30', replayOptions));
  // @ts-expect-error -- a replay is for every account
  replayPlays(book, pb, '2026-09-03', '2026-09-30', { accounts: ['A-1'] });
  exact<Record<string, number>>()(replay.perPlay);
  exact<Record<string, number>>()(replay.perCsm);
  exact<Array<Fired>>()(replay.fired);
  exact<string>()(replay.from);
  const effectsOptions: PlayEffectsOptions = { horizonDays: 365, scorecard: card };
  const effects = exact<Array<PlayEffect>>()(playEffects(book, pb, replay.fired, effectsOptions));
  exact<Array<PlayEffect>>()(playEffects(book, pb, JSON.parse('[]') as Array<Fired>));
  exact<Promise<Array<PlayEffect>>>()(playEffectsAsync(book, pb, replay.fired));
  const effect = effects[0]!;
  exact<number>()(effect.firedRenewals);
  exact<number | null>()(effect.firedRate);
  exact<number | null>()(effect.otherRate);
  exact<Interval | null>()(effect.firedCi95);
  exact<HypothesisTest | null>()(effect.fisher);
  exact<string>()(effect.verdict);
  exact<string>()(renderFired(replay.fired));

  // @ts-expect-error -- playbook keys are snake_case, as in playbook files
  new Playbook({ plays: [{ ...play, cooldownDays: 14 }] });
  // @ts-expect-error -- not a trigger kind
  const sometimes: TriggerJson = { kind: 'sometimes' };
  // @ts-expect-error -- not an event
  const party: TriggerJson = { kind: 'event', event: 'party' };
  // @ts-expect-error -- a task needs its due days
  const undue: PlayActionJson = { action: 'task', assign: { to: 'owner' }, title: 'x' };
  // @ts-expect-error -- not a priority
  const asap: PlayActionJson = { action: 'task', assign: { to: 'owner' }, title: 'x', due_in_days: 1, priority: 'asap' };
  // @ts-expect-error -- a role assignee names the role
  const nobody: AssigneeJson = { to: 'role' };
  // @ts-expect-error -- not a mode
  const loud: PlayJson = { ...play, mode: 'loud' };
  void [sometimes, party, undue, asap, nobody, loud];
  // @ts-expect-error -- options are camelCase
  runPlays(book, pb, '2026-09-30', { fire_history: {} });
  // @ts-expect-error -- the history keeps the core's snake_case keys
  runPlays(book, pb, '2026-09-30', { history: { lastRun: '2026-09-15' } });
  // @ts-expect-error -- a day is a string or a Date
  runPlays(book, pb, 20260930);
  // @ts-expect-error -- the book comes first
  runPlays(pb, book, '2026-09-30');
  // @ts-expect-error -- a replay needs its last day
  replayPlays(book, pb, '2026-09-01');
  // @ts-expect-error -- closeTask names the play and the account
  closeTask(history, 'red-large');
  // @ts-expect-error -- the fired list, not the run
  playEffects(book, pb, run);
  // @ts-expect-error -- horizonDays is a number
  playEffects(book, pb, run.fired, { horizonDays: '365' });
  // @ts-expect-error -- the history is plain data, not to be mistaken for a run
  const notHistory: FireHistory = run;
  void notHistory;
}

/** A webhook handler: the book with the CRM's change, the account scored again, its plays run. */
export async function webhook(book: Book, card: Scorecard, pb: Playbook, history: FireHistory): Promise<void> {
  // Records in the JSON interchange layout (snake_case, as in JSON book documents).
  const spell: ContactRoleJson = { contact_id: 'C-1', role: 'executive_sponsor', added: '2025-01-01', removed: new Date() };
  const held: ContactRoleJson = { contact_id: 'C-1', role: 'champion', added: '2025-01-01', removed: null };
  const ticket: TicketJson = { id: 'T-1', account_id: 'A-1', opened: '2026-09-30', priority: 'high', status: 'open', escalated: true };
  const account: AccountJson = { id: 'A-1', name: 'Acme', currency: 'USD', arr: '48000.00', start_date: '2025-01-01', attributes: { source: 'web' } };
  const records: RecordsJson = { contact_roles: [spell, held], tickets: [ticket], accounts: [account] };
  const options: WithRecordsOptions = { mode: 'lenient' };
  const next = exact<Book>()(book.withRecords(records, options));
  exact<Book>()(book.withRecords(JSON.stringify(records)));
  exact<Book>()(book.withRecords({ schema_version: 1, contact_roles: [spell] }, null));
  exact<Promise<Book>>()(book.withRecordsAsync(records));
  exact<ValidationReport & ReportVerdict>()(next.report);

  // The account again, and the plays for it alone.
  const frame = await next.featuresAsOfAsync('2026-10-01');
  const why = card.explain(frame, 'A-1');
  exact<number | null>()(why.score);
  exact<Array<string>>()(why.drivers);
  const runOptions: PlayRunOptions = { history, scorecard: card, accounts: ['A-1'] };
  const run = exact<PlayRun & Summary>()(await runPlaysAsync(next, pb, '2026-10-01', runOptions));
  exact<string>()(JSON.stringify(run.history));
  exact<Array<Fired>>()(run.fired);

  // Bulk scoring: Float64Array columns in, the same account ids out.
  const scores = card.score({ accountIds: ['A-1'], columns: { logins: new Float64Array([3]) } }, { contributions: false });
  exact<Array<string>>()(scores.accountIds);
  exact<Float64Array>()(scores.scores);

  // Statistics on a data scientist's own columns, and a synthetic book.
  const auc = stats.rocAuc(new Float64Array([0.9, 0.1]), [true, false]);
  exact<number>()(auc.seDelong);
  const [test, df] = stats.logrank([1, 2, 3], [1, 0, 1], ['a', 'b', 'a']);
  exact<number>()(test.pValue + df);
  exact<Interval | null>()(stats.wilson(3, 10, stats.Z95));
  const synthetic: Book = generateBook({ accounts: 20, seed: 7, missingRate: 0.1 });
  // @ts-expect-error -- a seed is a number
  generateBook({ seed: 'seven' });
  void synthetic;

  // @ts-expect-error -- not a role
  const party: ContactRoleJson = { contact_id: 'C-1', role: 'sponsor', added: '2025-01-01' };
  // @ts-expect-error -- records keep the layout's snake_case keys
  const camel: RecordsJson = { contactRoles: [spell] };
  // @ts-expect-error -- amounts are exact decimal strings
  const float: AccountJson = { ...account, arr: 48000 };
  // @ts-expect-error -- a mode is 'strict' or 'lenient'
  book.withRecords(records, { mode: 'loose' });
  // @ts-expect-error -- the accounts are ids
  runPlays(next, pb, '2026-10-01', { accounts: 'A-1' });
  void [party, camel, float];
}

/** Errors narrow by `instanceof CsopsError` and by `isCsopsError`, then by `code`. */
export async function errors(): Promise<void> {
  try {
    await loadBookAsync('exports/');
  } catch (e) {
    if (e instanceof CsopsErrorClass) {
      exact<string>()(e.stack ?? '');
      if (e.code === 'CSOPS_VALIDATION') exact<Array<Problem>>()(e.problems);
      // @ts-expect-error -- only validation and config errors carry problems
      if (e.code === 'CSOPS_IO') void e.problems;
    }
    if (isCsopsError(e) && e.code === 'CSOPS_CONFIG') exact<Array<string>>()(e.problems);
    // @ts-expect-error -- not narrowed yet: an unknown value has no code
    void e.code;
  }
  // Configurations serialise as their data.
  const text: string = JSON.stringify(Scorecard.defaultHeuristic());
  void text;
}

/** The weekly report: plain data with its text, its page as a string or a file. */
export async function weeklyReport(book: Book): Promise<void> {
  const report = weekReport(book, { asOf: new Date(), tierRules: TierRules.default(), replayDays: 14 });
  exact<string>()(report.summary);
  exact<Array<ReportSection>>()(report.sections);
  exact<string>()(report.sections[0].charts[0].svg);
  const html: string = reportHtml(report);
  writeReportHtml(report, 'week.html');
  const later: Report = await weekReportAsync(book, null);
  void html;
  void later;
  // @ts-expect-error -- an unknown option is refused by the types too
  weekReport(book, { colour: 'blue' });
}
