//! A scorecard and an account's score as a CS Ops lead reads them: the groups, measures,
//! weights, normalisers and bands of a scorecard; an account's measures, contributions, points
//! lost and top drivers. The same text in a terminal, a Python `repr`, a Node `render()`; the
//! same tables as HTML for a notebook or a report.

use super::{AccountScore, Band, MissingRule, Normaliser, Scorecard};
use crate::render::{html_escape, html_table, text_table};

/// What every rendering of a scorecard says about fixed formulas.
const HEURISTIC_NOTE: &str = "A fixed-formula scorecard is a heuristic, not a fitted model: \
                              back-test it before trusting it.";

/// A number as short text: `50`, `0.15`, `-100`.
fn num(x: f64) -> String {
    format!("{x}")
}

/// A raw value, short: at most four decimals (trailing zeros dropped), scientific notation
/// for tiny ones.
fn short(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        return format!("{x:.3e}");
    }
    let s = format!("{x:.4}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A normaliser in a few words.
fn describe_normaliser(n: &Normaliser) -> String {
    let list = |xs: &[f64]| xs.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ");
    match n {
        Normaliser::Linear { worst, best } => {
            format!("linear: {} → 0, {} → 100", num(*worst), num(*best))
        }
        Normaliser::Steps { thresholds, points } => {
            format!("steps at [{}] → [{}]", list(thresholds), list(points))
        }
        Normaliser::Percentile {
            higher_is_better,
            per_segment,
        } => format!(
            "percentile rank ({} is better{})",
            if *higher_is_better { "higher" } else { "lower" },
            if *per_segment { ", within segment" } else { "" }
        ),
        Normaliser::Logistic {
            midpoint,
            steepness,
        } => format!(
            "logistic: midpoint {}, steepness {}",
            num(*midpoint),
            num(*steepness)
        ),
        Normaliser::Boolean { yes, no } => format!("yes → {}, no → {}", num(*yes), num(*no)),
        Normaliser::Piecewise { points } => format!(
            "piecewise: {}",
            points
                .iter()
                .map(|(x, y)| format!("({}, {})", num(*x), num(*y)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// A missing-data rule in a few words.
fn describe_missing(m: &MissingRule) -> String {
    match m {
        MissingRule::Redistribute => "redistribute".to_string(),
        MissingRule::Fixed { score } => format!("score {}", num(*score)),
        MissingRule::Worst => "worst (0)".to_string(),
    }
}

/// The bands in one line: `red ≥ 0, yellow ≥ 40, green ≥ 70`.
fn describe_bands(bands: &[Band]) -> String {
    bands
        .iter()
        .map(|b| format!("{} ≥ {}", b.name, num(b.min)))
        .collect::<Vec<_>>()
        .join(", ")
}

const SCORECARD_HEADERS: [&str; 7] = [
    "group",
    "weight",
    "measure",
    "feature",
    "weight",
    "normaliser",
    "if missing",
];

const EXPLANATION_HEADERS: [&str; 7] = [
    "group",
    "measure",
    "value",
    "measure score",
    "weight",
    "contribution",
    "points lost",
];

impl Scorecard {
    /// Rows of the scorecard table: group, group weight, measure, feature, weight,
    /// normaliser, missing rule (group cells only on a group's first measure).
    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for g in &self.groups {
            for (j, m) in g.measures.iter().enumerate() {
                let first = j == 0;
                rows.push(vec![
                    if first { g.name.clone() } else { String::new() },
                    if first { num(g.weight) } else { String::new() },
                    m.name.clone(),
                    m.feature.clone(),
                    num(m.weight),
                    describe_normaliser(&m.normaliser),
                    describe_missing(&m.missing),
                ]);
            }
        }
        rows
    }

    /// The header line: name, group and measure counts.
    fn title(&self) -> String {
        format!(
            "Scorecard {:?}: {} groups, {} measures",
            self.name,
            self.groups.len(),
            self.measures().count()
        )
    }

    /// The scorecard as readable text: its title, description, the heuristic note, the
    /// measures table and the bands.
    pub fn render(&self) -> String {
        let mut out = vec![self.title()];
        if !self.description.is_empty() {
            out.push(self.description.clone());
        }
        out.push(HEURISTIC_NOTE.to_string());
        out.push(text_table(
            &SCORECARD_HEADERS,
            &self.rows(),
            &[false, true, false, false, true, false, false],
        ));
        out.push(format!(
            "Bands: {}; minimum coverage {}%.",
            describe_bands(&self.bands),
            num(self.min_coverage * 100.0)
        ));
        out.join("\n")
    }

    /// The same as HTML.
    pub fn render_html(&self) -> String {
        let mut s = String::from("<div class=\"csops-scorecard\">");
        s.push_str(&format!("<p><b>{}</b></p>", html_escape(&self.title())));
        if !self.description.is_empty() {
            s.push_str(&format!("<p>{}</p>", html_escape(&self.description)));
        }
        s.push_str(&format!("<p><i>{}</i></p>", html_escape(HEURISTIC_NOTE)));
        s.push_str(&html_table(&SCORECARD_HEADERS, &self.rows()));
        s.push_str(&format!(
            "<p>Bands: {}; minimum coverage {}%.</p></div>",
            html_escape(&describe_bands(&self.bands)),
            num(self.min_coverage * 100.0)
        ));
        s
    }
}

impl AccountScore {
    /// The headline: account, score and band (or insufficient data), coverage.
    fn headline(&self, account_id: &str) -> String {
        let s = self;
        let coverage = format!("coverage {:.0}%", s.coverage * 100.0);
        match (s.score, &s.band) {
            (Some(score), Some(band)) => format!(
                "Account {:?}: score {score:.1} ({band}), {coverage}",
                account_id
            ),
            (Some(score), None) => {
                format!("Account {:?}: score {score:.1}, {coverage}", account_id)
            }
            (None, _) => format!(
                "Account {:?}: no score (insufficient data), {coverage}",
                account_id
            ),
        }
    }

    /// Rows of the measure table.
    fn rows(&self) -> Vec<Vec<String>> {
        let opt = |v: Option<f64>, digits: usize| {
            v.map_or_else(|| "missing".to_string(), |v| format!("{v:.digits$}"))
        };
        self.measures
            .iter()
            .map(|m| {
                vec![
                    m.group.clone(),
                    m.name.clone(),
                    m.value.map_or_else(|| "missing".to_string(), short),
                    opt(m.measure_score, 1),
                    format!("{:.1}%", m.weight * 100.0),
                    format!("{:.2}", m.contribution),
                    format!("{:.2}", m.points_lost),
                ]
            })
            .collect()
    }

    /// The top drivers in one line.
    fn drivers_line(&self) -> String {
        let drivers = self.top_negative_drivers(3);
        if drivers.is_empty() {
            return "No measure costs any points.".to_string();
        }
        format!(
            "Top drivers: {}.",
            drivers
                .iter()
                .map(|d| format!("{} (−{:.2} points)", d.name, d.points_lost))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    /// Why the account got its score, as text: the headline, the measures table and the top
    /// drivers (Python's `Explanation` repr, Node's `explanation.summary`).
    pub fn render(&self, account_id: &str) -> String {
        [
            self.headline(account_id),
            text_table(
                &EXPLANATION_HEADERS,
                &self.rows(),
                &[false, false, true, true, true, true, true],
            ),
            self.drivers_line(),
        ]
        .join("\n")
    }

    /// The same as HTML.
    pub fn render_html(&self, account_id: &str) -> String {
        format!(
            "<div class=\"csops-explanation\"><p><b>{}</b></p>{}<p>{}</p></div>",
            html_escape(&self.headline(account_id)),
            html_table(&EXPLANATION_HEADERS, &self.rows()),
            html_escape(&self.drivers_line())
        )
    }
}
