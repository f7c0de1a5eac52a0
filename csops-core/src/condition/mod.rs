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

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Result};

/// Longest condition text accepted, in bytes.
pub const MAX_TEXT: usize = 64 * 1024;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes (comparisons, connectives and list items) accepted.
pub const MAX_NODES: usize = 10_000;

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
    /// Yes or no.
    Bool(bool),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    fn from_symbol(s: &str) -> Option<Op> {
        Some(match s {
            "==" | "=" => Op::Eq,
            "!=" | "<>" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            _ => return None,
        })
    }
}

/// A condition (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// All of them.
    And(Vec<Condition>),
    /// Any of them.
    Or(Vec<Condition>),
    /// Not it.
    Not(Box<Condition>),
    /// `field op value`.
    Compare {
        /// The field.
        field: String,
        /// The operator.
        op: Op,
        /// The value.
        value: Value,
    },
    /// `field in [..]` (or `not in` when `negated`).
    In {
        /// The field.
        field: String,
        /// The values.
        values: Vec<Value>,
        /// `not in`.
        negated: bool,
    },
    /// `field between low and high`, inclusive.
    Between {
        /// The field.
        field: String,
        /// Lower bound.
        low: Value,
        /// Upper bound.
        high: Value,
    },
    /// `field is null` (or `is not null` when `negated`).
    IsNull {
        /// The field.
        field: String,
        /// `is not null`.
        negated: bool,
    },
    /// A yes/no field on its own: true when the field is true (or a non-zero number).
    Truthy {
        /// The field.
        field: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Text: lexer and parser.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Number(f64),
    Text(String),
    Op(Op),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
    col: usize,
}

fn parse_error(line: usize, col: usize, msg: impl fmt::Display) -> Error {
    Error::Config(vec![format!("condition, line {line}, column {col}: {msg}")])
}

fn lex(text: &str) -> Result<Vec<Token>> {
    if text.len() > MAX_TEXT {
        return Err(Error::Config(vec![format!(
            "condition: {} bytes is longer than the {MAX_TEXT} allowed",
            text.len()
        )]));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    while i < chars.len() {
        let c = chars[i];
        let (tl, tc) = (line, col);
        let advance = |n: usize, i: &mut usize, col: &mut usize| {
            *i += n;
            *col += n;
        };
        if c == '\n' {
            i += 1;
            line += 1;
            col = 1;
            continue;
        }
        if c.is_whitespace() {
            advance(1, &mut i, &mut col);
            continue;
        }
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            '"' | '\'' => {
                let quote = c;
                let mut s = String::new();
                let mut j = i + 1;
                let mut cl = col + 1;
                loop {
                    match chars.get(j) {
                        None => return Err(parse_error(tl, tc, "text is not closed")),
                        Some('\n') => {
                            return Err(parse_error(tl, tc, "text runs past the end of the line"));
                        }
                        Some('\\') => match chars.get(j + 1) {
                            Some(e @ ('\\' | '"' | '\'')) => {
                                s.push(*e);
                                j += 2;
                                cl += 2;
                            }
                            Some('n') => {
                                s.push('\n');
                                j += 2;
                                cl += 2;
                            }
                            _ => return Err(parse_error(line, cl, "unknown escape in text")),
                        },
                        Some(ch) if *ch == quote => {
                            j += 1;
                            cl += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            j += 1;
                            cl += 1;
                        }
                    }
                }
                i = j;
                col = cl;
                out.push(Token {
                    tok: Tok::Text(s),
                    line: tl,
                    col: tc,
                });
                continue;
            }
            '=' | '!' | '<' | '>' => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let (sym, n) = if Op::from_symbol(&two).is_some() && two.len() == 2 {
                    (two, 2)
                } else {
                    (c.to_string(), 1)
                };
                match Op::from_symbol(&sym) {
                    Some(op) => {
                        advance(n, &mut i, &mut col);
                        out.push(Token {
                            tok: Tok::Op(op),
                            line: tl,
                            col: tc,
                        });
                        continue;
                    }
                    None => return Err(parse_error(tl, tc, format!("unknown operator `{sym}`"))),
                }
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_ascii_alphanumeric() || matches!(chars[j], '.' | '_'))
                    || (j < chars.len()
                        && matches!(chars[j], '-' | '+')
                        && matches!(chars[j - 1], 'e' | 'E'))
                {
                    j += 1;
                }
                let s: String = chars[i..j].iter().filter(|c| **c != '_').collect();
                let n: f64 = s
                    .parse()
                    .ok()
                    .filter(|n: &f64| n.is_finite())
                    .ok_or_else(|| parse_error(tl, tc, format!("`{s}` is not a number")))?;
                col += j - i;
                i = j;
                out.push(Token {
                    tok: Tok::Number(n),
                    line: tl,
                    col: tc,
                });
                continue;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_alphanumeric() || matches!(chars[j], '_' | '.' | '-'))
                {
                    j += 1;
                }
                let s: String = chars[i..j].iter().collect();
                col += j - i;
                i = j;
                out.push(Token {
                    tok: Tok::Ident(s),
                    line: tl,
                    col: tc,
                });
                continue;
            }
            other => return Err(parse_error(tl, tc, format!("unexpected `{other}`"))),
        };
        advance(1, &mut i, &mut col);
        out.push(Token {
            tok,
            line: tl,
            col: tc,
        });
    }
    out.push(Token {
        tok: Tok::End,
        line,
        col,
    });
    Ok(out)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    nodes: usize,
}

