//! Segmentation: tier rules (`TierRules`; the condition language is `condition`'s),
//! a book's accounts as columns for conditions (`book.accountTable`), tiers, coverage and
//! assignment (`book.segment`, `book.segmentAsync`, `segmentColumns`) and what a change of
//! rules does (`book.whatIf`, `whatIfColumns`). Every tier, load, move and count comes from
//! csops-core (`csops_core::segment`); this module only reads
//! arguments, runs the core on or off the main thread, and converts.
//!
//! Conditions and tier rules are configuration: given as objects they are read as
//! `JSON.stringify` writes them and parsed by the core (whose depth and size limits guard
//! against hostile input), with the core's snake_case keys, as in configuration files. Every
//! problem in them (a parse error with its line and column, an unknown field, a type
//! mismatch) is a `CSOPS_CONFIG` error; an argument of the wrong JavaScript type is
//! `CSOPS_INVALID_ARGUMENT`.

use std::sync::Arc;

use chrono::NaiveDate;
use csops_core::condition::{Column, Table};
use csops_core::features::FeatureConfig;
use csops_core::health as core_health;
use csops_core::interchange::Loaded;
use csops_core::options::Casing;
use csops_core::segment::{
    self as core_segment, CoverageModel, Csm as CoreCsm, TierRules as CoreTierRules,
};
use napi::bindgen_prelude::{
    Array, AsyncTask, ClassInstance, Float64Array, FromNapiValue, JavaScriptClassExt,
    JsObjectValue, Null, Object, This, Unknown,
};
use napi::{Env, JsValue, Property, Task, ValueType};
use napi_derive::napi;

use crate::args;
use crate::book::Book;
use crate::error::{Failure, guard, invalid, js};
use crate::health::called_with_new;
use crate::results::{Js, to_js_with_summary};

use crate::condition::{config, stringify, table};

/// Tier rules: a `TierRules` (shared), or their JSON (an object, or text).
pub(crate) fn tier_rules(env: &Env, name: &str, v: Unknown) -> Result<Arc<CoreTierRules>, Failure> {
    if TierRules::instance_of(env, &v).unwrap_or(false) {
        let r =
            ClassInstance::<TierRules>::from_unknown(v).map_err(|e| args::napi_failure(name, e))?;
        return Ok(Arc::clone(&r.inner));
    }
    let text = rules_json(env, name, v)?;
    guard(|| CoreTierRules::from_json(&text)).map(Arc::new)
}

/// Tier rules as JSON text: a string as given, an object as `JSON.stringify` writes it.
fn rules_json(env: &Env, name: &str, v: Unknown) -> Result<String, Failure> {
    if matches!(v.get_type(), Ok(ValueType::String)) {
        return args::string(name, v);
    }
    args::require_object(
        name,
        &v,
        "TierRules, or tier rules as data { rules: [{ tier, when }], default_tier } or their \
         JSON text",
    )?;
    stringify(env, name, v)
}

/// A coverage model: an object (snake_case keys) or its JSON text.
fn coverage_model(env: &Env, name: &str, v: Unknown) -> Result<CoverageModel, Failure> {
    let text = if matches!(v.get_type(), Ok(ValueType::String)) {
        args::string(name, v)?
    } else {
        args::require_object(
            name,
            &v,
            "a coverage model { tiers: { high_touch: { accounts_per_csm: 15 }, digital: \
             'pooled' } } or its JSON text",
        )?;
        stringify(env, name, v)?
    };
    serde_json::from_str(&text).map_err(|e| config(format!("coverage model: {e}")))
}

