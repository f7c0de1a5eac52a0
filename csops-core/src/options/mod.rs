//! Options as callers give them: one grammar and one set of defaults for Rust, Python and
//! Node.
//!
//! A call that takes options (a forecast's window and probability source, a reconciliation's
//! tolerances) takes them as a serde type of this crate, with `deny_unknown_fields` and its
//! defaults documented on the type. The Python and Node packages do not read options
//! themselves: they turn what the user wrote (a dict, a JavaScript object) into a JSON-like
//! [`serde_json::Value`], translating only types that JSON lacks (a `datetime.date` or a
//! JavaScript `Date` becomes `YYYY-MM-DD`, a `Recalibration` its probability map), and hand
//! it to [`from_value`]. So an option means the same in every language, has the same default
//! and, when it is wrong, gets the same message naming where it is (`probability.fallback`).
//!
//! Two kinds of wrong are told apart, as each language's habits expect:
//! - the **shape** is wrong (an unknown key, a number where text belongs): an
//!   [`Error::InvalidArgument`] naming the path (Python `TypeError`, Node
//!   `CSOPS_INVALID_ARGUMENT`);
//! - the shape is right and a **value** is not (a probability of 1.5, a day that does not
//!   exist, a method that is not one of the choices, a negative seed): an [`Error::Config`]
//!   naming the path (Python `ConfigError`, Node `CSOPS_CONFIG`).
//!
//! Keys are snake_case. With [`Casing::Camel`] (Node's habit) each field name is also read in
//! its camelCase spelling (`bandPriors`, `commitFrom`): field names only, never the keys of a
//! map, which are data (band names, account ids) and are taken as written.
//!
//! ```
//! use csops_core::forecast::ForecastOptions;
//! use csops_core::options::{Casing, from_value};
//! let o: ForecastOptions = from_value(
//!     serde_json::json!({"commitFrom": 0.8, "probability": {"bandPriors": {"red": 0.5}}}),
//!     Casing::Camel,
//! )?;
//! assert_eq!(o.commit_from, Some(0.8));
//! let e = from_value::<ForecastOptions>(serde_json::json!({"draws": "many"}), Casing::Snake)
//!     .unwrap_err();
//! assert!(e.to_string().contains("draws"));
//! # Ok::<(), csops_core::Error>(())
//! ```

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer,
    VariantAccess, Visitor,
};
use serde_json::Value;

use crate::{Error, Result};

mod document;
mod to_value;
pub use document::{Document, load_file};
pub use to_value::{DOCUMENTS, Tree, field_name, to_tree, to_value};

/// Serde for an optional day option (`#[serde(deserialize_with = ...)]`): read by the core's
/// one rule for a day ([`crate::interchange::parse_day`]), so an option's day means what a day
/// argument means; text that is not a day is a value error (an [`Error::Config`] through
/// [`from_value`]), quoting the rule.
pub fn optional_day<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<chrono::NaiveDate>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(d)?;
    text.map(|t| {
        crate::interchange::values::parse_day(&t)
            .map_err(|e| de::Error::custom(format!("invalid value: {e}")))
    })
    .transpose()
}

/// Serde for a day field (`#[serde(deserialize_with = ...)]`) of a value read back from a
/// caller (a forecast, fired plays): read by the core's one rule for a day, so a bad one says
/// what a day is rather than what the date library met.
pub fn day<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<chrono::NaiveDate, D::Error> {
    let text: String = serde::Deserialize::deserialize(d)?;
    crate::interchange::values::parse_day(&text)
        .map_err(|e| de::Error::custom(format!("invalid value: {e}")))
}

/// The error for a non-finite number (`NaN`, an infinity) given as an option at `path`: no
/// option takes one (JSON has none), and passing it on as "not given" would change what the
/// caller asked for.
pub fn not_finite(path: &str, x: f64) -> Error {
    Error::InvalidArgument {
        path: path.to_string(),
        reason: format!("{x} is not a number an option takes (options are finite numbers)"),
    }
}