fn is_kw(t: &Tok, kw: &str) -> bool {
    matches!(t, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
}

const KEYWORDS: [&str; 9] = [
    "and", "or", "not", "in", "between", "is", "null", "true", "false",
];

impl Parser {
    fn peek(&self) -> &Token {
        &self.toks[self.pos]
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn count(&mut self) -> Result<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            let t = self.peek();
            return Err(parse_error(
                t.line,
                t.col,
                format!("more than {MAX_NODES} comparisons and values"),
            ));
        }
        Ok(())
    }

    fn expect_end(&mut self) -> Result<()> {
        let t = self.peek().clone();
        match t.tok {
            Tok::End => Ok(()),
            _ => Err(parse_error(
                t.line,
                t.col,
                format!("unexpected {}", describe(&t.tok)),
            )),
        }
    }

    fn or(&mut self, depth: usize) -> Result<Condition> {
        let mut items = vec![self.and(depth)?];
        while is_kw(&self.peek().tok, "or") {
            self.next();
            items.push(self.and(depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            self.count()?;
            Condition::Or(items)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Condition> {
        let mut items = vec![self.not(depth)?];
        while is_kw(&self.peek().tok, "and") {
            self.next();
            items.push(self.not(depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            self.count()?;
            Condition::And(items)
        })
    }

    fn not(&mut self, depth: usize) -> Result<Condition> {
        if depth > MAX_DEPTH {
            let t = self.peek();
            return Err(parse_error(
                t.line,
                t.col,
                format!("nested more than {MAX_DEPTH} deep"),
            ));
        }
        if is_kw(&self.peek().tok, "not") {
            self.next();
            self.count()?;
            return Ok(Condition::Not(Box::new(self.not(depth + 1)?)));
        }
        self.primary(depth)
    }

    fn primary(&mut self, depth: usize) -> Result<Condition> {
        let t = self.next();
        match t.tok {
            Tok::LParen => {
                let c = self.or(depth + 1)?;
                let close = self.next();
                if close.tok != Tok::RParen {
                    return Err(parse_error(
                        close.line,
                        close.col,
                        format!(
                            "expected `)` to close the `(` at column {}, found {}",
                            t.col,
                            describe(&close.tok)
                        ),
                    ));
                }
                Ok(c)
            }
            Tok::Ident(name) if !KEYWORDS.iter().any(|k| name.eq_ignore_ascii_case(k)) => {
                self.count()?;
                self.after_field(name)
            }
            other => Err(parse_error(
                t.line,
                t.col,
                format!("expected a field or `(`, found {}", describe(&other)),
            )),
        }
    }

    fn after_field(&mut self, field: String) -> Result<Condition> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Op(op) => {
                let op = *op;
                self.next();
                let value = self.value()?;
                Ok(Condition::Compare { field, op, value })
            }
            Tok::Ident(k) if k.eq_ignore_ascii_case("in") => {
                self.next();
                let values = self.list()?;
                Ok(Condition::In {
                    field,
                    values,
                    negated: false,
                })
            }
            Tok::Ident(k) if k.eq_ignore_ascii_case("not") => {
                self.next();
                let t2 = self.next();
                if !is_kw(&t2.tok, "in") {
                    return Err(parse_error(t2.line, t2.col, "expected `in` after `not`"));
                }
                let values = self.list()?;
                Ok(Condition::In {
                    field,
                    values,
                    negated: true,
                })
            }
            Tok::Ident(k) if k.eq_ignore_ascii_case("between") => {
                self.next();
                let low = self.value()?;
                let t2 = self.next();
                if !is_kw(&t2.tok, "and") {
                    return Err(parse_error(
                        t2.line,
                        t2.col,
                        "expected `and` in `between … and …`",
                    ));
                }
                let high = self.value()?;
                Ok(Condition::Between { field, low, high })
            }
            Tok::Ident(k) if k.eq_ignore_ascii_case("is") => {
                self.next();
                let mut negated = false;
                if is_kw(&self.peek().tok, "not") {
                    self.next();
                    negated = true;
                }
                let t2 = self.next();
                if !is_kw(&t2.tok, "null") {
                    return Err(parse_error(t2.line, t2.col, "expected `null` after `is`"));
                }
                Ok(Condition::IsNull { field, negated })
            }
            _ => Ok(Condition::Truthy { field }),
        }
    }

    fn value(&mut self) -> Result<Value> {
        let t = self.next();
        match t.tok {
            Tok::Number(n) => Ok(Value::Number(n)),
            Tok::Text(s) => Ok(Value::Text(s)),
            Tok::Ident(k) if k.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Tok::Ident(k) if k.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            Tok::Ident(k) if k.eq_ignore_ascii_case("null") => Err(parse_error(
                t.line,
                t.col,
                "compare with null using `is null` or `is not null`",
            )),
            other => Err(parse_error(
                t.line,
                t.col,
                format!(
                    "expected a value (number, \"text\", true or false), found {}",
                    describe(&other)
                ),
            )),
        }
    }

    fn list(&mut self) -> Result<Vec<Value>> {
        let open = self.next();
        if open.tok != Tok::LBracket {
            return Err(parse_error(
                open.line,
                open.col,
                "expected `[` to start a list",
            ));
        }
        let mut values = Vec::new();
        if self.peek().tok == Tok::RBracket {
            self.next();
            return Ok(values);
        }
        loop {
            self.count()?;
            values.push(self.value()?);
            let t = self.next();
            match t.tok {
                Tok::Comma => continue,
                Tok::RBracket => return Ok(values),
                other => {
                    return Err(parse_error(
                        t.line,
                        t.col,
                        format!("expected `,` or `]` in a list, found {}", describe(&other)),
                    ));
                }
            }
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Number(n) => format!("the number {n}"),
        Tok::Text(s) => format!("the text {s:?}"),
        Tok::Op(o) => format!("`{}`", o.symbol()),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::End => "the end of the condition".into(),
    }
}

impl std::str::FromStr for Condition {
    type Err = Error;

    /// Parse the text form.
    fn from_str(text: &str) -> Result<Condition> {
        crate::fault::checkpoint("Condition::from_str");
        let toks = lex(text)?;
        let mut p = Parser {
            toks,
            pos: 0,
            nodes: 0,
        };
        if p.peek().tok == Tok::End {
            return Err(parse_error(1, 1, "the condition is empty"));
        }
        let c = p.or(0)?;
        p.expect_end()?;
        Ok(c)
    }
}

// ---------------------------------------------------------------------------------------------
// Printing.

fn fmt_value(v: &Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match v {
        Value::Number(n) => write!(f, "{n}"),
        Value::Bool(b) => write!(f, "{b}"),
        Value::Text(s) => {
            f.write_str("\"")?;
            for c in s.chars() {
                match c {
                    '"' => f.write_str("\\\"")?,
                    '\\' => f.write_str("\\\\")?,
                    '\n' => f.write_str("\\n")?,
                    c => write!(f, "{c}")?,
                }
            }
            f.write_str("\"")
        }
    }
}

impl Condition {
    /// Binding strength: or 1, and 2, the rest 3.
    fn level(&self) -> u8 {
        match self {
            Condition::Or(_) => 1,
            Condition::And(_) => 2,
            _ => 3,
        }
    }

    fn fmt_in(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        let paren = self.level() < min;
        if paren {
            f.write_str("(")?;
        }
        match self {
            Condition::Or(items) | Condition::And(items) => {
                let (sep, level) = if self.level() == 1 {
                    (" or ", 2)
                } else {
                    (" and ", 3)
                };
                for (i, c) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    // A nested list of the same kind keeps its parentheses, so the tree
                    // survives a round trip exactly.
                    c.fmt_in(f, level + u8::from(c.level() == self.level()))?;
                }
            }
            Condition::Not(c) => {
                f.write_str("not ")?;
                c.fmt_in(f, 3)?;
            }
            Condition::Compare { field, op, value } => {
                write!(f, "{field} {} ", op.symbol())?;
                fmt_value(value, f)?;
            }
            Condition::In {
                field,
                values,
                negated,
            } => {
                write!(f, "{field} {}in [", if *negated { "not " } else { "" })?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    fmt_value(v, f)?;
                }
                f.write_str("]")?;
            }
            Condition::Between { field, low, high } => {
                write!(f, "{field} between ")?;
                fmt_value(low, f)?;
                f.write_str(" and ")?;
                fmt_value(high, f)?;
            }
            Condition::IsNull { field, negated } => {
                write!(f, "{field} is {}null", if *negated { "not " } else { "" })?;
            }
            Condition::Truthy { field } => f.write_str(field)?,
        }
        if paren {
            f.write_str(")")?;
        }
        Ok(())
    }

    /// The fields it reads.
    pub fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |c| match c {
            Condition::Compare { field, .. }
            | Condition::In { field, .. }
            | Condition::Between { field, .. }
            | Condition::IsNull { field, .. }
            | Condition::Truthy { field } => out.push(field.as_str()),
            _ => {}
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Condition)) {
        f(self);
        match self {
            Condition::And(items) | Condition::Or(items) => {
                for c in items {
                    c.walk(f);
                }
            }
            Condition::Not(c) => c.walk(f),
            _ => {}
        }
    }
}

impl fmt::Display for Condition {
    /// The text form; parsing it gives back the same condition.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_in(f, 0)
    }
}

