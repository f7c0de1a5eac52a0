//! Health scoring: the `Scorecard` class, its async scoring task, and `trend`. Every score,
//! `trend`. Every score,
//! band, weight and driver comes from csops-core; this module only converts.

use std::sync::Arc;

use chrono::NaiveDate;
use csops_core::health::{
    self as core_health, NOT_SCORED, Override as CoreOverride, ScoreDetail, ScoreFrame,
};
use csops_core::options::Casing;
use napi::ValueType;
use napi::bindgen_prelude::{
    AsyncTask, Float64Array, FnArgs, JavaScriptClassExt, JsObjectValue, Null, Object, This,
    ToNapiValue, Unknown,
};
use napi::bindgen_prelude::{ClassInstance, FromNapiValue};
use napi::{Env, Property, ScopedTask, UnknownRef};
use napi_derive::napi;

use crate::args::{
    self, date, entries, global, napi_failure, present, require_object, string, string_array,
    type_name,
};
use crate::error::{Failure, guard, invalid, js};
use crate::features::{Features, FeaturesRef, OwnedFeatures};
use crate::pool;
use crate::results::{Js, to_js, to_js_with};

/// Features to score, as columns: one account id per row, and one column per feature aligned
/// with them. A value that is `NaN` or `null` is missing.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ScoreColumns {
    /// Account ids, one per row.
    pub account_ids: Vec<String>,
    /// Feature columns keyed by feature name, each as long as `accountIds`. A `Float64Array`
    /// is read in place by `score` (and copied by `scoreAsync`); an array is copied.
    #[napi(ts_type = "Record<string, Float64Array | Array<number | null>>")]
    pub columns: std::collections::BTreeMap<String, Vec<f64>>,
}

/// Scores of a batch of accounts, by column: row `i` of every column is account
/// `accountIds[i]`.
#[napi(object, object_from_js = false)]
pub struct Scores<'env> {
    /// Account ids, in input order: for columns, the very array given (not a copy).
    #[napi(ts_type = "Array<string>")]
    pub account_ids: Unknown<'env>,
    /// Scores 0–100; `NaN` where coverage is below the scorecard's `min_coverage`
    /// (insufficient data).
    pub scores: Float64Array,
    /// Band names; `null` where not scored. Made from `bandCodes` when first read (a
    /// getter): bulk work that reads `bandCodes` never pays for a million strings.
    #[napi(ts_type = "Array<string | null>")]
    pub bands: Null,
    /// Each row's band as an index into `bandNames`; 255 where not scored.
    #[napi(ts_type = "Uint8Array")]
    pub band_codes: Unknown<'env>,
    /// The scorecard's band names, in order (`bandCodes` index them).
    pub band_names: Vec<String>,
    /// Share of the scorecard's weight whose measures had data, 0–1.
    pub coverage: Float64Array,
    /// Per measure (keys in scorecard order): each account's contribution to its score (0 where
    /// redistributed or not scored). The contributions of a row add up to its score.
    #[napi(ts_type = "Record<string, Float64Array>")]
    pub contributions: Object<'env>,
}

impl std::fmt::Debug for Scores<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scores").finish_non_exhaustive()
    }
}

/// Scores of a batch of accounts without the per-measure contributions: what `score` and
/// `scoreAsync` return with `{ contributions: false }`. Row `i` of every column is account
/// `accountIds[i]`.
#[napi(object, object_from_js = false)]
pub struct ScoresOnly<'env> {
    /// Account ids, in input order: for columns, the very array given (not a copy).
    #[napi(ts_type = "Array<string>")]
    pub account_ids: Unknown<'env>,
    /// Scores 0–100; `NaN` where coverage is below the scorecard's `min_coverage`
    /// (insufficient data).
    pub scores: Float64Array,
    /// Band names; `null` where not scored. Made from `bandCodes` when first read (a
    /// getter): bulk work that reads `bandCodes` never pays for a million strings.
    #[napi(ts_type = "Array<string | null>")]
    pub bands: Null,
    /// Each row's band as an index into `bandNames`; 255 where not scored.
    #[napi(ts_type = "Uint8Array")]
    pub band_codes: Unknown<'env>,
    /// The scorecard's band names, in order (`bandCodes` index them).
    pub band_names: Vec<String>,
    /// Share of the scorecard's weight whose measures had data, 0–1.
    pub coverage: Float64Array,
}

