//! Health scoring by segment: the `ModelSet` class (a scorecard per segment) and its async
//! scoring task. Every score and band comes from csops-core; this module only converts.

use std::sync::Arc;

use csops_core::health::{self as core_health};
use napi::bindgen_prelude::{AsyncTask, Float64Array, This, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use serde::Deserialize;

use crate::args::{self, napi_failure, present, require_object};
use crate::error::{Failure, guard, invalid, js};
use crate::health::{Scorecard, called_with_new, json_text};
use crate::results::{Js, to_js};

/// Scores of a batch by a model set, by column: row `i` of every column is account
/// `accountIds[i]`.
#[napi(object, object_from_js = false)]
pub struct ModelSetScores {
    /// Account ids, in input order.
    pub account_ids: Vec<String>,
    /// The name of the scorecard that scored each row.
    pub scorecard: Vec<String>,
    /// Scores 0–100; `NaN` where coverage was insufficient.
    pub scores: Float64Array,
    /// Band names (each scorecard has its own scheme); `null` where not scored.
    #[napi(ts_type = "Array<string | null>")]
    pub bands: Vec<Option<String>>,
    /// Share of the row's scorecard weight whose measures had data, 0–1.
    pub coverage: Float64Array,
}

impl std::fmt::Debug for ModelSetScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelSetScores")
            .field("account_ids", &self.account_ids.len())
            .finish_non_exhaustive()
    }
}

impl From<core_health::ModelSetScores> for ModelSetScores {
    fn from(s: core_health::ModelSetScores) -> Self {
        let core_health::ModelSetScores {
            account_ids,
            scorecard,
            scores,
            bands,
            coverage,
        } = s;
        ModelSetScores {
            account_ids,
            scorecard,
            scores: Float64Array::new(scores),
            bands,
            coverage: Float64Array::new(coverage),
        }
    }
}

/// What `modelSet.scoreAsync` scores: the model set, the features and the segments.
type ModelSetInput = (
    Arc<core_health::ModelSet>,
    Arc<csops_core::features::FeatureFrame>,
    Vec<String>,
);

/// Scores a batch with a model set on a worker thread (`modelSet.scoreAsync`).
#[derive(Debug)]
pub struct ModelSetScoreTask {
    input: Option<Result<ModelSetInput, Failure>>,
}

#[napi]
impl Task for ModelSetScoreTask {
    type Output = Result<core_health::ModelSetScores, Failure>;
    type JsValue = ModelSetScores;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.input.take() {
            Some(Ok((set, frame, segments))) => guard(|| set.score_frame(&frame, &segments)),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Internal("the score task ran twice".into())),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<ModelSetScores> {
        output
            .map(ModelSetScores::from)
            .map_err(|failure| failure.into_js(&env))
    }
}

/// Scorecards per segment (or tier): each account is scored by its segment's scorecard, or
/// by the default one. Immutable and always valid; made by `new ModelSet(json)` (as
/// `ModelSet.fromJson`) or `ModelSet.fromToml`.
#[napi]
#[derive(Debug)]
pub struct ModelSet {
    inner: Arc<core_health::ModelSet>,
}

/// Parse a model set (JSON or TOML) and validate it: problems are prefixed with the segment.
fn parse_model_set(
    parsed: csops_core::Result<core_health::ModelSet>,
) -> csops_core::Result<ModelSet> {
    Ok(ModelSet {
        inner: Arc::new(parsed?),
    })
}

impl ModelSet {
    /// The `score`/`scoreAsync` arguments, read on the calling thread.
    fn score_args(
        &self,
        env: &Env,
        input: Unknown,
        options: Option<Unknown>,
    ) -> Result<ModelSetInput, Failure> {
        let features = crate::features::score_input(env, input)?;
        let segments = model_set_score_options(env, options)?;
        let frame = features.finish(env)?.into_frame()?;
        Ok((Arc::clone(&self.inner), frame, segments))
    }
}

#[napi]
impl ModelSet {
    /// The model set as text: the default scorecard, then each segment's (the same text as
    /// Python's `repr`).
    #[napi]
    pub fn render(&self) -> String {
        self.inner.render()
    }

    /// Read a model set from its JSON text or the same data as an object, as
    /// `ModelSet.fromJson` does. Throws `CSOPS_CONFIG` listing every problem (prefixed with
    /// the segment) when it is malformed or invalid.
    #[napi(constructor, ts_args_type = "json: string | ModelSetJson")]
    pub fn new(env: Env, this: This, json: Unknown) -> napi::Result<ModelSet> {
        js(&env, || {
            called_with_new::<ModelSet>(&env, &this, "ModelSet", "json")
        })?;
        ModelSet::from_json(env, json)
    }

    /// Read a model set from its JSON text or the same data as an object: `{ default:
    /// <scorecard>, by_segment: { segment: <scorecard> } }` (snake_case keys, as in scorecard
    /// files). Throws `CSOPS_CONFIG` listing every problem (prefixed with the segment) when it
    /// is malformed or invalid.
    #[napi(factory, ts_args_type = "json: string | ModelSetJson")]
    pub fn from_json(env: Env, json: Unknown) -> napi::Result<ModelSet> {
        js(&env, || {
            let text = model_set_json(&env, json)?;
            guard(|| parse_model_set(core_health::ModelSet::from_json(&text)))
        })
    }

