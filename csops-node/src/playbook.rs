//! Playbooks: the `Playbook` class (plays as data), running them on a day (`runPlays`,
//! `runPlaysAsync`), replaying them log-only over a past window (`replayPlays`,
//! `replayPlaysAsync`), what happened after they fired (`playEffects`, `playEffectsAsync`),
//! the plain-text log (`renderFired`) and closing a task (`closeTask`). Every decision comes
//! from csops-core (`csops_core::playbook`); this module only reads arguments, runs the core on
//! or off the main thread, and converts.
//!
//! A playbook is configuration: given as an object it is read as `JSON.stringify` writes it
//! and parsed by the core, with the core's snake_case keys, as in playbook files. The fire
//! history is data the caller keeps between runs (typically as JSON in its own database): a
//! plain object in the core's serde form (`{ last_run, last_fired, open_tasks, holding }`),
//! returned by every run and read back by the next one. Maps in it are keyed by play name and
//! account id, so it is written with defined (not assigned) properties: an account called
//! `__proto__` is a plain own key, not a prototype.

use std::sync::Arc;

use chrono::NaiveDate;
use csops_core::features::FeatureConfig;
use csops_core::health as core_health;
use csops_core::interchange::Loaded;
use csops_core::playbook::{
    self as core_playbook, FireHistory as CoreHistory, Fired as CoreFired,
    Playbook as CorePlaybook, RunContext,
};
use napi::bindgen_prelude::{
    AsyncTask, ClassInstance, FromNapiValue, JavaScriptClassExt, This, Unknown,
};
use napi::{Env, JsValue, Task, ValueType};
use napi_derive::napi;

use crate::args;
use crate::error::{Failure, guard, invalid, js};
use crate::health::called_with_new;
use crate::results::{Js, to_js, to_js_with_summary};
use csops_core::options::{Casing, from_argument};

// A playbook given as data is read by the core (serde); its TypeScript types (`PlaybookJson`,
// `PlayJson`, `TriggerJson`, ...) are the core's (`types.d.ts`).

// ---------------------------------------------------------------------------------------------
// Options (type-only: read key by key).
// ---------------------------------------------------------------------------------------------

/// Options of `runPlays` and `runPlaysAsync`. Every key is optional; an unknown key or a value
/// of the wrong type is a `CSOPS_INVALID_ARGUMENT` error, invalid configuration a
/// `CSOPS_CONFIG` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct PlayRunOptions {
    /// The history the previous run returned (default: none, a first run), as the object or
    /// its JSON text. Keys left out take their empty default; an unknown key is a
    /// `CSOPS_INVALID_ARGUMENT` error (a misspelt key must not silently empty the history).
    #[napi(ts_type = "Partial<FireHistory> | string")]
    pub history: Option<String>,
    /// The scorecard that gives plays `score` and `band` (without one those fields do not
    /// exist, and a play using them is a `CSOPS_CONFIG` error).
    #[napi(ts_type = "Scorecard")]
    pub scorecard: Option<String>,
    /// The feature definitions (default: `defaultFeatureConfig()`): a `FeatureConfig` object
    /// (snake_case keys) or its JSON or TOML text.
    #[napi(ts_type = "FeatureConfig | string")]
    pub features: Option<String>,
    /// Run for these accounts only (by id; default: every account), as a webhook does when one
    /// account's record changed. Features (and percentile scores) are still derived for the
    /// whole book, but only these accounts can fire, and the rest of the history is returned
    /// as it was given: the run does not move `last_run` (the next full run still sees the
    /// day's events of other accounts; the day's fires for these accounts stay once a day),
    /// and it starts no crossing play's state (a play's first full run does). An id not in the
    /// book is a `CSOPS_CONFIG` error.
    pub accounts: Option<Vec<String>>,
}

