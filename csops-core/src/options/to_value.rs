//! Results as values a binding hands on: the serde shape of a core type, with its field names
//! in the caller's casing.
//!
//! The Python and Node packages do not mirror the core's result types field by field: they
//! take [`to_value`] of a result and turn the JSON-like value into a dict or a JavaScript
//! object. Field names follow the casing (`renewed_arr` in Python, `renewedArr` in Node); the
//! keys of a map are data (band names, account ids, column names) and stay as written, and so
//! does the text of an enumeration (`"dates_out_of_order"`). Money keeps its exact decimal
//! text; a day is `YYYY-MM-DD`; an absent value is `null`. A number that is not finite has no
//! JSON spelling and is `null` as well; results keep such values out of their types, so this
//! is a last resort, not a convention.
//!
//! A configuration document inside a result (the re-weighted scorecard of a re-calibration)
//! keeps the spelling of its file, snake_case, in every language ([`DOCUMENTS`]): it can be
//! saved and loaded back as it is.

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::{Number, Value};

use super::Casing;
use crate::{Error, Result};

/// The configuration documents: types written to and read from files (JSON, TOML) in one
/// spelling, snake_case, whatever the language. Inside one, nothing is renamed.
pub const DOCUMENTS: &[&str] = &["Scorecard", "ModelSet", "FeatureConfig", "FireHistory"];

/// The casing inside a struct called `name`.
fn inside(name: &str, casing: Casing) -> Casing {
    if DOCUMENTS.contains(&name) {
        Casing::Snake
    } else {
        casing
    }
}

/// A result as a JSON-like value with its field names in `casing`. Fails only for a type that
/// serde cannot write as JSON (a map whose keys are not text), which is a bug of the core.
///
/// ```
/// use csops_core::options::{Casing, to_value};
/// #[derive(serde::Serialize)]
/// struct Line { renewed_arr: u32, by_band: std::collections::BTreeMap<String, u32> }
/// let line = Line { renewed_arr: 7, by_band: [("at_risk".to_string(), 2)].into() };
/// let v = to_value(&line, Casing::Camel)?;
/// assert_eq!(v, serde_json::json!({"renewedArr": 7, "byBand": {"at_risk": 2}}));
/// # Ok::<(), csops_core::Error>(())
/// ```
pub fn to_value<T: Serialize + ?Sized>(value: &T, casing: Casing) -> Result<Value> {
    to_tree(value, casing).map(Value::from)
}

/// A result as a [`Tree`] with its field names in `casing`: [`to_value`] without the JSON
/// step, so numbers that are not finite stay as they are.
pub fn to_tree<T: Serialize + ?Sized>(value: &T, casing: Casing) -> Result<Tree> {
    value.serialize(Cased(casing))
}

/// A value on its way into another language: JSON's shapes, with numbers as Rust has them
/// (whole numbers apart, and floats that may be infinite or `NaN`) and fields in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree {
    /// `null`: an absent value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number below zero.
    Int(i64),
    /// A whole number from zero.
    UInt(u64),
    /// Any other number, perhaps infinite or `NaN`.
    Float(f64),
    /// Text.
    Text(String),
    /// A list.
    List(Vec<Tree>),
    /// Named values in order: a struct's fields or a map's entries.
    Map(Vec<(String, Tree)>),
}

impl From<Tree> for Value {
    fn from(t: Tree) -> Value {
        match t {
            Tree::Null => Value::Null,
            Tree::Bool(b) => Value::Bool(b),
            Tree::Int(i) => i.into(),
            Tree::UInt(u) => u.into(),
            Tree::Float(x) => Number::from_f64(x).map_or(Value::Null, Value::Number),
            Tree::Text(s) => Value::String(s),
            Tree::List(items) => Value::Array(items.into_iter().map(Value::from).collect()),
            Tree::Map(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k, Value::from(v)))
                    .collect(),
            ),
        }
    }
}

