//! Tables as users give them: columns of their own accounts (a DataFrame, a dict of lists, an
//! object of arrays), read into the core's [`Table`] by one set of rules in every language.
//!
//! **A column given value by value** ([`CellColumn`]) holds one kind of value: numbers, text
//! or yes/no. Its kind is the one its type declares (a string dtype, a `{ text: [...] }`
//! column), else that of its first value. A value of another kind is a problem naming the
//! column and both positions ("column `x` mixes numbers (position 0) and text (position 3)");
//! every problem is counted and the first ten described, in one [`Error::Config`].
//!
//! **A column with no value at all** (every value missing) has no kind of its own. It takes
//! the kind the conditions compare it with (text when they only ask `is null`): any kind
//! would give the same answers, since every row is missing, and refusing it would make a
//! user fill an empty column for nothing.
//!
//! **A column that cannot be read** is an error only when a condition names it
//! ([`GivenTable::ready`]); a table read whole (to try other rules on it later) remembers
//! why, instead of refusing columns nobody asked about.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::ast::Condition;
use super::column::Column;
use super::schema::{Kind, Schema};
use super::table::Table;
use crate::{Error, Result};

/// How many bad values of one column are described (the rest are counted).
const MAX_DESCRIBED: usize = 10;

/// One value of a column given value by value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value (`None`, `null`, `NaN`, `pd.NA`).
    Missing,
    /// A number (`NaN` is [`Cell::Missing`]).
    Number(f64),
    /// Text (a date as `YYYY-MM-DD`, as conditions compare dates).
    Text(String),
    /// Yes or no.
    Bool(bool),
}

impl Cell {
    fn kind(&self) -> Option<Kind> {
        match self {
            Cell::Missing => None,
            Cell::Number(x) if x.is_nan() => None,
            Cell::Number(_) => Some(Kind::Number),
            Cell::Text(_) => Some(Kind::Text),
            Cell::Bool(_) => Some(Kind::Bool),
        }
    }
}

/// The plural a message names a kind by.
fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Number => "numbers",
        Kind::Text => "text",
        Kind::Bool => "yes/no values",
    }
}

/// A column given value by value, read as its values arrive ([`CellColumn::push`]).
#[derive(Debug)]
pub struct CellColumn {
    name: String,
    /// The kind, and the position of the value that set it (`None`: declared).
    kind: Option<(Kind, Option<usize>)>,
    cells: Vec<Cell>,
    problems: Vec<String>,
    more: usize,
}

impl CellColumn {
    /// An empty column called `name`, of the kind its type declares (`None`: the kind of its
    /// first value).
    pub fn new(name: &str, declared: Option<Kind>) -> Self {
        CellColumn {
            name: name.to_string(),
            kind: declared.map(|k| (k, None)),
            cells: Vec::new(),
            problems: Vec::new(),
            more: 0,
        }
    }

    /// An empty column with room for `n` values.
    pub fn with_capacity(name: &str, declared: Option<Kind>, n: usize) -> Self {
        let mut c = Self::new(name, declared);
        c.cells.reserve(n);
        c
    }

    fn report(&mut self, problem: impl FnOnce() -> String) {
        if self.problems.len() < MAX_DESCRIBED {
            self.problems.push(problem());
        } else {
            self.more += 1;
        }
    }

    /// The next value. `shown` describes it for a message (the language's own spelling of
    /// the value, such as Python's `repr`), when it is of another kind than the column's.
    pub fn push_shown(&mut self, cell: Cell, shown: impl FnOnce() -> String) {
        let i = self.cells.len();
        match (cell.kind(), self.kind) {
            (None, _) => {}
            (Some(k), None) => self.kind = Some((k, Some(i))),
            (Some(k), Some((want, at))) if k != want => {
                let name = self.name.clone();
                self.report(|| match at {
                    Some(at) => format!(
                        "column `{name}` mixes {} (position {at}) and {} (position {i}); a \
                         column holds one kind: numbers, text or yes/no",
                        kind_name(want),
                        kind_name(k)
                    ),
                    None => format!(
                        "column `{name}`, position {i}: {} in a column of {}",
                        shown(),
                        kind_name(want)
                    ),
                });
            }
            _ => {}
        }
        self.cells.push(cell);
    }