// ---------------------------------------------------------------------------------------------
// JSON / TOML: either the text form as a string, or the structured form.

fn value_to_json(v: &Value) -> serde_json::Value {
    match v {
        // Whole numbers as JSON integers (100000, not 100000.0), as people write them.
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => serde_json::json!(*n as i64),
        Value::Number(n) => serde_json::json!(n),
        Value::Text(s) => serde_json::json!(s),
        Value::Bool(b) => serde_json::json!(b),
    }
}

impl Condition {
    /// The structured form, as JSON.
    pub fn to_json_value(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Condition::And(items) => {
                json!({ "and": items.iter().map(Condition::to_json_value).collect::<Vec<_>>() })
            }
            Condition::Or(items) => {
                json!({ "or": items.iter().map(Condition::to_json_value).collect::<Vec<_>>() })
            }
            Condition::Not(c) => json!({ "not": c.to_json_value() }),
            Condition::Compare { field, op, value } => {
                json!({ "field": field, "op": op.symbol(), "value": value_to_json(value) })
            }
            Condition::In {
                field,
                values,
                negated,
            } => {
                let key = if *negated { "not_in" } else { "in" };
                json!({ "field": field, key: values.iter().map(value_to_json).collect::<Vec<_>>() })
            }
            Condition::Between { field, low, high } => {
                json!({ "field": field, "between": [value_to_json(low), value_to_json(high)] })
            }
            Condition::IsNull { field, negated } => {
                if *negated {
                    json!({ "field": field, "is_not_null": true })
                } else {
                    json!({ "field": field, "is_null": true })
                }
            }
            Condition::Truthy { field } => json!({ "field": field }),
        }
    }

    /// Read the structured form (or a string holding the text form).
    pub fn from_json_value(v: &serde_json::Value) -> Result<Condition> {
        crate::fault::checkpoint("Condition::from_json_value");
        from_json(v, "$", 0, &mut 0)
    }

    /// Read the structured form from JSON text (a JSON string holds the text form).
    pub fn from_json(text: &str) -> Result<Condition> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("condition: not JSON: {e}")]))?;
        Condition::from_json_value(&v)
    }
}