impl std::fmt::Debug for ScoresOnly<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScoresOnly").finish_non_exhaustive()
    }
}

/// A Rust value as a JavaScript one.
fn as_unknown<'env, T: ToNapiValue>(env: &'env Env, value: T) -> napi::Result<Unknown<'env>> {
    // SAFETY: `env` is the live environment of this call; the value is made in it.
    unsafe {
        let raw = T::to_napi_value(env.raw(), value)?;
        Ok(Unknown::from_raw_unchecked(env.raw(), raw))
    }
}

/// The band columns of a result: the core's codes as a `Uint8Array` (255 = not scored, handed
/// over as they are) and a table of the 256 codes (the band names, then `null`) for the lazy
/// `bands` getter.
fn band_codes<'env>(
    env: &'env Env,
    codes: Vec<u8>,
    band_names: &[String],
) -> napi::Result<(Unknown<'env>, Unknown<'env>)> {
    if band_names.len() >= usize::from(NOT_SCORED) {
        return Err(napi::Error::from_reason(format!(
            "{} bands do not fit a byte code",
            band_names.len()
        )));
    }
    let table: Vec<Option<&str>> = (0..=NOT_SCORED)
        .map(|code| band_names.get(usize::from(code)).map(String::as_str))
        .collect();
    Ok((
        as_unknown(env, pool::codes(codes))?,
        as_unknown(env, table)?,
    ))
}

/// `result` with its `bands` getter: the array of names is made from the codes by a JavaScript
/// loop when first read, then kept. One Node-API call per row would cost as much as scoring.
fn with_lazy_bands<'env>(
    env: &'env Env,
    result: Unknown<'env>,
    codes: Unknown<'env>,
    table: Unknown<'env>,
) -> napi::Result<Unknown<'env>> {
    let define = args::helper::<FnArgs<(Unknown, Unknown, Unknown)>>(env, args::Helper::LazyBands)
        .map_err(|f| f.into_js(env))?;
    define.call(FnArgs::from((result, codes, table)))
}

/// Convert a core score frame to its JavaScript columns; `account_ids` name the rows (an
/// array). The contributions are left out when `s` was scored with
/// [`ScoreDetail::ScoresOnly`].
fn scores_js<'env>(
    env: &'env Env,
    account_ids: Unknown<'env>,
    s: ScoreFrame,
    detail: ScoreDetail,
) -> napi::Result<Unknown<'env>> {
    let ScoreFrame {
        scores,
        band_codes: bands,
        band_names,
        coverage,
        measure_names,
        contributions,
    } = s;
    let (codes, table) = band_codes(env, bands, &band_names)?;
    if detail == ScoreDetail::ScoresOnly {
        let result = as_unknown(
            env,
            ScoresOnly {
                account_ids,
                scores: pool::column(scores),
                bands: Null,
                band_codes: codes,
                band_names,
                coverage: pool::column(coverage),
            },
        )?;
        return with_lazy_bands(env, result, codes, table);
    }
    // Defined (not assigned) properties: a measure called `__proto__` is just a key.
    let properties = measure_names
        .iter()
        .zip(contributions)
        .map(|(name, column)| {
            Property::new()
                .with_name(env, name.as_str())?
                .with_napi_value(env, pool::column(column))
        })
        .collect::<napi::Result<Vec<_>>>()?;
    let mut js_contributions = Object::new(env)?;
    js_contributions.define_properties(&properties)?;
    let result = as_unknown(
        env,
        Scores {
            account_ids,
            scores: pool::column(scores),
            bands: Null,
            band_codes: codes,
            band_names,
            coverage: pool::column(coverage),
            contributions: js_contributions,
        },
    )?;
    with_lazy_bands(env, result, codes, table)
}

/// A failed Node-API call while building a result: a `CSOPS_INTERNAL` error.
fn internal(env: &Env, e: napi::Error) -> napi::Error {
    Failure::Internal(format!("building the scores failed: {}", e.reason)).into_js(env)
}

