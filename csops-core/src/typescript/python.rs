//! Python's view of the same shapes: each declaration of [`super::declarations`] as a
//! `TypedDict` for the type stubs (`csops/_csops.pyi`), so a Python `to_dict()` is typed by
//! the core's own serde types, as Node's results are. Field names are the serde names Python
//! receives (snake_case); amounts and days are `str`, as in the JSON form. The declarations
//! are read back from the TypeScript that ts-rs writes (a small, regular subset: objects,
//! unions, arrays, maps, tuples, literals and names), so both languages come from one walk of
//! the types.

use std::collections::BTreeMap;

/// A TypeScript type, as far as the declarations use it.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    /// `number`, `string`, `boolean`, `null`, `any`, `unknown`.
    Prim(String),
    /// A string literal.
    Lit(String),
    /// Another declaration, a class, or a generic (`Array<T>`, `Record<K, V>`).
    Named(String, Vec<Ty>),
    /// `{ [key in string]: T }`.
    Map(Box<Ty>),
    /// `{ a: T, b?: U }`.
    Object(Vec<Field>),
    /// `[A, B]`.
    Tuple(Vec<Ty>),
    /// `A | B`.
    Union(Vec<Ty>),
    /// `A & B`, a template literal: no Python counterpart (`Any`).
    Opaque,
}

#[derive(Debug, Clone, PartialEq)]
struct Field {
    /// As written (quoted keys are serde tags, kept as they are).
    key: String,
    /// Whether the key was quoted.
    quoted: bool,
    optional: bool,
    ty: Ty,
}

/// A tokenizer and recursive-descent parser of the subset ts-rs writes.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn new(s: &'a str) -> Self {
        Parser {
            s: s.as_bytes(),
            i: 0,
        }
    }

    /// Skip white space and comments.
    fn skip(&mut self) {
        loop {
            while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.s[self.i..].starts_with(b"/*") {
                match self.s[self.i + 2..].windows(2).position(|w| w == b"*/") {
                    Some(p) => self.i += p + 4,
                    None => self.i = self.s.len(),
                }
            } else if self.s[self.i..].starts_with(b"//") {
                while self.i < self.s.len() && self.s[self.i] != b'\n' {
                    self.i += 1;
                }
            } else {
                return;
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip();
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "expected `{}` at {}: {:?}",
                c as char,
                self.i,
                String::from_utf8_lossy(&self.s[self.i..(self.i + 40).min(self.s.len())])
            ))
        }
    }

    fn word(&mut self) -> Option<String> {
        self.skip();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || b"_$.-".contains(&self.s[self.i]))
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn string(&mut self) -> Option<String> {
        let q = self.peek()?;
        if q != b'"' && q != b'\'' && q != b'`' {
            return None;
        }
        let start = self.i + 1;
        let end = start + self.s[start..].iter().position(|&c| c == q)?;
        self.i = end + 1;
        Some(String::from_utf8_lossy(&self.s[start..end]).into_owned())
    }

    fn ty(&mut self) -> Result<Ty, String> {
        self.eat(b'|');
        let mut items = vec![self.intersection()?];
        while self.eat(b'|') {
            items.push(self.intersection()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Ty::Union(items)
        })
    }

    fn intersection(&mut self) -> Result<Ty, String> {
        let first = self.postfix()?;
        if self.peek() == Some(b'&') {
            while self.eat(b'&') {
                self.postfix()?;
            }
            return Ok(Ty::Opaque);
        }
        Ok(first)
    }

    fn postfix(&mut self) -> Result<Ty, String> {
        let mut t = self.primary()?;
        while self.s[self.i..].starts_with(b"[]") {
            self.i += 2;
            t = Ty::Named("Array".into(), vec![t]);
        }
        Ok(t)
    }

    fn primary(&mut self) -> Result<Ty, String> {
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                self.object()
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                while !self.eat(b']') {
                    items.push(self.ty()?);
                    self.eat(b',');
                }
                Ok(Ty::Tuple(items))
            }
            Some(b'(') => {
                self.i += 1;
                let t = self.ty()?;
                self.expect(b')')?;
                Ok(t)
            }
            Some(b'`') => {
                self.string();
                Ok(Ty::Opaque)
            }
            Some(b'"' | b'\'') => Ok(Ty::Lit(self.string().unwrap_or_default())),
            _ => {
                let w = self
                    .word()
                    .ok_or_else(|| format!("a type expected at {}", self.i))?;
                if matches!(
                    w.as_str(),
                    "number" | "string" | "boolean" | "null" | "any" | "unknown" | "true" | "false"
                ) {
                    return Ok(Ty::Prim(w));
                }
                let mut args = Vec::new();
                if self.eat(b'<') {
                    loop {
                        args.push(self.ty()?);
                        if !self.eat(b',') {
                            break;
                        }
                    }
                    self.expect(b'>')?;
                }
                Ok(Ty::Named(w, args))
            }
        }
    }

    /// After `{`: a map (`[key in string]: T`) or the fields of an object.
    fn object(&mut self) -> Result<Ty, String> {
        if self.peek() == Some(b'[') {
            self.i += 1;
            self.word();
            self.word(); // `in`
            self.ty()?;
            self.expect(b']')?;
            self.eat(b'?');
            self.expect(b':')?;
            let value = self.ty()?;
            self.eat(b',');
            self.eat(b';');
            self.expect(b'}')?;
            return Ok(Ty::Map(Box::new(value)));
        }
        let mut fields = Vec::new();
        while !self.eat(b'}') {
            let (key, quoted) = match self.string() {
                Some(k) => (k, true),
                None => (
                    self.word()
                        .ok_or_else(|| format!("a key expected at {}", self.i))?,
                    false,
                ),
            };
            let optional = self.eat(b'?');
            self.expect(b':')?;
            let ty = self.ty()?;
            fields.push(Field {
                key,
                quoted,
                optional,
                ty,
            });
            if !self.eat(b',') {
                self.eat(b';');
            }
        }
        Ok(Ty::Object(fields))
    }
}