/// A roster: an array of `{ name, tier, fte? }`. An unknown key is a `CSOPS_INVALID_ARGUMENT`
/// error; the values are checked by the core (`CSOPS_CONFIG`).
fn roster(env: &Env, name: &str, v: Unknown) -> Result<Vec<CoreCsm>, Failure> {
    let expected = "an object { name, tier, fte? }";
    if !v.is_array().unwrap_or(false) {
        return Err(invalid(format!(
            "`{name}` must be an array of {expected}, got {}",
            args::type_name(&v)
        )));
    }
    let fail = |e| args::napi_failure(name, e);
    let array = Array::from_unknown(v).map_err(fail)?;
    (0..array.len())
        .map(|i| {
            let path = format!("{name}[{i}]");
            let item: Unknown = array
                .get(i)
                .map_err(fail)?
                .ok_or_else(|| invalid(format!("`{path}` must be {expected}, got undefined")))?;
            let (mut csm, mut tier, mut fte) = (None, None, None);
            for (key, value) in args::entries(env, &path, item, expected)? {
                let field = format!("{path}.{key}");
                match key.as_str() {
                    "name" => csm = Some(args::string(&field, value)?),
                    "tier" => tier = Some(args::string(&field, value)?),
                    "fte" => fte = args::optional_number(&field, Some(value))?,
                    _ => {
                        return Err(invalid(format!(
                            "`{path}` has an unknown key `{key}`; expected {expected}"
                        )));
                    }
                }
            }
            let need = |k: &str| invalid(format!("`{path}` needs `{k}`: {expected}"));
            Ok(CoreCsm {
                name: csm.ok_or_else(|| need("name"))?,
                tier: tier.ok_or_else(|| need("tier"))?,
                fte: fte.unwrap_or(1.0),
            })
        })
        .collect()
}

/// Which features a book's account table holds: none, or those of a configuration.
fn features_option(env: &Env, name: &str, v: Unknown) -> Result<Option<FeatureConfig>, Failure> {
    if matches!(v.get_type(), Ok(ValueType::Boolean)) {
        return Ok(args::boolean(name, v)?.then(FeatureConfig::default));
    }
    crate::options::feature_config_named(env, name, Some(v)).map(Some)
}

/// How a book becomes an account table: on a day, with features and health scores or not.
#[derive(Debug)]
struct TableSpec {
    loaded: Arc<Loaded>,
    as_of: NaiveDate,
    features: Option<FeatureConfig>,
    scorecard: Option<Arc<core_health::Scorecard>>,
}

impl TableSpec {
    fn new(loaded: Arc<Loaded>, as_of: Option<NaiveDate>) -> Result<Self, Failure> {
        let as_of = crate::book::day_or_latest(&loaded, as_of)?;
        Ok(TableSpec {
            loaded,
            as_of,
            features: Some(FeatureConfig::default()),
            scorecard: None,
        })
    }

    /// Read the table option `key` (`features` or `scorecard`; the day is read before the
    /// spec is made); `false` for another key.
    fn option(
        &mut self,
        env: &Env,
        key: &str,
        field: &str,
        value: Unknown,
    ) -> Result<bool, Failure> {
        match key {
            "features" => self.features = features_option(env, field, value)?,
            "scorecard" => self.scorecard = Some(crate::health::scorecard(env, value)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The account table (features derived and scored when asked for).
    fn build(&self) -> Result<Table, Failure> {
        guard(|| {
            core_segment::book_table(
                &self.loaded.book,
                self.as_of,
                self.features.as_ref(),
                self.scorecard.as_deref(),
            )
        })
    }
}

/// Book options (`asOf`, `features`, `scorecard`) plus the keys in `more`, each read by
/// `read`. An unknown key is a `CSOPS_INVALID_ARGUMENT` error.
fn book_options<'env>(
    env: &'env Env,
    loaded: Arc<Loaded>,
    v: Option<Unknown<'env>>,
    expected: &str,
    more: &[&str],
    mut read: impl FnMut(&str, &str, Unknown<'env>) -> Result<(), Failure>,
) -> Result<TableSpec, Failure> {
    let Some(v) = args::present(v) else {
        return TableSpec::new(loaded, None);
    };
    let fields = args::entries(env, "options", v, expected)?;
    let mut as_of = None;
    let mut rest = Vec::new();
    for (key, value) in fields {
        let field = format!("options.{key}");
        if !["asOf", "features", "scorecard"].contains(&key.as_str())
            && !more.contains(&key.as_str())
        {
            return Err(invalid(format!(
                "`options` has an unknown key `{key}`; expected {expected}"
            )));
        }
        let Some(value) = args::present(Some(value)) else {
            continue;
        };
        if key == "asOf" {
            as_of = Some(args::date(&field, value)?);
        } else {
            rest.push((key, field, value));
        }
    }
    let mut spec = TableSpec::new(loaded, as_of)?;
    for (key, field, value) in rest {
        if !spec.option(env, &key, &field, value)? {
            read(&key, &field, value)?;
        }
    }
    Ok(spec)
}

// ---------------------------------------------------------------------------------------------
// The account table as JavaScript columns.
// ---------------------------------------------------------------------------------------------

/// An array of optional values (`null` for `None`).
fn nullable_array<'env, T: Clone + napi::bindgen_prelude::ToNapiValue>(
    env: &'env Env,
    values: &[Option<T>],
) -> napi::Result<Array<'env>> {
    let len = u32::try_from(values.len()).map_err(|_| {
        napi::Error::from_reason(format!("{} rows do not fit an array", values.len()))
    })?;
    let mut out = env.create_array(len)?;
    for (i, v) in (0..len).zip(values) {
        match v {
            Some(v) => out.set(i, v.clone())?,
            None => out.set(i, Null)?,
        }
    }
    Ok(out)
}

/// A table as an object of columns (defined properties, so a field called `__proto__` is just
/// a key).
fn table_js<'env>(env: &'env Env, t: &Table) -> napi::Result<Object<'env>> {
    let properties = t
        .columns
        .iter()
        .map(|(name, c)| {
            let p = Property::new().with_name(env, name.as_str())?;
            match c {
                Column::Number(v) => p.with_napi_value(env, Float64Array::new(v.clone())),
                Column::Text(v) => p.with_napi_value(env, nullable_array(env, v)?),
                Column::Bool(v) => p.with_napi_value(env, nullable_array(env, v)?),
            }
        })
        .collect::<napi::Result<Vec<_>>>()?;
    let mut out = Object::new(env)?;
    out.define_properties(&properties)?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Running the core.