/// How deep an option value may nest (objects and lists within each other). No option needs
/// more than a few levels; the bindings stop translating at this depth, so a circular or
/// absurdly deep value is an error instead of a stack overflow.
pub const MAX_DEPTH: usize = 64;

/// The error for a value nested deeper than [`MAX_DEPTH`] at `path` (circular, or absurd).
pub fn too_deep(path: &str) -> Error {
    Error::InvalidArgument {
        path: path.to_string(),
        reason: format!(
            "nested more than {MAX_DEPTH} deep (is it circular?); options nest a few levels"
        ),
    }
}

/// How the field names of an option are spelled by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Casing {
    /// `snake_case`, as in Rust and Python.
    Snake,
    /// `camelCase` (Node); the snake_case spelling is read as well.
    Camel,
}

/// Read an option type from a JSON-like value. A wrong shape (a value of the wrong type, an
/// unknown or missing key) is an [`Error::InvalidArgument`] with the path of the faulty part;
/// a value of the right type that the type refuses (a name that is not one of its choices, a
/// negative count) an [`Error::Config`] naming the path.
pub fn from_value<T: DeserializeOwned>(value: Value, casing: Casing) -> Result<T> {
    read_at(value, casing, "")
}

/// [`from_value`] of the argument called `name` (a result given back, such as a forecast to
/// reconcile): the paths in its errors start with the name (`forecast.lines[0].arr`).
pub fn from_argument<T: DeserializeOwned>(name: &str, value: Value, casing: Casing) -> Result<T> {
    read_at(value, casing, name)
}

fn read_at<T: DeserializeOwned>(value: Value, casing: Casing, name: &str) -> Result<T> {
    let result = serde_path_to_error::deserialize(Given(value, casing));
    result.map_err(|e| {
        let path = e.path().to_string();
        let path = match (path.as_str(), name) {
            (".", _) => name.to_string(),
            (_, "") => path,
            (_, _) if path.starts_with('[') => format!("{name}{path}"),
            _ => format!("{name}.{path}"),
        };
        let reason = e.into_inner().to_string();
        // serde's own words tell the two apart: `invalid value`, `unknown variant` are values
        // (after the path of a part read in two steps, as a probability source is).
        let is_value = |r: &str| r.starts_with("invalid value") || r.starts_with("unknown variant");
        if is_value(&reason) || reason.split(": ").any(is_value) {
            Error::Config(vec![if path.is_empty() {
                reason
            } else {
                format!("{path}: {reason}")
            }])
        } else {
            Error::InvalidArgument { path, reason }
        }
    })
}

/// `commitFrom` → `commit_from`; snake_case stays as it is.
pub(crate) fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A value as a caller gave it. Unlike `serde_json::Value` itself, it gives a struct only an
/// object (never a list of its fields in order), and reads field and variant names in the
/// caller's casing.
struct Given(Value, Casing);

/// A map key: a field name when a struct reads it (camelCase converted), text when a map
/// does (kept as written).
struct Key(String, Casing);

/// The error of this deserializer (serde_json's, which already says "invalid type: …").
type E = serde_json::Error;