fn json_err(path: &str, msg: impl fmt::Display) -> Error {
    Error::Config(vec![format!("condition at {path}: {msg}")])
}

fn json_value(v: &serde_json::Value, path: &str) -> Result<Value> {
    match v {
        serde_json::Value::Number(n) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Value::Number)
            .ok_or_else(|| json_err(path, "number out of range")),
        serde_json::Value::String(s) => Ok(Value::Text(s.clone())),
        serde_json::Value::Bool(b) => Ok(Value::Bool(*b)),
        other => Err(json_err(
            path,
            format!("expected a number, text or true/false, found {other}"),
        )),
    }
}

fn from_json(
    v: &serde_json::Value,
    path: &str,
    depth: usize,
    nodes: &mut usize,
) -> Result<Condition> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(json_err(path, format!("nested more than {MAX_DEPTH} deep")));
    }
    *nodes += 1;
    if *nodes > MAX_NODES {
        return Err(json_err(path, format!("more than {MAX_NODES} nodes")));
    }
    let obj = match v {
        J::String(s) => return s.parse(),
        J::Object(o) => o,
        other => {
            return Err(json_err(
                path,
                format!("expected an object or the text form, found {other}"),
            ));
        }
    };
    let mut list = |key: &str| -> Result<Vec<Condition>> {
        let items = obj[key]
            .as_array()
            .ok_or_else(|| json_err(path, format!("`{key}` takes a list of conditions")))?;
        if items.is_empty() {
            return Err(json_err(
                path,
                format!("`{key}` needs at least one condition"),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, c)| from_json(c, &format!("{path}.{key}[{i}]"), depth + 1, nodes))
            .collect()
    };
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    let allowed = |ks: &[&str]| -> Result<()> {
        match keys.iter().find(|k| !ks.contains(k)) {
            Some(k) => Err(json_err(path, format!("unexpected key `{k}`"))),
            None => Ok(()),
        }
    };
    if obj.contains_key("and") {
        allowed(&["and"])?;
        return Ok(Condition::And(list("and")?));
    }
    if obj.contains_key("or") {
        allowed(&["or"])?;
        return Ok(Condition::Or(list("or")?));
    }
    if let Some(c) = obj.get("not") {
        allowed(&["not"])?;
        return Ok(Condition::Not(Box::new(from_json(
            c,
            &format!("{path}.not"),
            depth + 1,
            nodes,
        )?)));
    }
    let field = obj
        .get("field")
        .and_then(J::as_str)
        .ok_or_else(|| json_err(path, "expected `and`, `or`, `not` or a `field`"))?
        .to_string();
    if field.is_empty() {
        return Err(json_err(path, "the field name is empty"));
    }
    if let Some(op) = obj.get("op") {
        allowed(&["field", "op", "value"])?;
        let sym = op.as_str().unwrap_or_default();
        let op =
            Op::from_symbol(sym).ok_or_else(|| json_err(path, format!("unknown operator {op}")))?;
        let value = json_value(
            obj.get("value")
                .ok_or_else(|| json_err(path, "a comparison needs a `value`"))?,
            path,
        )?;
        return Ok(Condition::Compare { field, op, value });
    }
    for (key, negated) in [("in", false), ("not_in", true)] {
        if let Some(vs) = obj.get(key) {
            allowed(&["field", key])?;
            let vs = vs
                .as_array()
                .ok_or_else(|| json_err(path, format!("`{key}` takes a list of values")))?;
            *nodes += vs.len();
            if *nodes > MAX_NODES {
                return Err(json_err(path, format!("more than {MAX_NODES} nodes")));
            }
            let values = vs
                .iter()
                .map(|x| json_value(x, path))
                .collect::<Result<Vec<_>>>()?;
            return Ok(Condition::In {
                field,
                values,
                negated,
            });
        }
    }
    if let Some(b) = obj.get("between") {
        allowed(&["field", "between"])?;
        let b = b
            .as_array()
            .filter(|b| b.len() == 2)
            .ok_or_else(|| json_err(path, "`between` takes [low, high]"))?;
        return Ok(Condition::Between {
            field,
            low: json_value(&b[0], path)?,
            high: json_value(&b[1], path)?,
        });
    }
    for (key, negated) in [("is_null", false), ("is_not_null", true)] {
        if let Some(x) = obj.get(key) {
            allowed(&["field", key])?;
            if x != &J::Bool(true) {
                return Err(json_err(path, format!("`{key}` takes true")));
            }
            return Ok(Condition::IsNull { field, negated });
        }
    }
    allowed(&["field"])?;
    Ok(Condition::Truthy { field })
}