/// Options of `replayPlays` and `replayPlaysAsync`. Every key is optional; an unknown key or a
/// value of the wrong type is a `CSOPS_INVALID_ARGUMENT` error, invalid configuration a
/// `CSOPS_CONFIG` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct PlayReplayOptions {
    /// `replayPlaysAsync` only: called with the replay's progress.
    #[napi(ts_type = "(progress: ProgressEvent) => void")]
    pub on_progress: Option<String>,
    /// `replayPlaysAsync` only: aborting it stops the replay (a `CSOPS_CANCELLED` `AbortError`).
    #[napi(
        ts_type = "{ readonly aborted: boolean; addEventListener(type: 'abort', listener: () => void): void }"
    )]
    pub signal: Option<String>,
    /// The history to start from (default: none), as the object or its JSON text, read as
    /// `runPlays` reads it.
    #[napi(ts_type = "Partial<FireHistory> | string")]
    pub history: Option<String>,
    /// The scorecard that gives plays `score` and `band`.
    #[napi(ts_type = "Scorecard")]
    pub scorecard: Option<String>,
    /// The feature definitions (default: `defaultFeatureConfig()`).
    #[napi(ts_type = "FeatureConfig | string")]
    pub features: Option<String>,
}

/// Options of `playbook.validate`. An unknown key is a `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct PlaybookValidateOptions {
    /// The day whose fields are checked against (default: the book's latest date).
    #[napi(ts_type = "string | Date")]
    pub as_of: Option<String>,
    /// The scorecard the plays will run with (`score` and `band` exist only with one).
    #[napi(ts_type = "Scorecard")]
    pub scorecard: Option<String>,
    /// The feature definitions the plays will run with (default:
    /// `defaultFeatureConfig()`).
    #[napi(ts_type = "FeatureConfig | string")]
    pub features: Option<String>,
}

/// Options of `playEffects` and `playEffectsAsync`. An unknown key is a
/// `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct PlayEffectsOptions {
    /// How many days after firing a renewal counts (default 365).
    pub horizon_days: Option<u32>,
    /// The scorecard the plays ran with (for filters reading `score` or `band`).
    #[napi(ts_type = "Scorecard")]
    pub scorecard: Option<String>,
    /// The feature definitions the plays ran with (default: `defaultFeatureConfig()`).
    #[napi(ts_type = "FeatureConfig | string")]
    pub features: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Reading arguments.
// ---------------------------------------------------------------------------------------------

/// An object argument as JSON text, as `JSON.stringify` writes it (which throws, rather than
/// overflowing the stack, on an absurdly deep or circular object).
fn stringify(env: &Env, name: &str, v: Unknown) -> Result<String, Failure> {
    let text = args::global(env, "JSON", "stringify")?
        .call(v)
        .map_err(|e| invalid(format!("`{name}` cannot be written as JSON: {}", e.reason)))?;
    args::string(name, text)
}

/// A playbook as JSON text: a string as given, an object as `JSON.stringify` writes it.
fn playbook_json(env: &Env, name: &str, v: Unknown) -> Result<String, Failure> {
    if matches!(v.get_type(), Ok(ValueType::String)) {
        return args::string(name, v);
    }
    args::require_object(
        name,
        &v,
        "a playbook as data { plays: [...] } (snake_case keys, as in playbook files) or its \
         JSON text",
    )?;
    stringify(env, name, v)
}

/// A playbook argument: a `Playbook` (shared), or its data (an object, or JSON text).
pub(crate) fn playbook(env: &Env, name: &str, v: Unknown) -> Result<Arc<CorePlaybook>, Failure> {
    if Playbook::instance_of(env, &v).unwrap_or(false) {
        let p =
            ClassInstance::<Playbook>::from_unknown(v).map_err(|e| args::napi_failure(name, e))?;
        return Ok(Arc::clone(&p.inner));
    }
    if !matches!(v.get_type(), Ok(ValueType::String | ValueType::Object))
        || v.is_array().unwrap_or(false)
    {
        return Err(invalid(format!(
            "`{name}` must be a Playbook, a playbook as data {{ plays: [...] }} or its JSON \
             text, got {}",
            args::type_name(&v)
        )));
    }
    let text = playbook_json(env, name, v)?;
    guard(|| CorePlaybook::from_json(&text)).map(Arc::new)
}

/// A fire history in the core's serde form: an object, or its JSON text. The core reads it
/// (refusing keys its form does not have, naming the key at fault): a `CSOPS_CONFIG` error.
fn history(env: &Env, name: &str, v: Unknown) -> Result<CoreHistory, Failure> {
    let expected = "a fire history { last_run, last_fired, open_tasks, holding } (as runPlays \
                    returns it) or its JSON text";
    let text = if matches!(v.get_type(), Ok(ValueType::String)) {
        args::string(name, v)?
    } else {
        args::require_object(name, &v, expected)?;
        stringify(env, name, v)?
    };
    guard(|| CoreHistory::from_json(&text))
}