impl<'de> IntoDeserializer<'de, E> for Given {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> IntoDeserializer<'de, E> for Key {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Given {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, E> {
        match self.0 {
            Value::Array(items) => {
                let casing = self.1;
                let mut seq = SeqDeserializer::new(items.into_iter().map(|v| Given(v, casing)));
                let v = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(v)
            }
            Value::Object(map) => {
                let casing = self.1;
                let mut m = MapDeserializer::new(
                    map.into_iter()
                        .map(|(k, v)| (Key(k, casing), Given(v, casing))),
                );
                let v = visitor.visit_map(&mut m)?;
                m.end()?;
                Ok(v)
            }
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, E> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Given(other, self.1)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, E> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(Variant(Key(s, self.1), None)),
            Value::Object(map) if map.len() == 1 => {
                let (k, v) = map.into_iter().next().expect("one entry");
                visitor.visit_enum(Variant(Key(k, self.1), Some(Given(v, self.1))))
            }
            other => other.deserialize_enum(name, variants, visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, E> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            Value::Array(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor)),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> std::result::Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    /// Text is only text: an exact amount (a decimal string) given as a number would have
    /// passed through a float, so it is refused rather than read.
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, E> {
        match self.0 {
            Value::String(s) => visitor.visit_string(s),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, E> {
        self.deserialize_str(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// What a value is, for a type error.
fn unexpected(v: &Value) -> de::Unexpected<'_> {
    match v {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => de::Unexpected::Unsigned(u),
            (_, Some(i), _) => de::Unexpected::Signed(i),
            (_, _, Some(x)) => de::Unexpected::Float(x),
            _ => de::Unexpected::Other("a number"),
        },
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

impl<'de> Deserializer<'de> for Key {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> std::result::Result<V::Value, E> {
        visitor.visit_string(self.0)
    }

    fn deserialize_identifier<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, E> {
        match self.1 {
            Casing::Camel => visitor.visit_string(snake(&self.0)),
            Casing::Snake => visitor.visit_string(self.0),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        ignored_any
    }
}

/// An enum variant given as text (`"monteCarlo"`) or as a one-key object.
struct Variant(Key, Option<Given>);

/// The content of an enum variant, if any.
struct Content(Option<Given>);

impl<'de> EnumAccess<'de> for Variant {
    type Error = E;
    type Variant = Content;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> std::result::Result<(S::Value, Content), E> {
        Ok((seed.deserialize(self.0)?, Content(self.1)))
    }
}

impl<'de> VariantAccess<'de> for Content {
    type Error = E;

    fn unit_variant(self) -> std::result::Result<(), E> {
        match self.0 {
            None | Some(Given(Value::Null, _)) => Ok(()),
            Some(_) => Err(de::Error::invalid_type(
                de::Unexpected::Map,
                &"a name without content",
            )),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> std::result::Result<S::Value, E> {
        match self.0 {
            Some(v) => seed.deserialize(v),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"content",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> std::result::Result<V::Value, E> {
        match self.0 {
            Some(v) => v.deserialize_any(visitor),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"a list",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, E> {
        match self.0 {
            Some(v) => v.deserialize_any(visitor),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"an object",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Opt {
        commit_from: Option<f64>,
        #[serde(default)]
        priors: BTreeMap<String, f64>,
        #[serde(default)]
        how: Option<How>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum How {
        MonteCarlo,
        Exact,
    }

    #[test]
    fn camel_case_reads_field_names_and_variants_but_never_map_keys() {
        let o: Opt = from_value(
            json!({"commitFrom": 0.5, "priors": {"atRisk": 0.1}, "how": "monteCarlo"}),
            Casing::Camel,
        )
        .unwrap();
        assert_eq!(o.commit_from, Some(0.5));
        assert_eq!(o.priors.keys().collect::<Vec<_>>(), ["atRisk"]);
        assert_eq!(o.how, Some(How::MonteCarlo));
        // Snake case reads camelCase names as unknown.
        let e = from_value::<Opt>(json!({"commitFrom": 0.5}), Casing::Snake).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }), "{e}");
        assert!(e.to_string().contains("unknown field `commitFrom`"), "{e}");
    }

    #[test]
    fn shape_errors_name_their_path() {
        let e = from_value::<Opt>(json!({"priors": {"red": "high"}}), Casing::Camel).unwrap_err();
        let Error::InvalidArgument { path, reason } = &e else {
            panic!("{e}")
        };
        assert_eq!(path, "priors.red");
        assert!(reason.contains("invalid type: string \"high\""), "{reason}");
        // A name that is not one of the choices is a value error.
        let e = from_value::<Opt>(json!({"how": "guess"}), Casing::Camel).unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e}");
        assert!(
            e.to_string().contains("how: unknown variant `guess`"),
            "{e}"
        );
        let e = from_value::<Opt>(json!([1]), Casing::Camel).unwrap_err();
        assert!(e.to_string().contains("invalid type: sequence"), "{e}");
    }
}
