//! The weekly report: what a CS Ops lead, a CRO or a CSM manager reads, in a browser, without
//! code.
//!
//! A [`Report`] is a title and [`Section`]s; each section gives its one-sentence answer
//! first, then its charts ([`chart`]: inline SVG with a text alternative), then the tables
//! behind them. [`Report::render_html`] makes one self-contained HTML file: no script, no
//! font, no image and no request outside the file (its content security policy forbids
//! them), readable on screen and printed to PDF (one section a page).
//!
//! Build one section at a time from results you have (`quality::section`,
//! `health::section`, `backtest::section`, `recalibration::section`, `forecast::section`,
//! `retention::section`, `segment::section`, `playbook::section`), or the whole CS Ops week
//! of a book at once with [`week`], the same report in Rust, Python and Node.
//!
//! ```
//! use csops_core::report::{WeekOptions, week};
//! use csops_core::synth::{self, SynthConfig};
//!
//! # fn main() -> csops_core::Result<()> {
//! let loaded = synth::book(&SynthConfig { accounts: 60, ..SynthConfig::default() })?;
//! let report = week(&loaded.book, Some(&loaded.report), &WeekOptions::default())?;
//! let html = report.render_html()?;
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(report.sections.iter().any(|s| s.id == "backtest"));
//! # Ok(())
//! # }
//! ```

pub mod chart;
mod sections;
mod week;

pub use chart::Chart;
pub use sections::{
    backtest, forecast, health, playbook, quality, recalibration, retention, segment,
};
pub use week::{WeekOptions, week};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A report: sections in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Report {
    /// The report's title (`CS Ops week to 2026-11-30`).
    pub title: String,
    /// One line under the title: the book, the day, what produced it.
    pub subtitle: String,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// One section: the answer, the charts, the tables behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "ReportSection")
)]
pub struct Section {
    /// A stable anchor (`backtest`), for links and tests.
    pub id: String,
    /// Its heading.
    pub title: String,
    /// The one-sentence answer, first.
    pub answer: String,
    /// Its charts.
    pub charts: Vec<Chart>,
    /// The tables behind the charts.
    pub tables: Vec<Table>,
    /// Caveats: small samples, heuristics, what was left out.
    pub notes: Vec<String>,
}

/// A table of text cells, as the report prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase", rename = "ReportTable")
)]
pub struct Table {
    /// What the table is.
    pub caption: String,
    /// Column headings.
    pub headers: Vec<String>,
    /// Which columns are numbers (right-aligned).
    pub numeric: Vec<bool>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table; `numeric` marks the right-aligned columns by heading.
    pub fn new(caption: &str, headers: &[&str], numeric: &[&str]) -> Table {
        Table {
            caption: caption.into(),
            headers: headers.iter().map(|h| (*h).to_string()).collect(),
            numeric: headers.iter().map(|h| numeric.contains(h)).collect(),
            rows: Vec::new(),
        }
    }

    /// Add a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

impl Section {
    /// A section with its answer and nothing else yet.
    pub fn new(id: &str, title: &str, answer: impl Into<String>) -> Section {
        Section {
            id: id.into(),
            title: title.into(),
            answer: answer.into(),
            charts: Vec::new(),
            tables: Vec::new(),
            notes: Vec::new(),
        }
    }
}

const TEMPLATE: &str = include_str!("templates/report.html");
const STYLE: &str = include_str!("templates/report.css");

impl Report {
    /// An empty report.
    pub fn new(title: impl Into<String>, subtitle: impl Into<String>) -> Report {
        Report {
            title: title.into(),
            subtitle: subtitle.into(),
            sections: Vec::new(),
        }
    }

    /// The report as one self-contained HTML page.
    pub fn render_html(&self) -> Result<String> {
        let mut env = minijinja::Environment::new();
        env.add_template("report.html", TEMPLATE)
            .map_err(template_error)?;
        let page = env.get_template("report.html").map_err(template_error)?;
        page.render(minijinja::context! {
            report => self,
            style => STYLE,
            version => crate::VERSION,
        })
        .map_err(template_error)
    }

    /// Write the page to `path`.
    pub fn write_html(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.render_html()?).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The page inside an `<iframe>` (its `srcdoc`), for a notebook or a dashboard that shows
    /// the report among other content: the report's styles stay inside it.
    pub fn render_html_embedded(&self) -> Result<String> {
        let page = self.render_html()?;
        Ok(format!(
            "<iframe title=\"{}\" sandbox=\"\" style=\"width: 100%; height: 52rem; border: 1px solid #d7dce5;\" srcdoc=\"{}\"></iframe>",
            crate::render::html_escape(&self.title),
            crate::render::html_escape(&page)
        ))
    }

    /// The report as text: each section's title and answer (what a terminal or a log shows).
    pub fn render(&self) -> String {
        let mut out = format!("{}\n{}\n", self.title, self.subtitle);
        for s in &self.sections {
            out.push_str(&format!("\n{}\n  {}\n", s.title, s.answer));
            for n in &s.notes {
                out.push_str(&format!("  note: {n}\n"));
            }
        }
        out
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

fn template_error(e: minijinja::Error) -> Error {
    Error::InvalidArgument {
        path: "report".into(),
        reason: format!("the report could not be rendered: {e}"),
    }
}