/// Score a batch: a `FeatureFrame` with the core's `score_frame` (or, without the
/// contributions, its columns with `score_columns_into`); bare columns, borrowed, with
/// `score_columns_into`.
///
/// The core names a row with bad values (an infinity) by its position when it scores bare
/// columns, and by its account id when it scores a frame. Scoring a frame, the error names the
/// account; scoring bare columns, the error is [`Unnamed`]: the caller reads the account ids
/// (which runs JavaScript, so only after the columns are copied) and the core names the
/// account ([`name_the_row`]).
fn score_features(
    card: &core_health::Scorecard,
    features: FeaturesRef<'_>,
    segments: Option<&[String]>,
    detail: ScoreDetail,
) -> Result<ScoreFrame, Unnamed> {
    // Into columns whose memory JavaScript let go of (see `pool`).
    let score_columns = |columns: &[(&str, &[f64])]| {
        let n = columns.first().map_or(0, |(_, c)| c.len());
        let kept = match detail {
            ScoreDetail::Full => card.measures().count(),
            ScoreDetail::ScoresOnly => 0,
        };
        let mut out = ScoreFrame {
            scores: pool::F64.take(n),
            band_codes: pool::U8.take(n),
            coverage: pool::F64.take(n),
            contributions: (0..kept).map(|_| pool::F64.take(n)).collect(),
            ..ScoreFrame::default()
        };
        card.score_columns_into(columns, segments, detail, &mut out)
            .map(|()| out)
    };
    match features {
        FeaturesRef::Frame(frame) => {
            let columns: Vec<(&str, &[f64])> = frame
                .columns
                .iter()
                .map(|c| (c.name.as_str(), c.values.as_slice()))
                .collect();
            guard(|| {
                score_columns(&columns).map_err(|e| {
                    card.name_infinite_values(&columns, &frame.account_ids)
                        .unwrap_or(e)
                })
            })
            .map_err(Unnamed::Named)
        }
        FeaturesRef::Columns(columns) => guard(|| score_columns(columns)).map_err(|e| match e {
            Failure::Core(e) => Unnamed::Core(e),
            other => Unnamed::Named(other),
        }),
    }
}

/// A failure scoring a batch: one to report as it is, or the core's error scoring bare
/// columns, which names a row by its position.
#[derive(Debug)]
enum Unnamed {
    /// Report as it is.
    Named(Failure),
    /// The core's error naming a row by its position: named by account id with
    /// [`name_the_row`].
    Core(csops_core::Error),
}

/// The core's error for the infinite values of `columns`, naming the account of the first bad
/// row by `account_ids` (`name_infinite_values`), or `error` (which names its position) when
/// the ids cannot be read.
fn name_the_row(
    card: &core_health::Scorecard,
    columns: OwnedFeatures,
    account_ids: Result<Vec<String>, Failure>,
    error: csops_core::Error,
) -> Failure {
    let Ok(account_ids) = account_ids else {
        return Failure::Core(error);
    };
    let refs = columns.column_refs();
    match guard(|| Ok(card.name_infinite_values(&refs, &account_ids))) {
        Ok(Some(named)) => Failure::Core(named),
        Ok(None) => Failure::Core(error),
        Err(failure) => failure,
    }
}

/// What `scoreAsync` scores: the scorecard, the features (copied), the segments, and how much
/// of the result to keep.
#[derive(Debug)]
struct ScoreInput {
    card: Arc<core_health::Scorecard>,
    features: OwnedFeatures,
    segments: Option<Vec<String>>,
    detail: ScoreDetail,
}

/// What a worker thread makes of a batch (`scoreAsync`).
#[derive(Debug)]
pub struct ScoreOutput(Scored);

/// What a worker thread makes of a batch.
#[derive(Debug)]
enum Scored {
    /// The scores; for a frame, its account ids.
    Done(ScoreFrame, ScoreDetail, Option<Vec<String>>),
    /// A failure to report.
    Failed(Failure),
    /// The core's error scoring bare columns: named on the main thread, where the ids are.
    Unnamed {
        card: Arc<core_health::Scorecard>,
        features: OwnedFeatures,
        error: csops_core::Error,
    },
}

/// Scores a batch on a worker thread (`scorecard.scoreAsync`). The input was copied (or, for
/// a `FeatureFrame`, shared through an `Arc`) on the main thread; the account ids of columns
/// stay in JavaScript (a reference), handed back as they are.
pub struct ScoreTask {
    input: Option<Result<ScoreInput, Failure>>,
    ids: Option<UnknownRef>,
}

impl std::fmt::Debug for ScoreTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScoreTask")
            .field("input", &self.input)
            .field("ids", &self.ids.is_some())
            .finish()
    }
}

