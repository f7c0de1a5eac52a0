//! The header map: column renames per file, for exports whose headers differ from csops'
//! names (the simple case of a source map).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

use super::schema::FILES;

/// Column renames, per file, applied before validation.
///
/// Keys of `files` are file stems (`accounts`, `tickets`, …) or `*` for every file; each maps a
/// header as it appears in the export to a csops column name, to `attr.<name>` (accounts only:
/// a custom attribute) or to `""` (ignore the column on purpose). Header matching is exact
/// after trimming. Written in TOML:
///
/// ```toml
/// [accounts]
/// "Account ID" = "id"
/// "Account Name" = "name"
/// "Annual Contract Value" = "arr"
/// "Internal Notes" = ""
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HeaderMap {
    /// file stem (or `*`) → export header → csops column.
    pub files: BTreeMap<String, BTreeMap<String, String>>,
}

impl HeaderMap {
    /// Parse from TOML text.
    pub fn from_toml(text: &str) -> Result<Self> {
        let map: HeaderMap =
            toml::from_str(text).map_err(|e| Error::Config(vec![format!("header map: {e}")]))?;
        map.validate()?;
        Ok(map)
    }

    /// Parse from JSON text.
    pub fn from_json(text: &str) -> Result<Self> {
        let map: HeaderMap = serde_json::from_str(text)
            .map_err(|e| Error::Config(vec![format!("header map: {e}")]))?;
        map.validate()?;
        Ok(map)
    }

    /// Check that every file and target column exists; reports all problems at once.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        for (file, renames) in &self.files {
            let cols: Vec<&str> = if file == "*" {
                FILES
                    .iter()
                    .flat_map(|f| f.columns.iter().map(|c| c.name))
                    .collect()
            } else if let Some(f) = FILES.iter().find(|f| f.stem == file) {
                f.columns.iter().map(|c| c.name).collect()
            } else {
                problems.push(format!(
                    "unknown file `{file}`; expected one of: *, {}",
                    FILES.iter().map(|f| f.stem).collect::<Vec<_>>().join(", ")
                ));
                continue;
            };
            for (from, to) in renames {
                let attr_ok =
                    to.starts_with("attr.") && to.len() > 5 && (file == "accounts" || file == "*");
                if !to.is_empty() && !attr_ok && !cols.contains(&to.as_str()) {
                    problems.push(format!("[{file}] `{from}` maps to unknown column `{to}`"));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(problems))
        }
    }

    pub(super) fn rename<'a>(&'a self, stem: &str, header: &'a str) -> &'a str {
        let h = header.trim();
        for key in [stem, "*"] {
            if let Some(to) = self.files.get(key).and_then(|m| m.get(h)) {
                return to;
            }
        }
        h
    }
}
