//! Results as tables: the rows a CS Ops analyst reads, the same in every language.
//!
//! A back-test's renewal rate per band, a forecast's lines, a segmentation's coverage per tier:
//! each result is a Rust value with fields, and each also has a flat table view (one row per
//! band, line or tier, one column per figure) for a spreadsheet, a DataFrame or a report. Which
//! columns a table has, their names, order and kinds are decided here, once: Python hands
//! a [`Table`] out as a pandas, polars or pyarrow frame, Node as an object of columns
//! (`backtest.table(name)`, `forecastTable`, …). Each domain module says which tables it has
//! (`backtest::tables`, `forecast::tables`, `retention::tables`, `segment::tables`,
//! `playbook::tables`); `tests/conformance/tables/` holds the sample book's, checked in all
//! three languages.
//!
//! A column's [`Values`] keep their kind: amounts stay exact decimals (their currency in a
//! column of its own), dates stay days, a band is a category of the scorecard's bands in
//! their order, lowest first, and a missing value is missing (`None`, or `NaN` for numbers),
//! never a made-up value.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

/// One result table: named columns of equal length, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The columns, in order.
    pub columns: Vec<TableColumn>,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    /// Its name (`snake_case`, as every language shows it).
    pub name: String,
    /// Its values, one per row.
    pub values: Values,
}

/// The values of a column, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Numbers (scores, rates, ratios), `NaN` where missing.
    Numbers(Vec<f64>),
    /// Counts (renewals, accounts).
    Counts(Vec<u64>),
    /// Text, `None` where missing.
    Text(Vec<Option<String>>),
    /// Yes/no, every value present.
    Flags(Vec<bool>),
    /// Yes/no, `None` where missing (not computable).
    MaybeFlags(Vec<Option<bool>>),
    /// Days, `None` where missing.
    Dates(Vec<Option<NaiveDate>>),
    /// Exact amounts, `None` where missing; their currency is another column.
    Amounts(Vec<Option<Decimal>>),
    /// One of a fixed list of names per row (bands, tiers).
    Categories(Categories),
    /// A list of text per row (a fired play's tags).
    Lists(Vec<Vec<String>>),
    /// Structured data per row, in its serde form (a fired play's actions).
    Data(Vec<serde_json::Value>),
}

/// Categorical values: each row's category as an index into `names` (`None`: missing).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Categories {
    /// Each row's category.
    pub codes: Vec<Option<u16>>,
    /// The categories, in their order.
    pub names: Vec<String>,
    /// Whether that order means something (bands: red < yellow < green; tiers: no).
    pub ordered: bool,
}

impl Categories {
    /// Each row's category by name.
    pub fn get(&self, row: usize) -> Option<&str> {
        let code = (*self.codes.get(row)?)?;
        self.names.get(usize::from(code)).map(String::as_str)
    }

    /// The categories of `order` by name, missing where a row has none; a name not in
    /// `order` is added after them rather than lost.
    pub fn of<'a, S: AsRef<str>>(
        order: &[S],
        values: impl IntoIterator<Item = Option<&'a str>>,
        ordered: bool,
    ) -> Self {
        let mut names: Vec<String> = order.iter().map(|n| n.as_ref().to_string()).collect();
        let codes = values
            .into_iter()
            .map(|v| {
                let v = v?;
                let i = match names.iter().position(|n| n == v) {
                    Some(i) => i,
                    None => {
                        names.push(v.to_string());
                        names.len() - 1
                    }
                };
                u16::try_from(i).ok()
            })
            .collect();
        Categories {
            codes,
            names,
            ordered,
        }
    }
}

impl Values {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Values::Numbers(v) => v.len(),
            Values::Counts(v) => v.len(),
            Values::Text(v) => v.len(),
            Values::Flags(v) => v.len(),
            Values::MaybeFlags(v) => v.len(),
            Values::Dates(v) => v.len(),
            Values::Amounts(v) => v.len(),
            Values::Categories(c) => c.codes.len(),
            Values::Lists(v) => v.len(),
            Values::Data(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kind's name, as the serde form and the docs give it.
    pub fn kind(&self) -> &'static str {
        match self {
            Values::Numbers(_) => "number",
            Values::Counts(_) => "count",
            Values::Text(_) => "text",
            Values::Flags(_) | Values::MaybeFlags(_) => "flag",
            Values::Dates(_) => "date",
            Values::Amounts(_) => "amount",
            Values::Categories(c) if c.ordered => "ordered_category",
            Values::Categories(_) => "category",
            Values::Lists(_) => "list",
            Values::Data(_) => "data",
        }
    }
}

impl Table {
    /// No columns yet.
    pub fn new() -> Self {
        Table::default()
    }