/// Fired plays given back (as `runPlays` or `replayPlays` returns them, or their JSON
/// parsed), read by the core: a missing or mistyped field is a `CSOPS_INVALID_ARGUMENT` error
/// naming where.
fn fired_list(env: &Env, name: &str, v: Unknown) -> Result<Vec<CoreFired>, Failure> {
    let value = crate::options::value_of(env, name, v, 0)?.unwrap_or(serde_json::Value::Null);
    from_argument(name, value, Casing::Camel).map_err(|e| match e {
        // Every part of a fired play is its shape: a bad day or mode makes it malformed.
        csops_core::Error::Config(p) => invalid(p.join("; ")),
        other => Failure::Core(other),
    })
}

/// What plays run with besides the book: the scorecard, the feature definitions, and (for a
/// run) the accounts it is for.
#[derive(Debug, Default)]
struct Context {
    scorecard: Option<Arc<core_health::Scorecard>>,
    features: FeatureConfig,
    accounts: Option<Vec<String>>,
    /// The progress hook of an async replay (none otherwise).
    progress: csops_core::progress::ProgressHook,
}

impl Context {
    /// Read the context option `key` (`scorecard` or `features`); `false` for another key.
    fn read(&mut self, env: &Env, key: &str, field: &str, value: Unknown) -> Result<bool, Failure> {
        match key {
            "scorecard" => self.scorecard = Some(crate::health::scorecard(env, value)?),
            "features" => {
                self.features = crate::options::feature_config_named(env, field, Some(value))?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn run_context(&self) -> RunContext<'_> {
        RunContext {
            scorecard: self.scorecard.as_deref(),
            features: self.features.clone(),
            accounts: self.accounts.as_deref(),
            progress: self.progress.clone(),
        }
    }
}

/// Options given as an object with only the keys in `known` (besides `scorecard` and
/// `features`), each present value read by `read` (`undefined` or `null` values are left out).
fn options<'env>(
    env: &'env Env,
    v: Option<Unknown<'env>>,
    expected: &str,
    known: &[&str],
    mut read: impl FnMut(&str, &str, Unknown<'env>) -> Result<(), Failure>,
) -> Result<Context, Failure> {
    let mut ctx = Context::default();
    let Some(v) = args::present(v) else {
        return Ok(ctx);
    };
    for (key, value) in args::entries(env, "options", v, expected)? {
        if !["scorecard", "features"].contains(&key.as_str()) && !known.contains(&key.as_str()) {
            return Err(invalid(format!(
                "`options` has an unknown key `{key}`; expected {expected}"
            )));
        }
        let Some(value) = args::present(Some(value)) else {
            continue;
        };
        let field = format!("options.{key}");
        if !ctx.read(env, &key, &field, value)? {
            read(&key, &field, value)?;
        }
    }
    Ok(ctx)
}

/// `runPlays` options (`scoped`: `accounts` is one) and `replayPlays` options: the history
/// and the context.
fn run_options(
    env: &Env,
    v: Option<Unknown>,
    scoped: bool,
) -> Result<(CoreHistory, Context), Failure> {
    let mut h = CoreHistory::default();
    let mut accounts = None;
    let (expected, known): (_, &[&str]) = if scoped {
        (
            "an object such as { history, scorecard, features, accounts }",
            &["history", "accounts"],
        )
    } else {
        (
            "an object such as { history, scorecard, features }",
            &["history"],
        )
    };
    let mut ctx = options(env, v, expected, known, |key, field, value| {
        match key {
            "accounts" => accounts = Some(args::string_array(field, value)?),
            _ => h = history(env, field, value)?,
        }
        Ok(())
    })?;
    ctx.accounts = accounts;
    Ok((h, ctx))
}

// ---------------------------------------------------------------------------------------------
// Running the core.
// ---------------------------------------------------------------------------------------------

/// What a run needs: the book, the playbook, the day, the history and the context.
type RunInput = (
    Arc<Loaded>,
    Arc<CorePlaybook>,
    NaiveDate,
    CoreHistory,
    Context,
);

fn run_input(
    env: &Env,
    book: Unknown,
    playbook: Unknown,
    day: Unknown,
    options: Option<Unknown>,
) -> Result<RunInput, Failure> {
    let book = crate::book::book(env, book)?;
    let playbook = self::playbook(env, "playbook", playbook)?;
    let day = args::date("day", day)?;
    let (history, ctx) = run_options(env, options, true)?;
    Ok((book, playbook, day, history, ctx))
}

fn run_core((loaded, playbook, day, history, ctx): RunInput) -> Result<Js, Failure> {
    let run =
        guard(|| core_playbook::run(&loaded.book, &playbook, day, &history, &ctx.run_context()))?;
    to_js_with_summary(&run, run.render())
}

/// What a replay needs: the book, the playbook, the window, the history and the context.
type ReplayInput = (
    Arc<Loaded>,
    Arc<CorePlaybook>,
    NaiveDate,
    NaiveDate,
    CoreHistory,
    Context,
);

fn replay_input(
    env: &Env,
    book: Unknown,
    playbook: Unknown,
    from: Unknown,
    to: Unknown,
    options: Option<Unknown>,
    run_async: bool,
) -> Result<ReplayInput, Failure> {
    let book = crate::book::book(env, book)?;
    let playbook = self::playbook(env, "playbook", playbook)?;
    let from = args::date("from", from)?;
    let to = args::date("to", to)?;
    let (options, hook) = crate::progress::take(env, "options", options, run_async)?;
    let (history, mut ctx) = run_options(env, options, false)?;
    ctx.progress = hook;
    Ok((book, playbook, from, to, history, ctx))
}

fn replay_core((loaded, playbook, from, to, history, ctx): ReplayInput) -> Result<Js, Failure> {
    let replay = guard(|| {
        core_playbook::replay(
            &loaded.book,
            &playbook,
            from,
            to,
            &history,
            &ctx.run_context(),
        )
    })?;
    to_js_with_summary(&replay, replay.render())
}

/// What `playEffects` needs: the book, the playbook, what fired, the horizon and the context.
type EffectsInput = (Arc<Loaded>, Arc<CorePlaybook>, Vec<CoreFired>, u32, Context);

fn effects_input(
    env: &Env,
    book: Unknown,
    playbook: Unknown,
    fired: Unknown,
    options: Option<Unknown>,
) -> Result<EffectsInput, Failure> {
    let book = crate::book::book(env, book)?;
    let playbook = self::playbook(env, "playbook", playbook)?;
    let fired = fired_list(env, "fired", fired)?;
    let mut horizon = csops_core::playbook::DEFAULT_HORIZON_DAYS;
    let ctx = self::options(
        env,
        options,
        "an object such as { horizonDays: 365, scorecard, features }",
        &["horizonDays"],
        |_, field, value| {
            horizon = args::whole_number(field, value)?;
            Ok(())
        },
    )?;
    Ok((book, playbook, fired, horizon, ctx))
}

fn effects_core((loaded, playbook, fired, horizon, ctx): EffectsInput) -> Result<Js, Failure> {
    to_js(&guard(|| {
        core_playbook::play_effects(&loaded.book, &playbook, &fired, horizon, &ctx.run_context())
    })?)
}

// The task types come before the functions returning them: the TypeScript generator reads
// a task's output type from its `impl Task`, in source order.

/// Runs a playbook on a worker thread (`runPlaysAsync`).
#[derive(Debug)]
pub struct RunPlaysTask {
    input: Option<Result<RunInput, Failure>>,
}

#[napi]
impl Task for RunPlaysTask {
    type Output = Result<Js, Failure>;
    type JsValue = Js;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok(input)) => run_core(input),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the run task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Js> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// Replays a playbook on a worker thread (`replayPlaysAsync`).
#[derive(Debug)]
pub struct ReplayPlaysTask {
    input: Option<Result<ReplayInput, Failure>>,
}

#[napi]
impl Task for ReplayPlaysTask {
    type Output = Result<Js, Failure>;
    type JsValue = Js;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok(input)) => replay_core(input),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the replay task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Js> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// Measures plays' effects on a worker thread (`playEffectsAsync`).
#[derive(Debug)]
pub struct PlayEffectsTask {
    input: Option<Result<EffectsInput, Failure>>,
}

#[napi]
impl Task for PlayEffectsTask {
    type Output = Result<Js, Failure>;
    type JsValue = Js;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok(input)) => effects_core(input),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the effects task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Js> {
        output.map_err(|f| f.into_js(&env))
    }
}

// ---------------------------------------------------------------------------------------------
// Functions.
// ---------------------------------------------------------------------------------------------

/// Run a playbook on `day` (`YYYY-MM-DD` or a `Date`, its UTC day): the plays that fire, and
/// the history to store for the next run. Pure: the same inputs give the same output, and a
/// run with the history it returned fires nothing new. A play fires for an account when its
/// filter holds and its trigger fires, unless it fired for the account the same day or within
/// its cooldown, or a task it created for the account is still open (see `closeTask`).
/// Events count from the day after the history's `last_run` (the day itself on a first run).
/// The playbook is checked against the day's fields first: every problem at once, as a
/// `CSOPS_CONFIG` error. With `options.accounts` the run is for those accounts only (a webhook
/// reacting to one account's change): the rest of the history comes back as it was given.
#[napi(
    ts_args_type = "book: Book, playbook: Playbook | PlaybookJson | string, day: string | Date, options?: PlayRunOptions | null",
    ts_return_type = "PlayRun & Summary"
)]
pub fn run_plays(
    env: Env,
    book: Unknown,
    playbook: Unknown,
    day: Unknown,
    options: Option<Unknown>,
) -> napi::Result<Js> {
    js(&env, || {
        run_input(&env, book, playbook, day, options).and_then(run_core)
    })
}