// ---------------------------------------------------------------------------------------------

/// What a segmentation runs on besides the table.
#[derive(Debug)]
struct SegmentArgs {
    rules: Arc<CoreTierRules>,
    model: CoverageModel,
    roster: Option<Vec<CoreCsm>>,
}

impl Default for SegmentArgs {
    fn default() -> Self {
        SegmentArgs {
            rules: Arc::new(CoreTierRules::default_rules()),
            model: CoverageModel::default(),
            roster: None,
        }
    }
}

impl SegmentArgs {
    /// Read one segmentation option (`rules`, `model`, `roster`).
    fn read(&mut self, env: &Env, key: &str, field: &str, value: Unknown) -> Result<(), Failure> {
        match key {
            "rules" => self.rules = tier_rules(env, field, value)?,
            "model" => self.model = coverage_model(env, field, value)?,
            _ => self.roster = Some(roster(env, field, value)?),
        }
        Ok(())
    }
}

/// Tiers, coverage and assignment of a table, with the core's text as `summary`.
fn run_segment(table: &Table, a: &SegmentArgs, as_of: Option<NaiveDate>) -> Result<Js, Failure> {
    let rules = a.rules.as_ref();
    let made = guard(|| core_segment::plan(table, rules, &a.model, a.roster.clone()))?;
    shown(table, &made, rules, as_of)
}

/// A plan as JavaScript, with the core's text as `summary`.
fn shown(
    table: &Table,
    made: &core_segment::Plan,
    rules: &CoreTierRules,
    as_of: Option<NaiveDate>,
) -> Result<Js, Failure> {
    let summary = made.render(rules, as_of);
    let shown = guard(|| made.segmentation(table, rules))?;
    to_js_with_summary(&shown, summary)
}

/// What `segmentAsync` runs: the book's table, and the segmentation arguments.
type SegmentInput = (TableSpec, SegmentArgs);

fn run_book_segment((spec, a): SegmentInput) -> Result<Js, Failure> {
    run_segment(&spec.build()?, &a, Some(spec.as_of))
}

// The task types come before the functions returning them: the TypeScript generator reads
// a task's output type from its `impl Task`, in source order.

/// Segments a book on a worker thread (`book.segmentAsync`).
#[derive(Debug)]
pub struct SegmentTask {
    input: Option<Result<SegmentInput, Failure>>,
}

#[napi]
impl Task for SegmentTask {
    type Output = Result<Js, Failure>;
    type JsValue = Js;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok(input)) => run_book_segment(input),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the segment task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Js> {
        output.map_err(|f| f.into_js(&env))
    }
}

// ---------------------------------------------------------------------------------------------
// Tier rules.
// ---------------------------------------------------------------------------------------------