    /// The number of rows (0 without columns).
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Values> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.values)
    }

    /// The column names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Add a column.
    pub fn push(&mut self, name: impl Into<String>, values: Values) -> &mut Self {
        self.columns.push(TableColumn {
            name: name.into(),
            values,
        });
        self
    }

    /// Numbers, `NaN` where missing.
    pub fn numbers(&mut self, name: &str, v: impl IntoIterator<Item = f64>) -> &mut Self {
        self.push(name, Values::Numbers(v.into_iter().collect()))
    }

    /// Numbers that may be missing.
    pub fn maybe_numbers(
        &mut self,
        name: &str,
        v: impl IntoIterator<Item = Option<f64>>,
    ) -> &mut Self {
        self.numbers(name, v.into_iter().map(|v| v.unwrap_or(f64::NAN)))
    }

    /// Counts.
    pub fn counts(&mut self, name: &str, v: impl IntoIterator<Item = u64>) -> &mut Self {
        self.push(name, Values::Counts(v.into_iter().collect()))
    }

    /// Text, every value present.
    pub fn text<S: AsRef<str>>(&mut self, name: &str, v: impl IntoIterator<Item = S>) -> &mut Self {
        self.maybe_text(name, v.into_iter().map(Some))
    }

    /// Text that may be missing.
    pub fn maybe_text<S: AsRef<str>>(
        &mut self,
        name: &str,
        v: impl IntoIterator<Item = Option<S>>,
    ) -> &mut Self {
        let v = v
            .into_iter()
            .map(|s| s.map(|s| s.as_ref().to_string()))
            .collect();
        self.push(name, Values::Text(v))
    }

    /// The serde names of enum values (`renewed`, `churned`, …), as text.
    pub fn names_of<T: Serialize>(
        &mut self,
        name: &str,
        v: impl IntoIterator<Item = T>,
    ) -> &mut Self {
        self.text(name, v.into_iter().map(|v| serde_name(&v)))
    }

    /// Yes/no.
    pub fn flags(&mut self, name: &str, v: impl IntoIterator<Item = bool>) -> &mut Self {
        self.push(name, Values::Flags(v.into_iter().collect()))
    }

    /// Yes/no that may be missing.
    pub fn maybe_flags(
        &mut self,
        name: &str,
        v: impl IntoIterator<Item = Option<bool>>,
    ) -> &mut Self {
        self.push(name, Values::MaybeFlags(v.into_iter().collect()))
    }

    /// Days.
    pub fn dates(&mut self, name: &str, v: impl IntoIterator<Item = NaiveDate>) -> &mut Self {
        self.maybe_dates(name, v.into_iter().map(Some))
    }

    /// Days that may be missing.
    pub fn maybe_dates(
        &mut self,
        name: &str,
        v: impl IntoIterator<Item = Option<NaiveDate>>,
    ) -> &mut Self {
        self.push(name, Values::Dates(v.into_iter().collect()))
    }

    /// Exact amounts.
    pub fn amounts(&mut self, name: &str, v: impl IntoIterator<Item = Decimal>) -> &mut Self {
        self.push(name, Values::Amounts(v.into_iter().map(Some).collect()))
    }

    /// Bands, the same kind in every table: an ordered category of `order` (a scorecard's
    /// bands, lowest first), missing where a row has no band (unscored).
    pub fn bands<'a, S: AsRef<str>>(
        &mut self,
        name: &str,
        order: &[S],
        v: impl IntoIterator<Item = Option<&'a str>>,
    ) -> &mut Self {
        self.push(name, Values::Categories(Categories::of(order, v, true)))
    }

    /// Tiers, the same kind in every table: a category of the rules' tiers (rule order, then
    /// the default), unordered.
    pub fn tiers<'a, S: AsRef<str>>(
        &mut self,
        name: &str,
        order: &[S],
        v: impl IntoIterator<Item = Option<&'a str>>,
    ) -> &mut Self {
        self.push(name, Values::Categories(Categories::of(order, v, false)))
    }

    /// A list of text per row.
    pub fn lists(&mut self, name: &str, v: impl IntoIterator<Item = Vec<String>>) -> &mut Self {
        self.push(name, Values::Lists(v.into_iter().collect()))
    }

    /// Structured data per row, in its serde form.
    pub fn data<T: Serialize>(&mut self, name: &str, v: impl IntoIterator<Item = T>) -> &mut Self {
        let v = v
            .into_iter()
            .map(|v| serde_json::to_value(v).unwrap_or(serde_json::Value::Null))
            .collect();
        self.push(name, Values::Data(v))
    }

    /// Take the table, leaving an empty one (ends a chain of builder calls).
    pub fn take(&mut self) -> Table {
        std::mem::take(self)
    }
}