impl Serialize for Condition {
    /// Serialised in the text form, the readable one in configuration files.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Condition {
    /// Either form: a string in the text form, or the structured object.
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Condition::from_json_value(&v).map_err(|e| match e {
            // The problems themselves, without the error type's own prefix: the caller
            // (a tier rule, a play) adds where it was.
            Error::Config(p) => serde::de::Error::custom(p.join("; ")),
            e => serde::de::Error::custom(e),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Schema, compilation and evaluation.

/// The type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A number (`NaN` = missing).
    Number,
    /// Text (dates are text, `YYYY-MM-DD`).
    Text,
    /// Yes or no.
    Bool,
}

/// The fields conditions may read, with their types.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// Field name → type.
    pub fields: BTreeMap<String, Kind>,
}

impl Schema {
    /// The schema some conditions imply on their own, with no table: each field they name, of
    /// the kind its first comparison uses (a bare field is yes/no; a field only tested for
    /// null is text). Checking the conditions against it finds what is wrong whatever the
    /// table: a field compared with a number in one place and with text in another, `<` on
    /// yes/no values.
    pub fn implied_by<'a>(conditions: impl IntoIterator<Item = &'a Condition>) -> Schema {
        fn walk(c: &Condition, out: &mut BTreeMap<String, Kind>) {
            let kind = |v: &Value| match v {
                Value::Number(_) => Kind::Number,
                Value::Text(_) => Kind::Text,
                Value::Bool(_) => Kind::Bool,
            };
            match c {
                Condition::And(items) | Condition::Or(items) => {
                    for c in items {
                        walk(c, out);
                    }
                }
                Condition::Not(c) => walk(c, out),
                Condition::Compare { field, value, .. } => {
                    out.entry(field.clone()).or_insert(kind(value));
                }
                Condition::In { field, values, .. } => {
                    if let Some(v) = values.first() {
                        out.entry(field.clone()).or_insert(kind(v));
                    }
                }
                Condition::Between { field, low, .. } => {
                    out.entry(field.clone()).or_insert(kind(low));
                }
                // A null test implies no kind; a field only tested for null is text (below).
                Condition::IsNull { .. } => {}
                Condition::Truthy { field } => {
                    out.entry(field.clone()).or_insert(Kind::Bool);
                }
            }
        }
        let mut fields = BTreeMap::new();
        let conditions: Vec<&Condition> = conditions.into_iter().collect();
        for c in &conditions {
            walk(c, &mut fields);
        }
        for c in &conditions {
            for f in c.fields() {
                fields.entry(f.to_string()).or_insert(Kind::Text);
            }
        }
        Schema { fields }
    }