/// Tier rules: an ordered list of `{ tier, when }` (the first rule an account matches gives
/// its tier) and the tier of accounts matching none. Immutable; made by `new TierRules(json)`
/// (as `TierRules.fromJson`), `TierRules.fromToml` or `TierRules.default()`. Conditions are
/// parsed when the rules are read; their fields are checked against the accounts they are
/// applied to (every problem at once, as a `CSOPS_CONFIG` error).
#[napi]
#[derive(Debug)]
pub struct TierRules {
    inner: Arc<CoreTierRules>,
}

impl TierRules {
    fn wrap(rules: CoreTierRules) -> Self {
        TierRules {
            inner: Arc::new(rules),
        }
    }
}

#[napi]
impl TierRules {
    /// Read tier rules from their JSON text or the same data as an object, as
    /// `TierRules.fromJson` does.
    #[napi(constructor, ts_args_type = "json: string | TierRulesJson")]
    pub fn new(env: Env, this: This, json: Unknown) -> napi::Result<TierRules> {
        js(&env, || {
            called_with_new::<TierRules>(&env, &this, "TierRules", "json")
        })?;
        TierRules::from_json(env, json)
    }

    /// Read tier rules from their JSON text or the same data as an object (snake_case keys;
    /// each `when` in the text or the structured form; an object is read as `JSON.stringify`
    /// writes it, so a `Condition` may stand for a `when`). A malformed one is a
    /// `CSOPS_CONFIG` error.
    #[napi(factory, ts_args_type = "json: string | TierRulesJson")]
    pub fn from_json(env: Env, json: Unknown) -> napi::Result<TierRules> {
        js(&env, || {
            let text = rules_json(&env, "json", json)?;
            guard(|| CoreTierRules::from_json(&text)).map(TierRules::wrap)
        })
    }

    /// Read tier rules from TOML text (`default_tier = "digital"`, then `[[rules]]` tables
    /// with `tier` and `when`). A malformed one is a `CSOPS_CONFIG` error.
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_toml(env: Env, text: Unknown) -> napi::Result<TierRules> {
        js(&env, || {
            let text = args::string("text", text)?;
            guard(|| CoreTierRules::from_toml(&text)).map(TierRules::wrap)
        })
    }

    /// Read tier rules from its `.toml` or `.json` file (the core's `load`, as Python's
    /// `load`). Another extension or an invalid file is a `CSOPS_CONFIG` error; an unreadable
    /// one `CSOPS_IO`.
    #[napi(factory, ts_args_type = "path: string")]
    pub fn load(env: Env, path: Unknown) -> napi::Result<TierRules> {
        js(&env, || {
            let path = std::path::PathBuf::from(args::string("path", path)?);
            guard(|| CoreTierRules::load(&path)).map(TierRules::wrap)
        })
    }

    /// The default rules: `high_touch` from 100,000 ARR, `mid_touch` from 25,000,
    /// `tech_touch` from 5,000, `digital` below (ARR in the book's reporting currency).
    #[napi(factory, js_name = "default")]
    pub fn default_rules(env: Env) -> napi::Result<TierRules> {
        js(&env, || {
            guard(|| Ok(CoreTierRules::default_rules())).map(TierRules::wrap)
        })
    }

    /// The tiers: in rule order, then the default tier, each once.
    #[napi(getter)]
    pub fn tiers(&self) -> Vec<String> {
        self.inner.tiers().into_iter().map(str::to_string).collect()
    }