#[napi]
impl<'task> ScopedTask<'task> for ScoreTask {
    type Output = ScoreOutput;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(ScoreOutput(match self.input.take() {
            Some(Ok(ScoreInput {
                card,
                features,
                segments,
                detail,
            })) => {
                let columns = features.column_refs();
                let scored = score_features(
                    &card,
                    features.as_ref(&columns),
                    segments.as_deref(),
                    detail,
                );
                drop(columns);
                match scored {
                    Ok(s) => {
                        let ids = match &features {
                            OwnedFeatures::Frame(frame) => Some(frame.account_ids.clone()),
                            OwnedFeatures::Columns(_) => None,
                        };
                        features.recycle();
                        Scored::Done(s, detail, ids)
                    }
                    Err(Unnamed::Named(failure)) => Scored::Failed(failure),
                    Err(Unnamed::Core(error)) => Scored::Unnamed {
                        card,
                        features,
                        error,
                    },
                }
            }
            Some(Err(failure)) => Scored::Failed(failure),
            None => Scored::Failed(Failure::Internal("the score task ran twice".into())),
        }))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        let kept = |env: &'task Env| match &self.ids {
            Some(ids) => ids.get_value(env),
            None => Err(napi::Error::from_reason("the account ids were not kept")),
        };
        match output.0 {
            Scored::Done(scores, detail, frame_ids) => {
                let ids = match frame_ids {
                    Some(ids) => as_unknown(env, ids),
                    None => kept(env),
                }
                .map_err(|e| internal(env, e))?;
                scores_js(env, ids, scores, detail).map_err(|e| internal(env, e))
            }
            Scored::Failed(failure) => Err(failure.into_js(env)),
            Scored::Unnamed {
                card,
                features,
                error,
            } => {
                let ids = kept(env)
                    .map_err(|e| args::napi_failure("input.accountIds", e))
                    .and_then(|ids| args::string_array("input.accountIds", ids));
                Err(name_the_row(&card, features, ids, error).into_js(env))
            }
        }
    }

    fn finally(self, env: Env) -> napi::Result<()> {
        match self.ids {
            Some(ids) => ids.unref(&env),
            None => Ok(()),
        }
    }
}

/// Check that a class constructor was called with `new`: called as a plain function, napi-rs
/// would make its receiver (the global object, or whatever `.call` passes) the instance.
pub(crate) fn called_with_new<C: JavaScriptClassExt>(
    env: &Env,
    this: &This,
    class: &str,
    arg: &str,
) -> Result<(), Failure> {
    if C::instance_of(env, &this.object).unwrap_or(false) {
        Ok(())
    } else {
        Err(invalid(format!(
            "`{class}` is a class: call it with `new {class}({arg})`"
        )))
    }
}

/// A health scorecard: weighted groups of weighted measures, each mapping one feature to
/// 0–100, with bands and a minimum coverage. Immutable and always valid; made by
/// `new Scorecard(json)` (as `Scorecard.fromJson`), `Scorecard.fromToml` or
/// `Scorecard.defaultHeuristic`.
///
/// A fixed-formula scorecard is a heuristic, not a fitted model: back-test it before trusting
/// it.
#[napi]
#[derive(Debug)]
pub struct Scorecard {
    inner: Arc<core_health::Scorecard>,
}

impl Scorecard {
    pub(crate) fn wrap(card: core_health::Scorecard) -> Self {
        Scorecard::from_shared(Arc::new(card))
    }

    /// A scorecard the binding already shares (a re-calibration's).
    pub(crate) fn from_shared(inner: Arc<core_health::Scorecard>) -> Self {
        Scorecard { inner }
    }

    /// The core scorecard, shared (a back-test reads it on a worker thread).
    pub(crate) fn shared(&self) -> Arc<core_health::Scorecard> {
        Arc::clone(&self.inner)
    }
}

#[napi]
impl Scorecard {
    /// Read a scorecard from its JSON text or from the same data as an object, as
    /// `Scorecard.fromJson` does. Throws `CSOPS_CONFIG` listing every problem when it is
    /// malformed or invalid.
    #[napi(constructor, ts_args_type = "json: string | ScorecardJson")]
    pub fn new(env: Env, this: This, json: Unknown) -> napi::Result<Scorecard> {
        js(&env, || {
            called_with_new::<Scorecard>(&env, &this, "Scorecard", "json")
        })?;
        Scorecard::from_json(env, json)
    }

