//! A configuration document given as an argument: the document itself (an object), its text,
//! or the path of its file. Header maps, source maps and feature configurations are given
//! this way, in every language, by one rule:
//!
//! - an object is the document;
//! - text of one line ending in `.toml` or `.json` (any case) is the path of a file, read as
//!   the extension says (a missing file is [`Error::Io`] naming it);
//! - any other text is the document: JSON when it starts with `{`, else TOML (a TOML
//!   document cannot start with `{`, so the two never overlap).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Error, Result};

/// What a configuration argument held (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Document {
    /// The document as an object.
    Object(Value),
    /// Its text, TOML or JSON.
    Text(String),
    /// The path of its `.toml` or `.json` file.
    Path(PathBuf),
}

impl Document {
    /// Text as a caller gave it: a path when it is one line ending in `.toml` or `.json`, else
    /// the document's text.
    pub fn from_text(text: &str) -> Document {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        if !trimmed.contains('\n') && (lower.ends_with(".toml") || lower.ends_with(".json")) {
            Document::Path(PathBuf::from(trimmed))
        } else {
            Document::Text(text.to_string())
        }
    }

    /// Read the document with its type's JSON and TOML parsers (which validate it).
    pub fn read<T>(
        &self,
        from_json: impl Fn(&str) -> Result<T>,
        from_toml: impl Fn(&str) -> Result<T>,
    ) -> Result<T> {
        match self {
            Document::Object(v) => from_json(&v.to_string()),
            Document::Text(t) if t.trim_start().starts_with('{') => from_json(t),
            Document::Text(t) => from_toml(t),
            Document::Path(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| Error::Io {
                    path: p.clone(),
                    source,
                })?;
                if is_json(p) {
                    from_json(&text)
                } else {
                    from_toml(&text)
                }
            }
        }
    }
}

/// A configuration file (what `load(path)` reads in every language): JSON or TOML by its
/// extension (any case), parsed and validated by its type's readers. Another extension is an
/// [`Error::Config`] naming the file as a `what` file (a misnamed file is never guessed at);
/// an unreadable one an [`Error::Io`].
pub fn load_file<T>(
    what: &str,
    path: &Path,
    from_json: impl Fn(&str) -> Result<T>,
    from_toml: impl Fn(&str) -> Result<T>,
) -> Result<T> {
    let known = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("toml"));
    if !known {
        return Err(Error::Config(vec![format!(
            "{what} file `{}`: the name must end in .toml or .json",
            path.display()
        )]));
    }
    Document::Path(path.to_path_buf()).read(from_json, from_toml)
}

fn is_json(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Document;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object, TOML text, or the path of a .toml or .json file")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Document, E> {
                Ok(Document::from_text(s))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> std::result::Result<Document, A::Error> {
                Value::deserialize(MapAccessDeserializer::new(m)).map(Document::Object)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_ending_in_toml_or_json_is_a_path_anything_else_is_text() {
        assert_eq!(
            Document::from_text(" maps/Source.TOML \n"),
            Document::Path("maps/Source.TOML".into())
        );
        assert_eq!(
            Document::from_text("[accounts]\nfile = \"x.toml\""),
            Document::Text("[accounts]\nfile = \"x.toml\"".into())
        );
        let read = |d: &Document| {
            d.read(
                |t| Ok(format!("json {}", t.trim())),
                |t| Ok(format!("toml {}", t.trim())),
            )
        };
        assert_eq!(
            read(&Document::Text(" {\"a\": 1}".into())).unwrap(),
            "json {\"a\": 1}"
        );
        assert_eq!(read(&Document::Text("a = 1".into())).unwrap(), "toml a = 1");
        let missing = read(&Document::Path("/nonexistent/map.json".into())).unwrap_err();
        assert!(matches!(missing, Error::Io { .. }), "{missing:?}");
    }

    #[test]
    fn a_config_file_is_read_by_its_extension_and_another_name_is_refused() {
        let dir = std::env::temp_dir().join(format!("csops-load-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let read = |p: &Path| {
            load_file(
                "scorecard",
                p,
                |t| Ok(format!("json {}", t.trim())),
                |t| Ok(format!("toml {}", t.trim())),
            )
        };
        let upper = dir.join("card.JSON");
        std::fs::write(&upper, "{}\r\n").unwrap();
        assert_eq!(read(&upper).unwrap(), "json {}");
        let toml = dir.join("card.toml");
        std::fs::write(&toml, "a = 1").unwrap();
        assert_eq!(read(&toml).unwrap(), "toml a = 1");
        let txt = dir.join("card.txt");
        std::fs::write(&txt, "a = 1").unwrap();
        match read(&txt).unwrap_err() {
            Error::Config(m) => {
                assert!(
                    m[0].contains("scorecard file") && m[0].contains("card.txt"),
                    "{m:?}"
                )
            }
            e => panic!("expected a config error, got {e:?}"),
        }
        let missing = read(&dir.join("gone.toml")).unwrap_err();
        assert!(matches!(missing, Error::Io { .. }), "{missing:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_number_is_not_a_document() {
        let e = serde_json::from_str::<Document>("3")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("an object, TOML text, or the path of a .toml or .json file"),
            "{e}"
        );
    }
}