    /// The rules as readable text: in order, each tier with its condition, then the default
    /// tier (the core's rendering, as Python's `repr`).
    #[napi]
    pub fn render(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| Ok(self.inner.render())))
    }

    /// The rules as data (snake_case keys, each `when` in the text form);
    /// `TierRules.fromJson` reads it back.
    #[napi(ts_return_type = "TierRulesJson")]
    pub fn to_json(&self, env: Env) -> napi::Result<serde_json::Value> {
        js(&env, || {
            serde_json::to_value(self.inner.as_ref())
                .map_err(|e| Failure::Internal(format!("tier rules: {e}")))
        })
    }

    /// The rules as TOML text; `TierRules.fromToml` reads it back.
    #[napi]
    pub fn to_toml(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| self.inner.to_toml()))
    }

    /// Each row's tier. The rules are checked against the columns first: an unknown field or
    /// a type mismatch is a `CSOPS_CONFIG` error listing every problem.
    #[napi(ts_args_type = "columns: AccountColumns")]
    pub fn assign(&self, env: Env, columns: Unknown) -> napi::Result<Vec<String>> {
        js(&env, || {
            let t = table(&env, "columns", columns)?;
            let tiers = guard(|| self.inner.assign_given(&t))?;
            let names = self.inner.tiers();
            Ok(tiers.into_iter().map(|i| names[i].to_string()).collect())
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Book methods and functions.
// ---------------------------------------------------------------------------------------------

/// Options of `book.accountTable`. An unknown key is a `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct AccountTableOptions {
    /// The feature columns to add (derived point-in-time on `asOf`): `true` (the default) for
    /// `defaultFeatureConfig()`, a `FeatureConfig` object (snake_case keys) or its JSON or
    /// TOML text, or `false` for the account fields only (faster on a large book).
    #[napi(ts_type = "boolean | FeatureConfig | string")]
    pub features: Option<String>,
    /// Adds `score`, `band` and `coverage`: each account's health with this scorecard on
    /// `asOf` (it reads the features).
    #[napi(ts_type = "Scorecard")]
    pub scorecard: Option<String>,
}

/// Options of `book.segment` and `book.segmentAsync`. Every key is optional; an unknown key
/// or a value of the wrong type is a `CSOPS_INVALID_ARGUMENT` error, invalid configuration a
/// `CSOPS_CONFIG` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct SegmentOptions {
    /// The tier rules (default: `TierRules.default()`).
    #[napi(ts_type = "TierRules | TierRulesJson")]
    pub rules: Option<String>,
    /// Target ratios per tier (default: `defaultCoverageModel()`); every tier of the rules
    /// needs one.
    #[napi(ts_type = "CoverageModelJson")]
    pub model: Option<String>,
    /// The CSMs and the tiers they serve (default: every owner of an account, serving the
    /// tier most of their accounts are in, full-time).
    #[napi(ts_type = "Array<Csm>")]
    pub roster: Option<String>,
    /// The day: ARR on it decides who is a customer (default: the book's latest date).
    #[napi(ts_type = "string | Date")]
    pub as_of: Option<String>,
    /// The feature columns conditions may read, as in `accountTable` (default `true`).
    #[napi(ts_type = "boolean | FeatureConfig | string")]
    pub features: Option<String>,
    /// Health with this scorecard, so conditions may read `score`, `band` and `coverage`, and
    /// CSM loads count red accounts.
    #[napi(ts_type = "Scorecard")]
    pub scorecard: Option<String>,
}

/// Options of `segmentColumns`. An unknown key is a `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct SegmentColumnsOptions {
    /// Target ratios per tier (default: `defaultCoverageModel()`).
    #[napi(ts_type = "CoverageModelJson")]
    pub model: Option<String>,
    /// The CSMs and the tiers they serve (default: implied by `owner_csm`).
    #[napi(ts_type = "Array<Csm>")]
    pub roster: Option<String>,
}

/// Options of `book.whatIf`. An unknown key is a `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct WhatIfOptions {
    /// Target ratios per tier, for the headcount needed (default: `defaultCoverageModel()`).
    #[napi(ts_type = "CoverageModelJson")]
    pub model: Option<String>,
    /// The day (default: the book's latest date).
    #[napi(ts_type = "string | Date")]
    pub as_of: Option<String>,
    /// The feature columns conditions may read, as in `accountTable` (default `true`).
    #[napi(ts_type = "boolean | FeatureConfig | string")]
    pub features: Option<String>,
    /// Health with this scorecard, for conditions reading `score`, `band` or `coverage`.
    #[napi(ts_type = "Scorecard")]
    pub scorecard: Option<String>,
}

/// Options of `whatIfColumns`. An unknown key is a `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct WhatIfColumnsOptions {
    /// Target ratios per tier (default: `defaultCoverageModel()`).
    #[napi(ts_type = "CoverageModelJson")]
    pub model: Option<String>,
}

/// Options given as an object with only the keys in `known`, each present value read by
/// `read` (`undefined` or `null` values are left out).
fn plain_options<'env>(
    env: &'env Env,
    v: Option<Unknown<'env>>,
    expected: &str,
    known: &[&str],
    mut read: impl FnMut(&str, &str, Unknown<'env>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let Some(v) = args::present(v) else {
        return Ok(());
    };
    for (key, value) in args::entries(env, "options", v, expected)? {
        if !known.contains(&key.as_str()) {
            return Err(invalid(format!(
                "`options` has an unknown key `{key}`; expected {expected}"
            )));
        }
        if let Some(value) = args::present(Some(value)) {
            read(&key, &format!("options.{key}"), value)?;
        }
    }
    Ok(())
}