    /// Read a scorecard from its JSON text or from the same data as an object (snake_case
    /// keys, as in scorecard files; an object is read as `JSON.stringify` writes it). Throws
    /// `CSOPS_CONFIG` listing every problem when it is malformed or invalid.
    #[napi(factory, ts_args_type = "json: string | ScorecardJson")]
    pub fn from_json(env: Env, json: Unknown) -> napi::Result<Scorecard> {
        js(&env, || {
            let text = scorecard_json(&env, json)?;
            guard(|| core_health::Scorecard::from_json(&text)).map(Scorecard::wrap)
        })
    }

    /// Read a scorecard from TOML text. Throws `CSOPS_CONFIG` listing every problem when it
    /// is malformed or invalid.
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_toml(env: Env, text: Unknown) -> napi::Result<Scorecard> {
        js(&env, || {
            let text = args::string("text", text)?;
            guard(|| core_health::Scorecard::from_toml(&text)).map(Scorecard::wrap)
        })
    }

    /// Read a scorecard from its `.toml` or `.json` file (the core's `load`, as Python's
    /// `load`). Another extension or an invalid file is a `CSOPS_CONFIG` error; an unreadable
    /// one `CSOPS_IO`.
    #[napi(factory, ts_args_type = "path: string")]
    pub fn load(env: Env, path: Unknown) -> napi::Result<Scorecard> {
        js(&env, || {
            let path = std::path::PathBuf::from(args::string("path", path)?);
            guard(|| core_health::Scorecard::load(&path)).map(Scorecard::wrap)
        })
    }

    /// The default scorecard: a deliberately login-heavy heuristic (usage 50%, relationship
    /// 20%, support 15%, sentiment 15%) over the built-in features. A starting point to
    /// back-test, not a fitted model.
    #[napi(factory)]
    pub fn default_heuristic(env: Env) -> napi::Result<Scorecard> {
        js(&env, || {
            guard(|| Ok(core_health::Scorecard::default_heuristic())).map(Scorecard::wrap)
        })
    }

