// Typed usage of the public API, checked by `tsc --noEmit` (types.test.mjs): it must compile
// against the generated index.d.ts, and every `@ts-expect-error` line must be an error.
// Never executed.
import {
  Book,
  FeatureFrame,
  defaultFeatureConfig,
  loadBook,
  loadBookAsync,
  loadBookCsv,
  loadBookJson,
  version,
} from 'csops';
import type {
  Account,
  BookCounts,
  ColumnSummary,
  CsopsError,
  FeatureConfig,
  FileCounts,
  LoadOptions,
  Money,
  Problem,
  ProblemKind,
  RejectedRow,
  ValidationReport,
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

  const report = exact<ValidationReport>()(book.report);
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

  try {
    loadBook('exports/');
  } catch (e) {
    const err = e as CsopsError;
    switch (err.code) {
      case 'CSOPS_VALIDATION':
        exact<Array<Problem>>()(err.problems);
        exact<ValidationReport>()(err.report);
        break;
      case 'CSOPS_CONFIG':
        exact<Array<string>>()(err.problems);
        break;
      case 'CSOPS_FORMAT':
      case 'CSOPS_IO':
      case 'CSOPS_MONEY':
      case 'CSOPS_INVALID_ARGUMENT':
      case 'CSOPS_INTERNAL':
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