/// The position of the table called `name` (written in `casing`) among a result's `names`
/// (snake_case), or an [`crate::Error::InvalidArgument`] listing them: how a binding that
/// asks for a table by name (Node's `backtest.table("bands")`) picks one.
pub fn pick(
    what: &str,
    name: &str,
    names: &[&str],
    casing: crate::options::Casing,
) -> crate::Result<usize> {
    use crate::options::field_name;
    names
        .iter()
        .position(|n| field_name(n, casing) == name)
        .ok_or_else(|| crate::Error::InvalidArgument {
            path: "name".into(),
            reason: format!(
                "{what} has no table {name:?}; its tables are {}",
                names
                    .iter()
                    .map(|n| format!("{:?}", field_name(n, casing)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

/// The serde name of a unit enum value (`Outcome::Renewed` → `renewed`); empty for anything
/// else.
pub fn serde_name<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A table serialises as an object of columns by name, each a list of values: numbers with
/// `null` where missing, dates as ISO days, amounts as decimal strings, categories by name.
impl Serialize for Table {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.columns.len()))?;
        for c in &self.columns {
            m.serialize_entry(&c.name, &c.values)?;
        }
        m.end()
    }
}

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Values::Numbers(v) => crate::missing::serialize(v, s),
            Values::Counts(v) => v.serialize(s),
            Values::Text(v) => v.serialize(s),
            Values::Flags(v) => v.serialize(s),
            Values::MaybeFlags(v) => v.serialize(s),
            Values::Dates(v) => v.serialize(s),
            Values::Amounts(v) => v.serialize(s),
            Values::Categories(c) => s.collect_seq((0..c.codes.len()).map(|i| c.get(i))),
            Values::Lists(v) => v.serialize(s),
            Values::Data(v) => v.serialize(s),
        }
    }
}

/// A column's name and kind, as a table's schema lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnKind<'a> {
    /// The column's name.
    pub name: &'a str,
    /// Its kind ([`Values::kind`]).
    pub kind: &'static str,
    /// The categories of a category column, in order.
    pub categories: Option<&'a [String]>,
}

impl Serialize for ColumnKind<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ColumnKind", 3)?;
        st.serialize_field("name", self.name)?;
        st.serialize_field("kind", self.kind)?;
        st.serialize_field("categories", &self.categories)?;
        st.end()
    }
}

impl Table {
    /// Each column's name and kind, in order.
    pub fn schema(&self) -> Vec<ColumnKind<'_>> {
        self.columns
            .iter()
            .map(|c| ColumnKind {
                name: &c.name,
                kind: c.values.kind(),
                categories: match &c.values {
                    Values::Categories(cat) => Some(&cat.names[..]),
                    _ => None,
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_keep_the_order_given_and_add_unknown_names_after() {
        let c = Categories::of(
            &["red", "yellow", "green"],
            [Some("green"), None, Some("purple"), Some("red")],
            true,
        );
        assert_eq!(c.names, ["red", "yellow", "green", "purple"]);
        assert_eq!(c.codes, [Some(2), None, Some(3), Some(0)]);
        assert_eq!(c.get(1), None);
        assert_eq!(c.get(2), Some("purple"));
    }

    #[test]
    fn a_table_is_picked_by_its_name_in_the_callers_casing() {
        use crate::options::Casing;
        let names = ["lines", "by_segment"];
        assert_eq!(
            pick("a forecast", "by_segment", &names, Casing::Snake).unwrap(),
            1
        );
        assert_eq!(
            pick("a forecast", "bySegment", &names, Casing::Camel).unwrap(),
            1
        );
        let e = pick("a forecast", "by_segment", &names, Casing::Camel).unwrap_err();
        assert_eq!(
            e.to_string(),
            "name: a forecast has no table \"by_segment\"; its tables are \"lines\", \"bySegment\""
        );
    }

    #[test]
    fn a_table_serialises_as_columns_with_null_where_missing() {
        let mut t = Table::new();
        t.text("id", ["a", "b"])
            .maybe_numbers("score", [Some(1.5), None])
            .bands("band", &["red", "green"], [Some("green"), None])
            .amounts("arr", [Decimal::new(1050, 2), Decimal::new(3, 0)]);
        assert_eq!(t.rows(), 2);
        assert_eq!(t.names(), ["id", "score", "band", "arr"]);
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "id": ["a", "b"],
                "score": [1.5, null],
                "band": ["green", null],
                "arr": ["10.50", "3"],
            })
        );
        let kinds: Vec<_> = t.schema().iter().map(|k| k.kind).collect();
        assert_eq!(kinds, ["text", "number", "ordered_category", "amount"]);
    }
}