    /// The scorecard's name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// The scorecard as readable text: the groups, measures, weights, normalisers, missing
    /// rules and bands, with the note that a fixed formula is a heuristic (the same text as
    /// Python's `repr`).
    #[napi]
    pub fn render(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| Ok(self.inner.render())))
    }

    /// The measure names, in scorecard order (the keys of `contributions`).
    #[napi]
    pub fn measure_names(&self) -> Vec<String> {
        self.inner.measures().map(|(_, m)| m.name.clone()).collect()
    }

    /// The scorecard as data, with every key (snake_case, as in scorecard files);
    /// `Scorecard.fromJson` reads it back.
    #[napi(ts_return_type = "ScorecardJson")]
    pub fn to_json(&self, env: Env) -> napi::Result<Js> {
        js(&env, || to_js(self.inner.as_ref()))
    }

    /// The scorecard as TOML text; `Scorecard.fromToml` reads it back.
    #[napi]
    pub fn to_toml(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| self.inner.to_toml()))
    }

    /// Score every account of `input`: a `FeatureFrame` (from `book.featuresAsOf`) or
    /// columns (a `Float64Array` column is read in place, not copied). `options.segments` (one
    /// per row) serves percentile measures ranking per segment; with `options.contributions`
    /// `false` the result has no `contributions` (faster, and less memory): its type is
    /// `ScoresOnly` when `contributions` is `false`, `Scores` when it is `true` or absent, and
    /// either when it is a `boolean` known only at run time. A measure whose feature is not a
    /// column is a `CSOPS_CONFIG` error; a malformed input (columns of the wrong length,
    /// values that are not numbers) is `CSOPS_INVALID_ARGUMENT`.
    #[napi(
        ts_generic_types = "O extends ScoreOptions | null | undefined = undefined",
        ts_args_type = "input: FeatureFrame | ScoreColumns, options?: O",
        ts_return_type = "O extends ScoreOptions ? ('contributions' extends keyof O ? (false extends O['contributions'] ? ([O['contributions']] extends [false] ? ScoresOnly : Scores | ScoresOnly) : Scores) : Scores) : Scores"
    )]
    pub fn score<'env>(
        &self,
        env: &'env Env,
        input: Unknown<'env>,
        options: Option<Unknown<'env>>,
    ) -> napi::Result<Unknown<'env>> {
        let (ids, scored, detail) = js(env, || {
            let features = crate::features::score_input(env, input)?;
            let options = crate::features::score_options(env, options)?;
            // No JavaScript runs from here until the scores are made.
            let features = features.finish(env)?;
            let columns = features.column_refs();
            let detail = options.detail();
            let segments = options.segments.as_deref();
            let scored = score_features(&self.inner, features.as_ref(&columns), segments, detail);
            drop(columns);
            match scored {
                Ok(scored) => {
                    let ids = match &features {
                        Features::Frame(frame) => as_unknown(env, frame.account_ids.clone())
                            .map_err(|e| Failure::Internal(e.reason.clone()))?,
                        Features::Columns { account_ids, .. } => account_ids.value(),
                    };
                    Ok((ids, scored, detail))
                }
                Err(Unnamed::Named(failure)) => Err(failure),
                Err(Unnamed::Core(error)) => {
                    // The arrays are copied before the ids are read (which runs JavaScript).
                    let (features, ids) = features.into_owned();
                    let ids = ids.map_or_else(|| Ok(Vec::new()), |ids| ids.read());
                    Err(name_the_row(&self.inner, features, ids, error))
                }
            }
        })?;
        scores_js(env, ids, scored, detail).map_err(|e| internal(env, e))
    }

    /// `score` on a worker thread: the input (`Float64Array` columns included) is copied on
    /// the calling thread, then scored off the event loop. Every error (including a bad
    /// argument) rejects the promise; nothing is thrown synchronously.
    #[napi(
        ts_generic_types = "O extends ScoreOptions | null | undefined = undefined",
        ts_args_type = "input: FeatureFrame | ScoreColumns, options?: O",
        ts_return_type = "Promise<O extends ScoreOptions ? ('contributions' extends keyof O ? (false extends O['contributions'] ? ([O['contributions']] extends [false] ? ScoresOnly : Scores | ScoresOnly) : Scores) : Scores) : Scores>"
    )]
    pub fn score_async(
        &self,
        env: Env,
        input: Unknown,
        options: Option<Unknown>,
    ) -> AsyncTask<ScoreTask> {
        let mut ids = None;
        let input = (|| {
            let features = crate::features::score_input(&env, input)?;
            let options = crate::features::score_options(&env, options)?;
            let (features, account_ids) = features.finish(&env)?.into_owned();
            if let Some(account_ids) = account_ids {
                let kept = account_ids
                    .value()
                    .create_ref()
                    .map_err(|e| args::napi_failure("input.accountIds", e))?;
                ids = Some(kept);
            }
            Ok(ScoreInput {
                card: Arc::clone(&self.inner),
                features,
                detail: options.detail(),
                segments: options.segments,
            })
        })();
        AsyncTask::new(ScoreTask {
            input: Some(input),
            ids,
        })
    }

    /// Score one account from its feature values, keyed by feature name (`null` or `NaN` =
    /// missing): the full breakdown. Every feature the scorecard reads must be a key (an
    /// absent one is a `CSOPS_CONFIG` error); other keys are ignored. Percentile measures need
    /// a population: score a batch and `explain` it instead.
    #[napi(
        ts_args_type = "values: Record<string, number | null>",
        ts_return_type = "AccountScore & Drivers"
    )]
    pub fn score_one(&self, env: Env, values: Unknown) -> napi::Result<Js> {
        js(&env, || {
            let values = crate::features::feature_values(&env, values)?;
            let card = &self.inner;
            guard(|| {
                card.check_features(values.keys().map(String::as_str))?;
                let row: Vec<Option<f64>> = card
                    .measures()
                    .map(|(_, m)| values.get(&m.feature).copied())
                    .collect();
                card.score_values(&row)
            })
            .and_then(|s| explained(&s, None))
        })
    }

    /// The full breakdown of one account of a batch, as `score` scores it (percentiles ranked
    /// within the batch), for the first row with `accountId`. An account id not in `input` is
    /// a `CSOPS_INVALID_ARGUMENT` error.
    #[napi(
        ts_args_type = "input: FeatureFrame | ScoreColumns, accountId: string, options?: ScoreOptions | null",
        ts_return_type = "AccountScore & Drivers & Summary"
    )]
    pub fn explain(
        &self,
        env: Env,
        input: Unknown,
        account_id: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<Js> {
        js(&env, || {
            let features = crate::features::score_input(&env, input)?;
            let segments = crate::features::score_options(&env, options)?.segments;
            let id = args::account_id("accountId", account_id)?;
            let frame = features.finish(&env)?.into_frame()?;
            let card = &self.inner;
            guard(|| card.explain_account(&frame, segments.as_deref(), &id))
                .and_then(|s| explained(&s, Some(&id)))
        })
    }
}