    /// Check a condition against the schema: every field known, every value of the field's
    /// type, `<`/`>`/`between` only on numbers and text. Reports every problem at once.
    pub fn check(&self, c: &Condition) -> Result<()> {
        let mut p = Vec::new();
        c.walk(&mut |c| {
            let (field, values, ordered): (&str, Vec<&Value>, bool) = match c {
                Condition::Compare { field, op, value } => {
                    (field, vec![value], !matches!(op, Op::Eq | Op::Ne))
                }
                Condition::In { field, values, .. } => (field, values.iter().collect(), false),
                Condition::Between { field, low, high } => (field, vec![low, high], true),
                Condition::IsNull { field, .. } => (field, vec![], false),
                Condition::Truthy { field } => {
                    match self.fields.get(field.as_str()) {
                        None => p.push(unknown(field, self)),
                        Some(Kind::Text) => p.push(format!(
                            "`{field}` is text; compare it (`{field} == \"…\"`) rather than using it as yes/no"
                        )),
                        _ => {}
                    }
                    return;
                }
                _ => return,
            };
            let Some(kind) = self.fields.get(field) else {
                p.push(unknown(field, self));
                return;
            };
            if ordered && *kind == Kind::Bool {
                p.push(format!("`{field}` is yes/no; it has no order"));
            }
            for v in values {
                let ok = matches!(
                    (kind, v),
                    (Kind::Number, Value::Number(_))
                        | (Kind::Text, Value::Text(_))
                        | (Kind::Bool, Value::Bool(_))
                );
                if !ok {
                    let mut s = String::new();
                    let _ = fmt::write(&mut s, format_args!("{}", ValueText(v)));
                    p.push(format!(
                        "`{field}` is {} but is compared with {s}",
                        match kind {
                            Kind::Number => "a number",
                            Kind::Text => "text",
                            Kind::Bool => "yes/no",
                        }
                    ));
                }
            }
        });
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p))
        }
    }
}

struct ValueText<'a>(&'a Value);

impl fmt::Display for ValueText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_value(self.0, f)
    }
}

fn unknown(field: &str, schema: &Schema) -> String {
    // Suggest the closest known name (by shared prefix), which catches most typos.
    let best = schema.fields.keys().max_by_key(|k| {
        k.chars()
            .zip(field.chars())
            .take_while(|(a, b)| a == b)
            .count()
    });
    match best {
        Some(b)
            if b.chars()
                .zip(field.chars())
                .take_while(|(a, c)| a == c)
                .count()
                >= 2 =>
        {
            format!("unknown field `{field}` (did you mean `{b}`?)")
        }
        _ => format!("unknown field `{field}`"),
    }
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers, `NaN` = missing.
    Number(Vec<f64>),
    /// Text, `None` = missing.
    Text(Vec<Option<String>>),
    /// Yes/no, `None` = missing.
    Bool(Vec<Option<bool>>),
}