impl Book {
    /// The `segment`/`segmentAsync` arguments, read on the calling thread.
    fn segment_args(&self, env: &Env, options: Option<Unknown>) -> Result<SegmentInput, Failure> {
        let mut a = SegmentArgs::default();
        let expected = "an object such as { rules, model, roster, asOf, features, scorecard }";
        let spec = book_options(
            env,
            self.shared(),
            options,
            expected,
            &["rules", "model", "roster"],
            |key, field, value| a.read(env, key, field, value),
        )?;
        Ok((spec, a))
    }
}

#[napi]
impl Book {
    /// The accounts as columns for conditions, one row per account (book order), keyed by
    /// field: `id`, `name`, `owner_csm`, `segment`, `tier` (the CRM's), `region`, `industry`,
    /// `plan`, `currency`, `start_date`, `renewal_date` (the next on or after `asOf`) as text;
    /// `arr` (on `asOf`, reporting currency), `seats`, `term_months`, `days_to_renewal` as
    /// numbers; `attr.<name>` for custom attributes; every feature column (unless
    /// `options.features` is `false`); `score`, `coverage` and `band` with
    /// `options.scorecard`. These are the fields tier rules may read. `asOf` defaults to the
    /// book's latest date.
    #[napi(
        ts_args_type = "asOf?: string | Date | null, options?: AccountTableOptions | null",
        ts_return_type = "AccountTable"
    )]
    pub fn account_table<'env>(
        &self,
        env: &'env Env,
        as_of: Option<Unknown<'env>>,
        options: Option<Unknown<'env>>,
    ) -> napi::Result<Object<'env>> {
        let t = js(env, || {
            let as_of = args::optional_date("asOf", as_of)?;
            let expected = "an object such as { features: true, scorecard }";
            let mut spec = TableSpec::new(self.shared(), as_of)?;
            plain_options(
                env,
                options,
                expected,
                &["features", "scorecard"],
                |key, field, value| spec.option(env, key, field, value).map(drop),
            )?;
            spec.build()
        })?;
        table_js(env, &t).map_err(|e| {
            Failure::Internal(format!("building the table failed: {}", e.reason)).into_js(env)
        })
    }

    /// Tier every account with `options.rules`, work out coverage against `options.model`
    /// and `options.roster` (each tier's customers, ARR and the CSMs it needs; each CSM's
    /// load, red accounts and off-tier accounts; owners not on the roster; customers without
    /// an owner), and assign: place accounts without a fitting owner with the least-loaded
    /// CSM of their tier who has room, largest ARR first, keeping every owner who is right
    /// and within capacity. Only customers (ARR on `asOf`) are covered and assigned.
    #[napi(
        ts_args_type = "options?: SegmentOptions | null",
        ts_return_type = "Segmentation & Summary"
    )]
    pub fn segment(&self, env: Env, options: Option<Unknown>) -> napi::Result<Js> {
        js(&env, || {
            self.segment_args(&env, options).and_then(run_book_segment)
        })
    }

    /// `segment` on a worker thread. Every error (including a bad argument) rejects the
    /// promise; nothing is thrown synchronously.
    #[napi(
        ts_args_type = "options?: SegmentOptions | null",
        ts_return_type = "Promise<Segmentation & Summary>"
    )]
    pub fn segment_async(&self, env: Env, options: Option<Unknown>) -> AsyncTask<SegmentTask> {
        AsyncTask::new(SegmentTask {
            input: Some(self.segment_args(&env, options)),
        })
    }

    /// What changing the tier rules from `before` to `after` does: the accounts changing
    /// tier, and each tier's customers and the CSMs it needs, before and after.
    #[napi(
        ts_args_type = "before: TierRules | TierRulesJson, after: TierRules | TierRulesJson, options?: WhatIfOptions | null",
        ts_return_type = "WhatIf & Summary"
    )]
    pub fn what_if(
        &self,
        env: Env,
        before: Unknown,
        after: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<Js> {
        js(&env, || {
            let before = tier_rules(&env, "before", before)?;
            let after = tier_rules(&env, "after", after)?;
            let mut model = CoverageModel::default();
            let expected = "an object such as { model, asOf, features, scorecard }";
            let spec = book_options(
                &env,
                self.shared(),
                options,
                expected,
                &["model"],
                |_, field, value| {
                    model = coverage_model(&env, field, value)?;
                    Ok(())
                },
            )?;
            let t = spec.build()?;
            let w = guard(|| core_segment::what_if(&t, &before, &after, &model))?;
            to_js_with_summary(&w, w.render())
        })
    }
}

