// The csops package's types: the binding's (binding.d.ts, generated from the Rust sources and
// the core's serde types) and the error class index.js adds.
export * from './binding.js';
import type { CsopsError as CsopsErrorDetails } from './binding.js';

/**
 * An error csops threw: an `Error` with a stable `code` (`CSOPS_VALIDATION`, `CSOPS_CONFIG`,
 * ...) and the details of that code. Narrow with `instanceof CsopsError` or
 * `isCsopsError(e)`, then on `code`:
 *
 * ```ts
 * try {
 *   loadBook('exports/')
 * } catch (e) {
 *   if (e instanceof CsopsError && e.code === 'CSOPS_VALIDATION') console.log(e.problems.length)
 * }
 * ```
 */
export type CsopsError = Error & CsopsErrorDetails;

/**
 * The class of csops errors, for `instanceof`: `err instanceof CsopsError` holds for every
 * error csops throws (an `Error` whose `code` starts with `CSOPS_`), sync or async.
 */
export declare const CsopsError: {
  readonly prototype: Error;
  [Symbol.hasInstance](value: unknown): value is CsopsError;
};

/** Whether `value` is an error csops threw (an `Error` whose `code` starts with `CSOPS_`). */
export declare function isCsopsError(value: unknown): value is CsopsError;