impl Column {
    fn kind(&self) -> Kind {
        match self {
            Column::Number(_) => Kind::Number,
            Column::Text(_) => Kind::Text,
            Column::Bool(_) => Kind::Bool,
        }
    }

    fn len(&self) -> usize {
        match self {
            Column::Number(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::Bool(v) => v.len(),
        }
    }
}

/// Rows to evaluate conditions on, column by column (one row per account).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Row count.
    pub rows: usize,
    /// Columns by field name.
    pub columns: BTreeMap<String, Column>,
}

impl Table {
    /// The schema of its columns.
    pub fn schema(&self) -> Schema {
        Schema {
            fields: self
                .columns
                .iter()
                .map(|(k, c)| (k.clone(), c.kind()))
                .collect(),
        }
    }

    /// Add a column (an error if its length differs from the table's).
    pub fn insert(&mut self, name: &str, column: Column) -> Result<()> {
        if self.columns.is_empty() && self.rows == 0 {
            self.rows = column.len();
        }
        if column.len() != self.rows {
            return Err(Error::Config(vec![format!(
                "column `{name}` has {} rows for a table of {}",
                column.len(),
                self.rows
            )]));
        }
        self.columns.insert(name.to_string(), column);
        Ok(())
    }

    /// Which rows match `c` (true, not unknown). The condition is checked against the table's
    /// schema first.
    pub fn filter(&self, c: &Condition) -> Result<Vec<bool>> {
        crate::fault::checkpoint("Table::filter");
        self.schema().check(c)?;
        Ok(self.eval(c).into_iter().map(|t| t == TRUE).collect())
    }

    fn eval(&self, c: &Condition) -> Vec<u8> {
        let n = self.rows;
        match c {
            Condition::And(items) => {
                let mut acc = vec![TRUE; n];
                for c in items {
                    for (a, b) in acc.iter_mut().zip(self.eval(c)) {
                        *a = and3(*a, b);
                    }
                }
                acc
            }
            Condition::Or(items) => {
                // `x = a or x = b or …` on one field is `x in [a, b, …]`: one pass with a set
                // instead of one pass per item (thousands of items stay cheap).
                if let Some((field, values)) = same_field_equalities(items) {
                    return self.leaf(field, |col| in_list(col, &values));
                }
                let mut acc = vec![FALSE; n];
                for c in items {
                    for (a, b) in acc.iter_mut().zip(self.eval(c)) {
                        *a = or3(*a, b);
                    }
                }
                acc
            }
            Condition::Not(c) => self.eval(c).into_iter().map(not3).collect(),
            Condition::Compare { field, op, value } => {
                self.leaf(field, |col| compare_col(col, *op, value))
            }
            Condition::In {
                field,
                values,
                negated,
            } => self.leaf(field, |col| {
                let acc = in_list(col, values);
                if *negated {
                    acc.into_iter().map(not3).collect()
                } else {
                    acc
                }
            }),
            Condition::Between { field, low, high } => self.leaf(field, |col| {
                compare_col(col, Op::Ge, low)
                    .into_iter()
                    .zip(compare_col(col, Op::Le, high))
                    .map(|(a, b)| and3(a, b))
                    .collect()
            }),
            Condition::IsNull { field, negated } => self.leaf(field, |col| {
                let null: Vec<bool> = match col {
                    Column::Number(v) => v.iter().map(|x| x.is_nan()).collect(),
                    Column::Text(v) => v.iter().map(Option::is_none).collect(),
                    Column::Bool(v) => v.iter().map(Option::is_none).collect(),
                };
                null.into_iter()
                    .map(|is| if is != *negated { TRUE } else { FALSE })
                    .collect()
            }),
            Condition::Truthy { field } => self.leaf(field, |col| match col {
                Column::Number(v) => v
                    .iter()
                    .map(|x| {
                        if x.is_nan() {
                            UNKNOWN
                        } else if *x != 0.0 {
                            TRUE
                        } else {
                            FALSE
                        }
                    })
                    .collect(),
                Column::Bool(v) => v
                    .iter()
                    .map(|b| match b {
                        None => UNKNOWN,
                        Some(true) => TRUE,
                        Some(false) => FALSE,
                    })
                    .collect(),
                Column::Text(v) => vec![UNKNOWN; v.len()],
            }),
        }
    }

    fn leaf(&self, field: &str, f: impl FnOnce(&Column) -> Vec<u8>) -> Vec<u8> {
        match self.columns.get(field) {
            Some(col) => f(col),
            // `filter` checks the schema first; evaluating an unchecked condition treats an
            // unknown field as missing everywhere.
            None => vec![UNKNOWN; self.rows],
        }
    }
}

