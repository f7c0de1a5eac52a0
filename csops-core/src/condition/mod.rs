//! The condition language: which accounts a segmentation rule or a playbook applies to.
//!
//! A condition is written as text,
//!
//! ```text
//! arr >= 100000 and region in ["EMEA", "NA"] and band != "green"
//! ```
//!
//! or as structured JSON, and the two are interchangeable (`parse` ∘ `to_string` is the
//! identity, property-tested):
//!
//! ```json
//! {"and": [{"field": "arr", "op": ">=", "value": 100000},
//!          {"field": "region", "in": ["EMEA", "NA"]},
//!          {"field": "band", "op": "!=", "value": "green"}]}
//! ```
//!
//! **Grammar.** `or` binds loosest, then `and`, then `not`; parentheses group. A comparison is
//! `field op value` with `op` one of `== != < <= > >=` (`=` also means `==`); `field in [v, …]`
//! and `field not in [v, …]`; `field between a and b` (inclusive); `field is null` and
//! `field is not null`; a field on its own means "is true" (for yes/no fields such as
//! `exec_sponsor_present`). Values are numbers, `"text"` or `'text'`, `true` and `false`.
//! Keywords are case-insensitive. Dates compare as `"YYYY-MM-DD"` text.
//!
//! **Fields** are account fields (`arr`, `segment`, `tier`, `region`, `owner_csm`, …), custom
//! attributes (`attr.<name>`), features (`logins_per_user_week`, …) and health (`score`,
//! `band`, `coverage`); see [`Schema`]. Unknown fields and type mismatches (`region > 5`) are
//! reported when a condition is compiled against a schema, at load time, never at evaluation.
//!
//! **Missing values** follow SQL's three-valued logic: a comparison with a missing value is
//! *unknown*, `not unknown` is unknown, `false and unknown` is false, `true or unknown` is true,
//! and an account matches only when the whole condition is *true*. So `region != "EMEA"` and
//! `not (region == "EMEA")` both leave out accounts without a region; ask for them with
//! `region is null`.
//!
//! **Bounds.** Text of at most 64 KiB, nesting at most 64 deep, at most 10,000 nodes and list
//! items: hostile input gets an error, never a stack overflow. Parse errors name the line and
//! column. Evaluation over a whole book runs column by column.

mod ast;
mod column;
mod given;
pub(crate) mod json;
mod logic;
mod parse;
mod schema;
mod table;

pub use ast::{Condition, Op, Value};
pub use column::Column;
pub use given::{Cell, CellColumn, Given, GivenTable};
pub use schema::{Kind, Schema};
pub use table::Table;

/// Longest condition text accepted, in bytes.
pub const MAX_TEXT: usize = 64 * 1024;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes (comparisons, connectives and list items) accepted.
pub const MAX_NODES: usize = 10_000;