/// `runPlays` on a worker thread (features are derived off the event loop). Every error
/// (including a bad argument) rejects the promise; nothing is thrown synchronously.
#[napi(
    ts_args_type = "book: Book, playbook: Playbook | PlaybookJson | string, day: string | Date, options?: PlayRunOptions | null",
    ts_return_type = "Promise<PlayRun & Summary>"
)]
pub fn run_plays_async(
    env: Env,
    book: Unknown,
    playbook: Unknown,
    day: Unknown,
    options: Option<Unknown>,
) -> AsyncTask<RunPlaysTask> {
    AsyncTask::new(RunPlaysTask {
        input: Some(run_input(&env, book, playbook, day, options)),
    })
}

/// Replay a playbook day by day from `from` to `to` (inclusive), starting from
/// `options.history`, every play as log-only, tasks taken as done on their due day: what
/// would have fired, with counts per play and per assignee — the noise to review before
/// go-live. The same as running `runPlays` day by day. At most ten years; `from` after `to`
/// is a `CSOPS_CONFIG` error.
#[napi(
    ts_args_type = "book: Book, playbook: Playbook | PlaybookJson | string, from: string | Date, to: string | Date, options?: PlayReplayOptions | null",
    ts_return_type = "PlayReplay & Summary"
)]
pub fn replay_plays(
    env: Env,
    book: Unknown,
    playbook: Unknown,
    from: Unknown,
    to: Unknown,
    options: Option<Unknown>,
) -> napi::Result<Js> {
    js(&env, || {
        replay_input(&env, book, playbook, from, to, options, false).and_then(replay_core)
    })
}