    /// Read a model set from TOML text (`[default]` then `[by_segment.<segment>]` tables).
    /// Throws `CSOPS_CONFIG` listing every problem when it is malformed or invalid.
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_toml(env: Env, text: Unknown) -> napi::Result<ModelSet> {
        js(&env, || {
            let text = args::string("text", text)?;
            guard(|| parse_model_set(core_health::ModelSet::from_toml(&text)))
        })
    }

    /// Read a model set from its `.toml` or `.json` file (the core's `load`, as Python's
    /// `load`). Another extension or an invalid file is a `CSOPS_CONFIG` error; an unreadable
    /// one `CSOPS_IO`.
    #[napi(factory, ts_args_type = "path: string")]
    pub fn load(env: Env, path: Unknown) -> napi::Result<ModelSet> {
        js(&env, || {
            let path = std::path::PathBuf::from(args::string("path", path)?);
            guard(|| parse_model_set(core_health::ModelSet::load(&path)))
        })
    }

    /// The model set as data, with every key; `ModelSet.fromJson` reads it back.
    #[napi(ts_return_type = "ModelSetJson")]
    pub fn to_json(&self, env: Env) -> napi::Result<Js> {
        js(&env, || to_js(self.inner.as_ref()))
    }

    /// The model set as TOML text; `ModelSet.fromToml` reads it back.
    #[napi]
    pub fn to_toml(&self, env: Env) -> napi::Result<String> {
        js(&env, || guard(|| self.inner.to_toml()))
    }

    /// The segments that have a scorecard of their own, sorted.
    #[napi(getter)]
    pub fn segments(&self) -> Vec<String> {
        self.inner.by_segment.keys().cloned().collect()
    }

    /// The scorecard for a segment: its own, or the default.
    #[napi(ts_args_type = "segment: string")]
    pub fn scorecard_for(&self, env: Env, segment: Unknown) -> napi::Result<Scorecard> {
        js(&env, || {
            let segment = args::string("segment", segment)?;
            guard(|| Ok(self.inner.scorecard_for(&segment).clone())).map(Scorecard::wrap)
        })
    }

    /// Score every account of `input` (a `FeatureFrame` or columns) with its segment's
    /// scorecard: `options.segments` has one segment per row. Percentile measures rank within
    /// the rows scored by the same scorecard. A measure whose feature is not a column, or
    /// segments of the wrong length, are a `CSOPS_CONFIG` error.
    #[napi(ts_args_type = "input: FeatureFrame | ScoreColumns, options: ModelSetScoreOptions")]
    pub fn score(
        &self,
        env: Env,
        input: Unknown,
        options: Option<Unknown>,
    ) -> napi::Result<ModelSetScores> {
        js(&env, || {
            let (set, frame, segments) = self.score_args(&env, input, options)?;
            guard(|| set.score_frame(&frame, &segments)).map(ModelSetScores::from)
        })
    }

    /// `score` on a worker thread: the input is copied on the calling thread, then scored off
    /// the event loop. Every error (including a bad argument) rejects the promise.
    #[napi(ts_args_type = "input: FeatureFrame | ScoreColumns, options: ModelSetScoreOptions")]
    pub fn score_async(
        &self,
        env: Env,
        input: Unknown,
        options: Option<Unknown>,
    ) -> AsyncTask<ModelSetScoreTask> {
        AsyncTask::new(ModelSetScoreTask {
            input: Some(self.score_args(&env, input, options)),
        })
    }
}

/// Options of `modelSet.score` and `modelSet.scoreAsync`. An unknown key is a
/// `CSOPS_INVALID_ARGUMENT` error.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Debug)]
pub struct ModelSetScoreOptions {
    /// One segment per account (row): it picks the row's scorecard.
    pub segments: Vec<String>,
}

/// `modelSet.score` options as read: [`ModelSetScoreOptions`] with `segments` optional, so
/// that its absence gets a message of its own.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ModelSetScoreOptionsArg {
    segments: Option<Vec<String>>,
}

/// Model set score options: the segments (required).
pub(crate) fn model_set_score_options(
    env: &Env,
    v: Option<Unknown>,
) -> Result<Vec<String>, Failure> {
    let missing = || invalid("`options.segments` is required: one segment per account");
    let v = present(v).ok_or_else(missing)?;
    require_object("options", &v, "an object such as { segments: [...] }")?;
    let opts: ModelSetScoreOptionsArg = env
        .from_js_value(v)
        .map_err(|e| napi_failure("options", e))?;
    opts.segments.ok_or_else(missing)
}

/// A model set argument as JSON text, read as `health::scorecard_json` reads a scorecard.
fn model_set_json(env: &Env, v: Unknown) -> Result<String, Failure> {
    json_text(
        env,
        v,
        "a model set object { default, by_segment } (snake_case keys) or its JSON text",
    )
}
