//! The text form: a lexer and a recursive-descent parser (with the bounds on size, depth and
//! node count), behind `Condition`'s [`FromStr`](std::str::FromStr).

use std::fmt;

use super::ast::{Condition, Op, Value};
use super::{MAX_DEPTH, MAX_NODES, MAX_TEXT};
use crate::{Error, Result};

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