/// Tiers, coverage and assignment (as `book.segment`) of accounts given as columns: `id` and
/// `owner_csm` (text) and `arr` (numbers) at least, plus every field the rules read. Rows
/// with no positive `arr` are not customers: tiered, but neither covered nor assigned.
/// `rules` defaults to `TierRules.default()`.
#[napi(
    ts_args_type = "columns: AccountColumns, rules?: TierRules | TierRulesJson | null, options?: SegmentColumnsOptions | null",
    ts_return_type = "Segmentation & Summary"
)]
pub fn segment_columns(
    env: Env,
    columns: Unknown,
    rules: Option<Unknown>,
    options: Option<Unknown>,
) -> napi::Result<Js> {
    js(&env, || {
        let mut a = SegmentArgs::default();
        if let Some(rules) = args::present(rules) {
            a.rules = tier_rules(&env, "rules", rules)?;
        }
        plain_options(
            &env,
            options,
            "an object such as { model, roster }",
            &["model", "roster"],
            |key, field, value| a.read(&env, key, field, value),
        )?;
        let t = table(&env, "columns", columns)?;
        let rules = a.rules.as_ref();
        let (table, made) = guard(|| core_segment::plan_given(&t, rules, &a.model, a.roster))?;
        shown(&table, &made, rules, None)
    })
}

/// One of a segmentation's tables (as Python's `Segmentation` gives them), by column:
/// `coverage` (per tier), `csms` (each CSM's load) or `assignment` (the plan's moves). The
/// segmentation is read back as `book.segment` returned it (or its JSON parsed).
#[napi(
    ts_args_type = "segmentation: Segmentation, name: 'coverage' | 'csms' | 'assignment'",
    ts_return_type = "TableColumns"
)]
pub fn segmentation_table(env: Env, segmentation: Unknown, name: String) -> napi::Result<Js> {
    js(&env, || {
        let value =
            crate::options::value_of(&env, "segmentation", segmentation, 0)?.unwrap_or_default();
        let s: core_segment::Segmentation =
            csops_core::options::from_argument("segmentation", value, Casing::Camel)?;
        let t = guard(|| core_segment::tables::segmentation(&name, Casing::Camel, &s))?;
        crate::results::to_js(&t)
    })
}

/// What changing the tier rules from `before` to `after` does to accounts given as columns
/// (`id` and `arr` at least, plus every field the rules read), as `book.whatIf`.
#[napi(
    ts_args_type = "columns: AccountColumns, before: TierRules | TierRulesJson, after: TierRules | TierRulesJson, options?: WhatIfColumnsOptions | null",
    ts_return_type = "WhatIf & Summary"
)]
pub fn what_if_columns(
    env: Env,
    columns: Unknown,
    before: Unknown,
    after: Unknown,
    options: Option<Unknown>,
) -> napi::Result<Js> {
    js(&env, || {
        let before = tier_rules(&env, "before", before)?;
        let after = tier_rules(&env, "after", after)?;
        let mut model = CoverageModel::default();
        plain_options(
            &env,
            options,
            "an object such as { model }",
            &["model"],
            |_, field, value| {
                model = coverage_model(&env, field, value)?;
                Ok(())
            },
        )?;
        let t = table(&env, "columns", columns)?;
        let w = guard(|| core_segment::what_if_given(&t, &before, &after, &model))?;
        to_js_with_summary(&w, w.render())
    })
}

/// The default coverage model: `high_touch` 15 accounts per CSM, `mid_touch` 50,
/// `tech_touch` 200, `digital` pooled (snake_case keys, as in configuration files).
#[napi(ts_return_type = "CoverageModelJson")]
pub fn default_coverage_model(env: Env) -> napi::Result<serde_json::Value> {
    js(&env, || {
        serde_json::to_value(CoverageModel::default())
            .map_err(|e| Failure::Internal(format!("coverage model: {e}")))
    })
}