#[napi]
impl Scorecard {
    /// Score every account of `input` (as `score` does) and apply manual overrides in force on
    /// `options.asOf`: an override applies before its `expires` day. One that sets only a
    /// score reports that score's band; one that sets only a band keeps the computed score.
    /// Invalid overrides (neither score nor band, a score outside 0–100, an unknown band, no
    /// reason or author, two for one account) are a `CSOPS_CONFIG` error listing every
    /// problem.
    #[napi(
        ts_args_type = "input: FeatureFrame | ScoreColumns, overrides: Array<Override>, options: ApplyOverridesOptions",
        ts_return_type = "Array<ReportedScore>"
    )]
    pub fn apply_overrides(
        &self,
        env: Env,
        input: Unknown,
        overrides: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<Js> {
        js(&env, || {
            let features = crate::features::score_input(&env, input)?;
            let overrides = crate::health::overrides(&env, overrides)?;
            let (as_of, segments) = apply_overrides_options(&env, options)?;
            // The arrays are copied: the ids are read next (which runs JavaScript).
            let (features, account_ids) = features.finish(&env)?.into_owned();
            let ids = match (&features, account_ids) {
                (_, Some(ids)) => ids.read()?,
                (OwnedFeatures::Frame(frame), None) => frame.account_ids.clone(),
                (OwnedFeatures::Columns(_), None) => Vec::new(),
            };
            let columns = features.column_refs();
            let card = &self.inner;
            let segments = segments.as_deref();
            let scored =
                score_features(card, features.as_ref(&columns), segments, ScoreDetail::Full);
            drop(columns);
            let scores = match scored {
                Ok(scores) => scores,
                Err(Unnamed::Named(failure)) => return Err(failure),
                Err(Unnamed::Core(error)) => {
                    return Err(name_the_row(card, features, Ok(ids), error));
                }
            };
            to_js(&guard(|| {
                card.apply_overrides(&ids, &scores, &overrides, as_of)
            })?)
        })
    }
}

/// Compare a score with a previous one: `delta` is `current − previous`, and changes within
/// ±`deadBand` points (default 2) are `'flat'`.
#[napi(
    ts_args_type = "current: number, previous: number, deadBand?: number | null",
    ts_return_type = "Trend"
)]
pub fn trend(
    env: Env,
    current: Unknown,
    previous: Unknown,
    dead_band: Option<Unknown>,
) -> napi::Result<Js> {
    js(&env, || {
        let current = args::number("current", current)?;
        let previous = args::number("previous", previous)?;
        let dead_band =
            args::optional_number("deadBand", dead_band)?.unwrap_or(core_health::DEFAULT_DEAD_BAND);
        to_js(&guard(|| core_health::trend(current, previous, dead_band))?)
    })
}

/// An account's score as JavaScript: the core's breakdown, with the names of the measures
/// that cost points, the costliest first (`AccountScore & Drivers`).
/// With `account_id`, also the core's rendering as `summary` (`& Summary`).
fn explained(score: &core_health::AccountScore, account_id: Option<&str>) -> Result<Js, Failure> {
    use csops_core::options::Tree;
    let drivers = score
        .top_negative_drivers(score.measures.len())
        .into_iter()
        .map(|m| Tree::Text(m.name.clone()))
        .collect();
    let mut extra = vec![("drivers", Tree::List(drivers))];
    if let Some(id) = account_id {
        extra.push(("summary", Tree::Text(score.render(id))));
    }
    to_js_with(score, extra)
}

/// What cost an account its points (added to the core's breakdown).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct Drivers {
    /// The names of the measures that cost points, the costliest first (the top negative
    /// drivers).
    pub drivers: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Scorecard, model set and override arguments.
// ---------------------------------------------------------------------------------------------