const FALSE: u8 = 0;
const TRUE: u8 = 1;
const UNKNOWN: u8 = 2;

fn and3(a: u8, b: u8) -> u8 {
    if a == FALSE || b == FALSE {
        FALSE
    } else if a == TRUE && b == TRUE {
        TRUE
    } else {
        UNKNOWN
    }
}

fn or3(a: u8, b: u8) -> u8 {
    if a == TRUE || b == TRUE {
        TRUE
    } else if a == FALSE && b == FALSE {
        FALSE
    } else {
        UNKNOWN
    }
}

fn not3(a: u8) -> u8 {
    match a {
        TRUE => FALSE,
        FALSE => TRUE,
        u => u,
    }
}

fn cmp<T: PartialOrd + ?Sized>(a: &T, op: Op, b: &T) -> u8 {
    let r = match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Lt => a < b,
        Op::Le => a <= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
    };
    u8::from(r)
}

/// The field and values of an `or` whose items are all `field = value` on one field (at least
/// two of them).
fn same_field_equalities(items: &[Condition]) -> Option<(&str, Vec<Value>)> {
    let mut field = None;
    let mut values = Vec::with_capacity(items.len());
    for c in items {
        let Condition::Compare {
            field: f,
            op: Op::Eq,
            value,
        } = c
        else {
            return None;
        };
        if *field.get_or_insert(f.as_str()) != f.as_str() {
            return None;
        }
        values.push(value.clone());
    }
    (values.len() >= 2).then_some((field?, values))
}

/// `col in values`, as the `or` of `col = v` over the values, in one pass over the rows with
/// a hash set of the values (a list of thousands costs no more than one of three). A missing
/// cell is unknown (false for an empty list); a present one is true when listed, otherwise
/// unknown if some listed value has another type (unchecked conditions), else false.
fn in_list(col: &Column, values: &[Value]) -> Vec<u8> {
    use std::collections::HashSet;
    let missing = if values.is_empty() { FALSE } else { UNKNOWN };
    let same_type = |v: &Value| {
        matches!(
            (col, v),
            (Column::Number(_), Value::Number(_))
                | (Column::Text(_), Value::Text(_))
                | (Column::Bool(_), Value::Bool(_))
        )
    };
    let unlisted = if values.iter().all(same_type) {
        FALSE
    } else {
        UNKNOWN
    };
    // -0.0 equals 0.0; NaN equals nothing.
    let key = |x: f64| if x == 0.0 { 0u64 } else { x.to_bits() };
    match col {
        Column::Number(v) => {
            let set: HashSet<u64> = values
                .iter()
                .filter_map(|x| match x {
                    Value::Number(b) if !b.is_nan() => Some(key(*b)),
                    _ => None,
                })
                .collect();
            v.iter()
                .map(|a| match a {
                    a if a.is_nan() => missing,
                    a if set.contains(&key(*a)) => TRUE,
                    _ => unlisted,
                })
                .collect()
        }
        Column::Text(v) => {
            let set: HashSet<&str> = values
                .iter()
                .filter_map(|x| match x {
                    Value::Text(b) => Some(b.as_str()),
                    _ => None,
                })
                .collect();
            v.iter()
                .map(|a| match a.as_deref() {
                    None => missing,
                    Some(a) if set.contains(a) => TRUE,
                    Some(_) => unlisted,
                })
                .collect()
        }
        Column::Bool(v) => {
            let listed = |b: bool| values.contains(&Value::Bool(b));
            let (t, f) = (listed(true), listed(false));
            v.iter()
                .map(|a| match a {
                    None => missing,
                    Some(true) if t => TRUE,
                    Some(false) if f => TRUE,
                    Some(_) => unlisted,
                })
                .collect()
        }
    }
}

fn compare_col(col: &Column, op: Op, value: &Value) -> Vec<u8> {
    match (col, value) {
        (Column::Number(v), Value::Number(b)) => v
            .iter()
            .map(|a| if a.is_nan() { UNKNOWN } else { cmp(a, op, b) })
            .collect(),
        (Column::Text(v), Value::Text(b)) => v
            .iter()
            .map(|a| a.as_deref().map_or(UNKNOWN, |a| cmp(a, op, b.as_str())))
            .collect(),
        (Column::Bool(v), Value::Bool(b)) => v
            .iter()
            .map(|a| a.map_or(UNKNOWN, |a| cmp(&a, op, b)))
            .collect(),
        // A type mismatch is caught by `Schema::check`; unchecked, it never matches.
        _ => vec![UNKNOWN; col.len()],
    }
}