/// `replayPlays` on a worker thread. Every error (including a bad argument) rejects the
/// promise; nothing is thrown synchronously.
#[napi(
    ts_args_type = "book: Book, playbook: Playbook | PlaybookJson | string, from: string | Date, to: string | Date, options?: PlayReplayOptions | null",
    ts_return_type = "Promise<PlayReplay & Summary>"
)]
pub fn replay_plays_async(
    env: Env,
    book: Unknown,
    playbook: Unknown,
    from: Unknown,
    to: Unknown,
    options: Option<Unknown>,
) -> AsyncTask<ReplayPlaysTask> {
    AsyncTask::new(ReplayPlaysTask {
        input: Some(replay_input(&env, book, playbook, from, to, options, true)),
    })
}

/// Each play's effect (plays that never fired in `fired` are left out): the renewal rate of
/// the accounts it fired on (their first renewal within `options.horizonDays` after firing)
/// against accounts it did not fire on that passed its filter and renewed in the same period,
/// with Wilson intervals and Fisher's exact test. Plays fire on accounts at risk, so a lower
/// rate for them is expected; compare a period the play ran live with one it ran log-only for
/// the effect of the action itself. `fired` is what `runPlays` or `replayPlays` returned (or
/// its JSON parsed).
#[napi(
    ts_args_type = "book: Book, playbook: Playbook | PlaybookJson | string, fired: Array<Fired>, options?: PlayEffectsOptions | null",
    ts_return_type = "Array<PlayEffect>"
)]
pub fn play_effects(
    env: Env,
    book: Unknown,
    playbook: Unknown,
    fired: Unknown,
    options: Option<Unknown>,
) -> napi::Result<Js> {
    js(&env, || {
        effects_input(&env, book, playbook, fired, options).and_then(effects_core)
    })
}