/// `renewed_arr` → `renewedArr` in camelCase; the name as written otherwise.
pub fn field_name(name: &str, casing: Casing) -> String {
    match casing {
        Casing::Snake => name.to_string(),
        Casing::Camel => {
            let mut out = String::with_capacity(name.len());
            let mut upper = false;
            for c in name.chars() {
                if c == '_' && !out.is_empty() {
                    upper = true;
                } else if upper {
                    out.extend(c.to_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

fn bug(what: impl std::fmt::Display) -> Error {
    Error::InvalidArgument {
        path: String::new(),
        reason: format!("a result could not be written as a value: {what}"),
    }
}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        bug(msg)
    }
}

/// The serializer: serde_json's value shape, field names in a casing.
#[derive(Clone, Copy)]
struct Cased(Casing);

impl ser::Serializer for Cased {
    type Ok = Tree;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Tagged<Seq>;
    type SerializeMap = Keyed;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Tagged<Fields>;

    fn serialize_bool(self, v: bool) -> Result<Tree> {
        Ok(Tree::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Tree> {
        Ok(int(i64::from(v)))
    }
    fn serialize_i16(self, v: i16) -> Result<Tree> {
        Ok(int(i64::from(v)))
    }
    fn serialize_i32(self, v: i32) -> Result<Tree> {
        Ok(int(i64::from(v)))
    }
    fn serialize_i64(self, v: i64) -> Result<Tree> {
        Ok(int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Tree> {
        Ok(Tree::UInt(u64::from(v)))
    }
    fn serialize_u16(self, v: u16) -> Result<Tree> {
        Ok(Tree::UInt(u64::from(v)))
    }
    fn serialize_u32(self, v: u32) -> Result<Tree> {
        Ok(Tree::UInt(u64::from(v)))
    }
    fn serialize_u64(self, v: u64) -> Result<Tree> {
        Ok(Tree::UInt(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Tree> {
        Ok(Tree::Float(f64::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<Tree> {
        Ok(Tree::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Tree> {
        Ok(Tree::Text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Tree> {
        Ok(Tree::Text(v.to_string()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Tree> {
        Ok(Tree::List(
            v.iter().map(|&b| Tree::UInt(u64::from(b))).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Tree> {
        Ok(Tree::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Tree> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Tree> {
        Ok(Tree::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Tree> {
        Ok(Tree::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Tree> {
        Ok(Tree::Text(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Tree> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Tree> {
        Ok(Tree::Map(vec![(variant.to_string(), v.serialize(self)?)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq> {
        Ok(Seq(self.0, Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Tagged<Seq>> {
        Ok(Tagged(variant, self.serialize_seq(Some(len))?))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Keyed> {
        // A struct that serializes as a map (serde's `tag` on a struct) still reaches
        // `serialize_struct`; a real map's keys are data.
        Ok(Keyed(self.0, Vec::new(), None))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Fields> {
        Ok(Fields(inside(name, self.0), Vec::new()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Tagged<Fields>> {
        Ok(Tagged(variant, Fields(self.0, Vec::new())))
    }
}

/// The items of a list or tuple.
struct Seq(Casing, Vec<Tree>);

impl ser::SerializeSeq for Seq {
    type Ok = Tree;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        self.1.push(v.serialize(Cased(self.0))?);
        Ok(())
    }
    fn end(self) -> Result<Tree> {
        Ok(Tree::List(self.1))
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Tree;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Tree> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Tree;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Tree> {
        ser::SerializeSeq::end(self)
    }
}

/// A map: its keys are data, taken as written.
struct Keyed(Casing, Vec<(String, Tree)>, Option<String>);

impl ser::SerializeMap for Keyed {
    type Ok = Tree;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.2 = Some(key.serialize(MapKey)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        let key = self
            .2
            .take()
            .ok_or_else(|| bug("a map value without its key"))?;
        self.1.push((key, v.serialize(Cased(self.0))?));
        Ok(())
    }
    fn end(self) -> Result<Tree> {
        Ok(Tree::Map(self.1))
    }
}

/// The fields of a struct: their names in the casing.
struct Fields(Casing, Vec<(String, Tree)>);

impl ser::SerializeStruct for Fields {
    type Ok = Tree;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, v: &T) -> Result<()> {
        self.1
            .push((field_name(name, self.0), v.serialize(Cased(self.0))?));
        Ok(())
    }
    fn end(self) -> Result<Tree> {
        Ok(Tree::Map(self.1))
    }
}

/// An enumeration variant with content: `{"variant": content}`, serde's default shape.
struct Tagged<C>(&'static str, C);

impl<C> Tagged<C> {
    fn wrap(variant: &'static str, content: Tree) -> Tree {
        Tree::Map(vec![(variant.to_string(), content)])
    }
}

impl ser::SerializeTupleVariant for Tagged<Seq> {
    type Ok = Tree;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(&mut self.1, v)
    }
    fn end(self) -> Result<Tree> {
        Ok(Self::wrap(self.0, ser::SerializeSeq::end(self.1)?))
    }
}

impl ser::SerializeStructVariant for Tagged<Fields> {
    type Ok = Tree;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, v: &T) -> Result<()> {
        ser::SerializeStruct::serialize_field(&mut self.1, name, v)
    }
    fn end(self) -> Result<Tree> {
        Ok(Self::wrap(self.0, ser::SerializeStruct::end(self.1)?))
    }
}

/// A whole number: below zero an `Int`, else a `UInt` (one spelling per number).
fn int(v: i64) -> Tree {
    u64::try_from(v).map_or(Tree::Int(v), Tree::UInt)
}

/// A map key: text as written; numbers, booleans and unit variants as their text (as
/// serde_json writes them).
struct MapKey;

impl ser::Serializer for MapKey {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Impossible<String, Error>;
    type SerializeTuple = Impossible<String, Error>;
    type SerializeTupleStruct = Impossible<String, Error>;
    type SerializeTupleVariant = Impossible<String, Error>;
    type SerializeMap = Impossible<String, Error>;
    type SerializeStruct = Impossible<String, Error>;
    type SerializeStructVariant = Impossible<String, Error>;

    fn serialize_bool(self, v: bool) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, _: f32) -> Result<String> {
        Err(bug("a number as a map key"))
    }
    fn serialize_f64(self, _: f64) -> Result<String> {
        Err(bug("a number as a map key"))
    }
    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String> {
        Err(bug("bytes as a map key"))
    }
    fn serialize_none(self) -> Result<String> {
        Err(bug("nothing as a map key"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<String> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<String> {
        Err(bug("nothing as a map key"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String> {
        Err(bug("nothing as a map key"))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<String> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String> {
        Err(bug("a variant with content as a map key"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(bug("a list as a map key"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(bug("a tuple as a map key"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(bug("a tuple as a map key"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(bug("a variant as a map key"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(bug("a map as a map key"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(bug("a struct as a map key"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(bug("a variant as a map key"))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        DatesOutOfOrder,
        Note { first_seen: u8 },
    }

    #[derive(Serialize)]
    struct Row {
        account_id: String,
        renewed_arr: Option<f64>,
        by_band: BTreeMap<String, u8>,
        kinds: Vec<Kind>,
    }

    fn row() -> Row {
        Row {
            account_id: "A-1".into(),
            renewed_arr: None,
            by_band: [("at_risk".to_string(), 1)].into(),
            kinds: vec![Kind::DatesOutOfOrder, Kind::Note { first_seen: 2 }],
        }
    }

    #[test]
    fn snake_case_is_serde_json_shape() {
        assert_eq!(
            to_value(&row(), Casing::Snake).unwrap(),
            serde_json::to_value(row()).unwrap()
        );
    }

    #[test]
    fn camel_case_renames_fields_only() {
        assert_eq!(
            to_value(&row(), Casing::Camel).unwrap(),
            json!({
                "accountId": "A-1",
                "renewedArr": null,
                "byBand": {"at_risk": 1},
                "kinds": ["dates_out_of_order", {"note": {"firstSeen": 2}}],
            })
        );
    }

    #[test]
    fn not_finite_is_null_in_json_and_kept_in_a_tree() {
        assert_eq!(to_value(&f64::NAN, Casing::Camel).unwrap(), Value::Null);
        assert_eq!(
            to_tree(&f64::INFINITY, Casing::Camel).unwrap(),
            Tree::Float(f64::INFINITY)
        );
    }

    proptest! {
        /// camelCase then the reader's snake rule gives the field name back.
        #[test]
        fn camel_round_trips_to_snake(parts in prop::collection::vec("[a-z][a-z0-9]{0,5}", 1..5)) {
            let name = parts.join("_");
            let camel = field_name(&name, Casing::Camel);
            prop_assert_eq!(super::super::snake(&camel), name);
        }

        /// Map keys are data: whatever the text, it comes out as written.
        #[test]
        fn map_keys_untouched(keys in prop::collection::btree_set(".{0,12}", 0..6)) {
            let map: BTreeMap<String, u8> = keys.iter().map(|k| (k.clone(), 1)).collect();
            let v = to_value(&map, Casing::Camel).unwrap();
            let got: Vec<&String> = v.as_object().unwrap().keys().collect();
            prop_assert_eq!(got, keys.iter().collect::<Vec<_>>());
        }
    }
}