/// One TypeScript declaration (`export type Name = T;`) as its name and type.
fn parse_decl(decl: &str) -> Result<Option<(String, Ty)>, String> {
    let Some(at) = decl.find("export type ") else {
        return Ok(None); // an interface of the file layout (Node's input only)
    };
    let mut p = Parser::new(&decl[at + "export type ".len()..]);
    let name = p.word().ok_or("a name expected")?;
    p.expect(b'=')?;
    let ty = p.ty()?;
    Ok(Some((name, ty)))
}

/// The Python name of a declaration's `TypedDict` (private to the stubs; `Data`, so that it
/// is never one of the stubs' own `Dict`s).
fn py_name(name: &str) -> String {
    format!("_{name}Data")
}

/// Writes the Python declarations, naming nested objects after where they stand.
struct Writer<'a> {
    known: &'a BTreeMap<String, Ty>,
    out: Vec<String>,
}

impl Writer<'_> {
    /// The Python type of `t`; `path` names a nested object.
    fn py(&mut self, t: &Ty, path: &str) -> String {
        match t {
            Ty::Prim(p) => match p.as_str() {
                "number" => "float".into(),
                "string" => "str".into(),
                "boolean" | "true" | "false" => "bool".into(),
                "null" => "None".into(),
                _ => "Any".into(),
            },
            Ty::Lit(s) => format!("Literal[{s:?}]"),
            Ty::Named(n, args) => match (n.as_str(), args.as_slice()) {
                ("Array", [item]) => format!("list[{}]", self.py(item, path)),
                ("Record", [_, value]) => format!("dict[str, {}]", self.py(value, path)),
                // Stubs are never run: a name may stand before its definition.
                (name, []) if self.known.contains_key(name) => py_name(name),
                // A class (`Condition`, `Date`) or a generic Python has no counterpart of.
                _ => "Any".into(),
            },
            Ty::Map(v) => format!("dict[str, {}]", self.py(v, path)),
            Ty::Tuple(items) => {
                let items: Vec<String> = items.iter().map(|t| self.py(t, path)).collect();
                format!("tuple[{}]", items.join(", "))
            }
            Ty::Union(items) => {
                let mut parts: Vec<String> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let p = self.py(item, &format!("{path}{}", i + 1));
                    if !parts.contains(&p) {
                        parts.push(p);
                    }
                }
                if parts.iter().any(|p| p == "Any") {
                    return "Any".into();
                }
                parts.join(" | ")
            }
            Ty::Object(fields) => {
                let name = py_name(path);
                self.typed_dict(&name, fields, path);
                name
            }
            Ty::Opaque => "Any".into(),
        }
    }

    fn typed_dict(&mut self, name: &str, fields: &[Field], path: &str) {
        let mut items = Vec::new();
        for f in fields {
            // serde's names: Node's camelCase back to snake_case; a quoted key (a serde tag)
            // is the same in every casing.
            let key = if f.quoted {
                f.key.clone()
            } else {
                crate::options::snake(&f.key)
            };
            let sub = format!("{path}{}", crate::typescript::python::pascal(&key));
            let ty = self.py(&f.ty, &sub);
            let ty = if f.optional {
                format!("NotRequired[{ty}]")
            } else {
                ty
            };
            items.push(format!("{key:?}: {ty}"));
        }
        self.out.push(format!(
            "{name} = TypedDict({name:?}, {{{}}})\n",
            items.join(", ")
        ));
    }
}