/// `playEffects` on a worker thread. Every error (including a bad argument) rejects the
/// promise; nothing is thrown synchronously.
#[napi(
    ts_args_type = "book: Book, playbook: Playbook | PlaybookJson | string, fired: Array<Fired>, options?: PlayEffectsOptions | null",
    ts_return_type = "Promise<Array<PlayEffect>>"
)]
pub fn play_effects_async(
    env: Env,
    book: Unknown,
    playbook: Unknown,
    fired: Unknown,
    options: Option<Unknown>,
) -> AsyncTask<PlayEffectsTask> {
    AsyncTask::new(PlayEffectsTask {
        input: Some(effects_input(&env, book, playbook, fired, options)),
    })
}

/// Fired plays as plain text, one line each: day, play, account, `fired` or `would fire`,
/// the reason, and the task's assignee, title and due day.
#[napi(ts_args_type = "fired: Array<Fired>")]
pub fn render_fired(env: Env, fired: Unknown) -> napi::Result<String> {
    js(&env, || {
        let fired = fired_list(&env, "fired", fired)?;
        guard(|| Ok(core_playbook::render_fired(&fired)))
    })
}

/// The history with the task `play` created for `accountId` closed (done or dropped), so the
/// play may create another (after its cooldown). A new object; `history` is not changed.
/// Closing a task that is not open returns the history as it is (in its full form).
#[napi(
    ts_args_type = "history: Partial<FireHistory> | string, play: string, accountId: string",
    ts_return_type = "FireHistory"
)]
pub fn close_task(
    env: Env,
    history: Unknown,
    play: Unknown,
    account_id: Unknown,
) -> napi::Result<Js> {
    js(&env, || {
        let mut h = self::history(&env, "history", history)?;
        let play = args::string("play", play)?;
        let account_id = args::string("accountId", account_id)?;
        guard(|| {
            h.close_task(&play, &account_id);
            Ok(())
        })?;
        to_js(&h)
    })
}

// ---------------------------------------------------------------------------------------------
// The class.
// ---------------------------------------------------------------------------------------------

/// Plays as data: each a trigger, a filter, actions, a mode (log-only by default), a cooldown
/// and an owner. Immutable; made by `new Playbook(config)` (as `Playbook.fromJson`),
/// `Playbook.fromToml` or `Playbook.sponsorLeft()`. Conditions are parsed when the playbook is
/// read; fields and template placeholders are checked against the accounts it runs on
/// (`validate`, and every run), every problem at once as a `CSOPS_CONFIG` error.
#[napi]
#[derive(Debug)]
pub struct Playbook {
    inner: Arc<CorePlaybook>,
}

impl Playbook {
    fn wrap(playbook: CorePlaybook) -> Self {
        Playbook {
            inner: Arc::new(playbook),
        }
    }

    /// The playbook as data, in the core's serde form.
    fn data(&self) -> Result<serde_json::Value, Failure> {
        serde_json::to_value(self.inner.as_ref())
            .map_err(|e| Failure::Internal(format!("writing the playbook: {e}")))
    }
}

#[napi]
impl Playbook {
    /// Read a playbook from its JSON text or the same data as an object, as
    /// `Playbook.fromJson` does.
    #[napi(constructor, ts_args_type = "config: string | PlaybookJson")]
    pub fn new(env: Env, this: This, config: Unknown) -> napi::Result<Playbook> {
        js(&env, || {
            called_with_new::<Playbook>(&env, &this, "Playbook", "config")
        })?;
        Playbook::from_json(env, config)
    }