/// A scorecard argument as JSON text: a string as given, or an object as `JSON.stringify`
/// writes it (so `fromJson(obj)` is `fromJson(JSON.stringify(obj))`; the core parses and
/// validates either, and its recursion limit guards against absurdly deep objects).
pub(crate) fn scorecard_json(env: &Env, v: Unknown) -> Result<String, Failure> {
    json_text(
        env,
        v,
        "a scorecard object (snake_case keys, as in scorecard files) or its JSON text",
    )
}

/// The `json` argument as JSON text: a string as given, an object as `JSON.stringify` writes it.
pub(crate) fn json_text(env: &Env, v: Unknown, expected: &str) -> Result<String, Failure> {
    if matches!(v.get_type(), Ok(ValueType::String)) {
        return string("json", v);
    }
    require_object("json", &v, expected)?;
    let text = global(env, "JSON", "stringify")?
        .call(v)
        .map_err(|e| invalid(format!("`json` cannot be written as JSON: {}", e.reason)))?;
    string("json", text)
}
/// A manual override, as `scorecard.applyOverrides` reads it. An unknown key is a
/// `CSOPS_INVALID_ARGUMENT` error; the values are checked by the core (`CSOPS_CONFIG`).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct Override {
    /// The account.
    pub account_id: String,
    /// The score to report instead (0–100), if any.
    #[napi(ts_type = "number | null")]
    pub score: Option<f64>,
    /// The band to report instead, if any.
    #[napi(ts_type = "string | null")]
    pub band: Option<String>,
    /// Why.
    pub reason: String,
    /// Who decided.
    pub author: String,
    /// The first day it no longer applies: `YYYY-MM-DD` or a `Date` (its UTC day).
    #[napi(ts_type = "string | Date")]
    pub expires: String,
}

/// Overrides: an array of `{ accountId, score?, band?, reason, author, expires }`, read by the
/// core (`health::overrides_from_value`), which lists every problem of every override in one
/// `CSOPS_CONFIG` error (an argument that is not an array is `CSOPS_INVALID_ARGUMENT`).
pub(crate) fn overrides(env: &Env, v: Unknown) -> Result<Vec<CoreOverride>, Failure> {
    let value = crate::options::value_of(env, "overrides", v, 0)?.unwrap_or_default();
    guard(|| csops_core::health::overrides_from_value(&value, Casing::Camel))
}

/// Options of `scorecard.applyOverrides`. An unknown key is a `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ApplyOverridesOptions {
    /// The day the overrides are judged on: those expiring after it apply. `YYYY-MM-DD` or a
    /// `Date` (its UTC day).
    #[napi(ts_type = "string | Date")]
    pub as_of: String,
    /// One segment per account (row), for percentile measures ranking `per_segment`.
    #[napi(ts_type = "Array<string> | null")]
    pub segments: Option<Vec<String>>,
}

/// `applyOverrides` options: the day, and the segments if given.
pub(crate) fn apply_overrides_options(
    env: &Env,
    v: Option<Unknown>,
) -> Result<(NaiveDate, Option<Vec<String>>), Failure> {
    let expected = "an object such as { asOf: '2024-06-30', segments: [...] }";
    let v = present(v).ok_or_else(|| invalid(format!("`options` must be {expected}")))?;
    let (mut as_of, mut segments) = (None, None);
    for (key, value) in entries(env, "options", v, expected)? {
        match key.as_str() {
            "asOf" => as_of = Some(date("options.asOf", value)?),
            "segments" => {
                segments = present(Some(value))
                    .map(|v| string_array("options.segments", v))
                    .transpose()?
            }
            _ => {
                return Err(invalid(format!(
                    "`options` has an unknown key `{key}`; expected {expected}"
                )));
            }
        }
    }
    let as_of = as_of.ok_or_else(|| invalid(format!("`options.asOf` is required: {expected}")))?;
    Ok((as_of, segments))
}

/// A `Scorecard` argument (shared, not copied).
pub(crate) fn scorecard(env: &Env, v: Unknown) -> Result<Arc<core_health::Scorecard>, Failure> {
    if Scorecard::instance_of(env, &v).unwrap_or(false) {
        let card = ClassInstance::<crate::health::Scorecard>::from_unknown(v)
            .map_err(|e| napi_failure("scorecard", e))?;
        return Ok(card.shared());
    }
    Err(invalid(format!(
        "`scorecard` must be a Scorecard (from Scorecard.fromJson, Scorecard.fromToml or \
         Scorecard.defaultHeuristic), got {}",
        type_name(&v)
    )))
}