/// `as_of` → `AsOf`.
fn pascal(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The first line of the generated part of the stubs.
pub const BEGIN: &str = "# --- Shapes generated from csops-core's serde types (`UPDATE_TYPES=1 cargo test -p \
csops-core --features typescript --test typescript`); do not edit by hand. ---\n";
/// The last line of the generated part of the stubs.
pub const END: &str = "# --- End of the generated shapes. ---\n";

/// The `TypedDict`s of every declaration, between [`BEGIN`] and [`END`].
pub fn typed_dicts(declarations: &BTreeMap<String, String>) -> Result<String, String> {
    let mut known = BTreeMap::new();
    for decl in declarations.values() {
        if let Some((name, ty)) = parse_decl(decl)? {
            known.insert(name, ty);
        }
    }
    let mut w = Writer {
        known: &known,
        out: Vec::new(),
    };
    for (name, ty) in &known {
        match ty {
            Ty::Object(fields) => w.typed_dict(&py_name(name), fields, name),
            other => {
                let t = w.py(other, name);
                w.out.push(format!("{} = {t}\n", py_name(name)));
            }
        }
    }
    let mut s = String::from(BEGIN);
    for line in w.out {
        s.push_str(&line);
    }
    s.push_str(END);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_rs_shapes_read_back() {
        let decl = "/** x */\nexport type A = { \n/** doc */\nasOf: string, \"kind\": \"x\", \
                    n?: number | null, m: { [key in string]: Array<B> }, t: [number, string], };";
        let (name, ty) = parse_decl(decl).unwrap().unwrap();
        assert_eq!(name, "A");
        let mut known = BTreeMap::new();
        known.insert("A".to_string(), ty.clone());
        known.insert("B".to_string(), Ty::Prim("string".into()));
        let mut w = Writer {
            known: &known,
            out: Vec::new(),
        };
        let Ty::Object(fields) = ty else { panic!() };
        w.typed_dict("_AData", &fields, "A");
        assert_eq!(
            w.out,
            [
                "_AData = TypedDict(\"_AData\", {\"as_of\": str, \"kind\": Literal[\"x\"], \
              \"n\": NotRequired[float | None], \"m\": dict[str, list[_BData]], \"t\": \
              tuple[float, str]})\n"
            ]
        );
    }
}