    /// Read a playbook from its JSON text or the same data as an object (snake_case keys, as
    /// in playbook files; an object is read as `JSON.stringify` writes it, so a `Condition`
    /// may stand for a condition). A malformed one (an unknown key, a missing field, a
    /// condition that does not parse) is a `CSOPS_CONFIG` error.
    #[napi(factory, ts_args_type = "json: string | PlaybookJson")]
    pub fn from_json(env: Env, json: Unknown) -> napi::Result<Playbook> {
        js(&env, || {
            let text = playbook_json(&env, "json", json)?;
            guard(|| CorePlaybook::from_json(&text)).map(Playbook::wrap)
        })
    }

    /// Read a playbook from TOML text (`[[plays]]` tables). A malformed one is a
    /// `CSOPS_CONFIG` error.
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_toml(env: Env, text: Unknown) -> napi::Result<Playbook> {
        js(&env, || {
            let text = args::string("text", text)?;
            guard(|| CorePlaybook::from_toml(&text)).map(Playbook::wrap)
        })
    }

    /// Read a playbook from its `.toml` or `.json` file (the core's `load`, as Python's
    /// `load`). Another extension or an invalid file is a `CSOPS_CONFIG` error; an unreadable
    /// one `CSOPS_IO`.
    #[napi(factory, ts_args_type = "path: string")]
    pub fn load(env: Env, path: Unknown) -> napi::Result<Playbook> {
        js(&env, || {
            let path = std::path::PathBuf::from(args::string("path", path)?);
            guard(|| CorePlaybook::load(&path)).map(Playbook::wrap)
        })
    }

    /// A playbook of one play, `sponsor-left`: when an executive sponsor leaves, a
    /// high-priority re-engagement task for the account's CSM, due in 7 days, for accounts
    /// with ARR; cooldown 30 days; log-only, as every new play should start.
    #[napi(factory)]
    pub fn sponsor_left(env: Env) -> napi::Result<Playbook> {
        js(&env, || {
            guard(|| {
                Ok(CorePlaybook {
                    schema_version: 1,
                    plays: vec![core_playbook::sponsor_left_play()],
                })
            })
            .map(Playbook::wrap)
        })
    }

    /// The play names, in order.
    #[napi(getter)]
    pub fn plays(&self) -> Vec<String> {
        self.inner.plays.iter().map(|p| p.name.clone()).collect()
    }

    /// The playbook as data, with every key (snake_case, each condition in its text form);
    /// `Playbook.fromJson` reads it back.
    #[napi(ts_return_type = "PlaybookJson")]
    pub fn to_json(&self, env: Env) -> napi::Result<serde_json::Value> {
        js(&env, || self.data())
    }

    /// The same data as `toJson`, for `JSON.stringify(playbook)`.
    #[napi(js_name = "toJSON", ts_return_type = "PlaybookJson")]
    pub fn to_json_data(&self, env: Env) -> napi::Result<serde_json::Value> {
        js(&env, || self.data())
    }

    /// The playbook as TOML text (a playbook file); `Playbook.fromToml` reads it back.
    #[napi]
    pub fn to_toml(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| self.inner.to_toml()))
    }

    /// Check every play against the fields of `book`'s accounts on `options.asOf` (default:
    /// the book's latest date) — the account fields, the features, and with
    /// `options.scorecard` `score` and `band`: conditions, change-trigger fields, template
    /// placeholders, names, owners, priorities. Throws a `CSOPS_CONFIG` error listing every
    /// problem; returns nothing when the playbook is valid.
    #[napi(ts_args_type = "book: Book, options?: PlaybookValidateOptions | null")]
    pub fn validate(&self, env: Env, book: Unknown, options: Option<Unknown>) -> napi::Result<()> {
        js(&env, || {
            let loaded = crate::book::book(&env, book)?;
            let mut as_of = None;
            let ctx = self::options(
                &env,
                options,
                "an object such as { asOf, scorecard, features }",
                &["asOf"],
                |_, field, value| {
                    as_of = Some(args::date(field, value)?);
                    Ok(())
                },
            )?;
            let day = crate::book::day_or_latest(&loaded, as_of)?;
            guard(|| {
                let table = core_playbook::play_table(&loaded.book, day, &ctx.run_context())?;
                self.inner.validate(&table.schema())
            })
        })
    }
}