    /// The next value.
    pub fn push(&mut self, cell: Cell) {
        let shown = match &cell {
            Cell::Missing => "a missing value".to_string(),
            Cell::Number(x) => x.to_string(),
            Cell::Text(s) => format!("{s:?}"),
            Cell::Bool(b) => b.to_string(),
        };
        self.push_shown(cell, || shown);
    }

    /// The next value could not be read at all (an object, a value of no kind): `why` says
    /// what it is. It counts as a problem, and the values after it are still read, so that
    /// one error lists every bad value.
    pub fn push_unreadable(&mut self, why: impl std::fmt::Display) {
        let (name, i) = (self.name.clone(), self.cells.len());
        self.report(|| format!("column `{name}`, position {i}: {why}"));
        self.cells.push(Cell::Missing);
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The column: typed, or [`Given::Missing`] when every value is missing and no kind was
    /// declared; [`Error::Config`] listing every bad value.
    pub fn finish(mut self) -> Result<Given> {
        if self.more > 0 {
            self.problems.push(format!("… and {} more", self.more));
        }
        if !self.problems.is_empty() {
            return Err(Error::Config(self.problems));
        }
        let cells = self.cells;
        Ok(match self.kind.map(|k| k.0) {
            None => Given::Missing(cells.len()),
            Some(Kind::Number) => Given::Column(Column::Number(
                cells
                    .into_iter()
                    .map(|c| match c {
                        Cell::Number(x) => x,
                        _ => f64::NAN,
                    })
                    .collect(),
            )),
            Some(Kind::Text) => Given::Column(Column::Text(
                cells
                    .into_iter()
                    .map(|c| match c {
                        Cell::Text(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            )),
            Some(Kind::Bool) => Given::Column(Column::Bool(
                cells
                    .into_iter()
                    .map(|c| match c {
                        Cell::Bool(b) => Some(b),
                        _ => None,
                    })
                    .collect(),
            )),
        })
    }
}

/// One column as given: typed, or only missing values (this many), with no kind of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    /// A typed column.
    Column(Column),
    /// Every value missing: the column takes the kind the conditions give it.
    Missing(usize),
}

impl Given {
    fn len(&self) -> usize {
        match self {
            Given::Column(c) => c.len(),
            Given::Missing(n) => *n,
        }
    }
}

/// A table as a user gave it: the columns read, every column name (also of those not read,
/// for "did you mean" suggestions), the columns with no value, and the columns that could
/// not be read with why.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GivenTable {
    /// The typed columns read.
    pub table: Table,
    /// Every column name of the input, in its order.
    pub names: Vec<String>,
    /// Columns with no value at all.
    pub missing: BTreeSet<String>,
    /// Columns that could not be read, with why.
    pub unreadable: BTreeMap<String, String>,
}

impl From<Table> for GivenTable {
    /// A table made by the core (every column typed).
    fn from(table: Table) -> Self {
        GivenTable {
            names: table.columns.keys().cloned().collect(),
            table,
            missing: BTreeSet::new(),
            unreadable: BTreeMap::new(),
        }
    }
}

impl GivenTable {
    /// An empty table whose input has these column names (in order, repeats dropped).
    pub fn named<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Self {
        let mut t = GivenTable::default();
        for n in names {
            t.name(n.as_ref());
        }
        t
    }

    /// Note a column name of the input (once).
    pub fn name(&mut self, name: &str) {
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
    }

    /// Add a column read from the input. Every column has one value per account: one of
    /// another length is an [`Error::Config`]. A column read again replaces the first.
    pub fn add(&mut self, name: &str, given: Given) -> Result<()> {
        self.name(name);
        self.unreadable.remove(name);
        let n = given.len();
        if self.table.columns.is_empty() && self.missing.is_empty() && self.table.rows == 0 {
            self.table.rows = n;
        }
        match given {
            Given::Column(c) => {
                self.missing.remove(name);
                self.table.insert(name, c)
            }
            Given::Missing(n) if n != self.table.rows => Err(Error::Config(vec![format!(
                "column `{name}` has {n} rows for a table of {}",
                self.table.rows
            )])),
            Given::Missing(_) => {
                self.table.columns.remove(name);
                self.missing.insert(name.to_string());
                Ok(())
            }
        }
    }

    /// Add the outcome of reading a column: a column that could not be read is remembered
    /// (an error only when a condition names it, in [`GivenTable::ready`]).
    pub fn add_read(&mut self, name: &str, read: Result<Given>) -> Result<()> {
        match read {
            Ok(g) => self.add(name, g),
            Err(e) => {
                self.name(name);
                self.unreadable.insert(name.to_string(), problems_text(e));
                Ok(())
            }
        }
    }

    /// Set the row count when no column was read (a table whose columns no condition names
    /// still has its rows: rules without conditions give each the default tier).
    pub fn set_rows(&mut self, n: usize) {
        if self.table.columns.is_empty() && self.missing.is_empty() {
            self.table.rows = n;
        }
    }

    /// The table `conditions` (and the `extra` fields with their kinds, such as those
    /// coverage reads) are evaluated on: an [`Error::Config`] if one names a column that
    /// could not be read; the columns with no value added with the kind the conditions
    /// compare them with (text when none does).
    pub fn ready(
        &self,
        conditions: &[&Condition],
        extra: &[(&str, Kind)],
    ) -> Result<Cow<'_, Table>> {
        let used: BTreeSet<&str> = conditions.iter().flat_map(|c| c.fields()).collect();
        let named: BTreeSet<&str> = used
            .iter()
            .copied()
            .chain(extra.iter().map(|e| e.0))
            .collect();
        let problems: Vec<String> = named
            .iter()
            .filter_map(|f| {
                self.unreadable
                    .get(*f)
                    .map(|why| format!("field `{f}` cannot be read: {why}"))
            })
            .collect();
        if !problems.is_empty() {
            return Err(Error::Config(problems));
        }
        let mut kinds: BTreeMap<String, Kind> =
            extra.iter().map(|(f, k)| ((*f).to_string(), *k)).collect();
        for (f, k) in Schema::implied_by(conditions.iter().copied()).fields {
            kinds.entry(f).or_insert(k);
        }
        let needed: Vec<&String> = self
            .missing
            .iter()
            .filter(|m| named.contains(m.as_str()) || kinds.contains_key(*m))
            .collect();
        if needed.is_empty() {
            return Ok(Cow::Borrowed(&self.table));
        }
        let mut table = self.table.clone();
        let n = table.rows;
        for name in needed {
            let column = match kinds.get(name).copied().unwrap_or(Kind::Text) {
                Kind::Number => Column::Number(vec![f64::NAN; n]),
                Kind::Text => Column::Text(vec![None; n]),
                Kind::Bool => Column::Bool(vec![None; n]),
            };
            table.insert(name, column)?;
        }
        Ok(Cow::Owned(table))
    }

    /// The fields of `table` (from [`GivenTable::ready`]) with every other column name of the
    /// input, so that an unknown field gets a "did you mean" from all of them. The names not
    /// read are never named by the conditions checked (those are read), so their kind does
    /// not matter.
    pub fn schema(&self, table: &Table) -> Schema {
        let mut s = table.schema();
        for n in &self.names {
            s.fields.entry(n.clone()).or_insert(Kind::Text);
        }
        s
    }

    /// Which rows match `c` (true, not unknown), checked against every column name given.
    pub fn filter(&self, c: &Condition) -> Result<Vec<bool>> {
        let table = self.ready(&[c], &[])?;
        self.schema(&table).check(c)?;
        table.filter(c)
    }
}

/// An error's problems as one line.
fn problems_text(e: Error) -> String {
    match e {
        Error::Config(p) => p.join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, declared: Option<Kind>, cells: Vec<Cell>) -> Result<Given> {
        let mut c = CellColumn::new(name, declared);
        for cell in cells {
            c.push(cell);
        }
        c.finish()
    }

    #[test]
    fn a_column_takes_the_kind_of_its_first_value() {
        let g = column(
            "x",
            None,
            vec![Cell::Missing, Cell::Number(1.0), Cell::Number(f64::NAN)],
        );
        match g.unwrap() {
            Given::Column(Column::Number(v)) => {
                assert!(v[0].is_nan() && v[1] == 1.0 && v[2].is_nan())
            }
            other => panic!("{other:?}"),
        }
        let g = column("x", Some(Kind::Text), vec![Cell::Missing]).unwrap();
        assert_eq!(g, Given::Column(Column::Text(vec![None])));
        assert_eq!(
            column("x", None, vec![Cell::Missing; 3]).unwrap(),
            Given::Missing(3)
        );
    }

    #[test]
    fn mixed_kinds_name_both_positions_and_every_bad_value_is_counted() {
        let mut cells = vec![Cell::Number(1.0)];
        cells.extend((0..12).map(|i| Cell::Text(i.to_string())));
        let Err(Error::Config(p)) = column("x", None, cells) else {
            panic!("mixed kinds accepted")
        };
        assert_eq!(p.len(), 11);
        assert!(p[0].contains("column `x` mixes numbers (position 0) and text (position 1)"));
        assert_eq!(p[10], "… and 2 more");
        let Err(Error::Config(p)) = column("x", Some(Kind::Bool), vec![Cell::Text("a".into())])
        else {
            panic!()
        };
        assert_eq!(
            p,
            ["column `x`, position 0: \"a\" in a column of yes/no values"]
        );
    }

    #[test]
    fn an_empty_column_takes_the_kind_its_conditions_compare_it_with() {
        let mut t = GivenTable::default();
        t.add("arr", Given::Column(Column::Number(vec![1.0, 2.0])))
            .unwrap();
        t.add("region", Given::Missing(2)).unwrap();
        let c = "region == \"EMEA\" or arr > 1"
            .parse::<Condition>()
            .unwrap();
        assert_eq!(t.filter(&c).unwrap(), [false, true]);
        let c = "region > 3".parse::<Condition>().unwrap();
        assert_eq!(t.filter(&c).unwrap(), [false, false]);
        assert!(t.add("other", Given::Missing(3)).is_err());
    }

    #[test]
    fn an_unreadable_column_is_an_error_only_when_named() {
        let mut t = GivenTable::default();
        t.add("arr", Given::Column(Column::Number(vec![1.0])))
            .unwrap();
        let bad = column("x", None, vec![Cell::Number(1.0), Cell::Text("a".into())]);
        t.add_read("x", bad).unwrap();
        let ok = "arr > 0".parse::<Condition>().unwrap();
        assert_eq!(t.filter(&ok).unwrap(), [true]);
        let Err(Error::Config(p)) = t.filter(&"x > 0".parse::<Condition>().unwrap()) else {
            panic!()
        };
        assert!(
            p[0].starts_with("field `x` cannot be read: column `x` mixes"),
            "{p:?}"
        );
        // An unknown field is suggested from every column name given.
        let Err(Error::Config(p)) = t.filter(&"ar > 0".parse::<Condition>().unwrap()) else {
            panic!()
        };
        assert!(p[0].contains("arr"), "{p:?}");
    }
}
