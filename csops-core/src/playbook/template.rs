//! Task templates: the `{field}` placeholders of a title or body, and filling them in from
//! an account's row (numbers written short).

use chrono::NaiveDate;

use crate::condition::{Column, Table};

/// The `{field}` placeholders of a template.
pub(super) fn placeholders(t: &str) -> std::result::Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            return Err(format!("template `{t}` has a `{{` without `}}`"));
        };
        let name = after[..j].trim();
        if name.is_empty() || name.contains('{') {
            return Err(format!("template `{t}` has an empty or nested placeholder"));
        }
        out.push(name);
        rest = &after[j + 1..];
    }
    Ok(out)
}

pub(super) fn short(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn cell(t: &Table, name: &str, i: usize) -> String {
    match t.columns.get(name) {
        Some(Column::Number(v)) if v[i].is_finite() => short(v[i]),
        Some(Column::Text(v)) => v[i].clone().unwrap_or_else(|| "(none)".into()),
        Some(Column::Bool(v)) => v[i].map_or("(none)".into(), |b| b.to_string()),
        _ => "(none)".into(),
    }
}

pub(super) fn render(
    template: &str,
    t: &Table,
    i: usize,
    play: &str,
    reason: &str,
    day: NaiveDate,
) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(a) = rest.find('{') {
        out.push_str(&rest[..a]);
        let after = &rest[a + 1..];
        let Some(b) = after.find('}') else {
            out.push_str(&rest[a..]);
            return out;
        };
        let name = after[..b].trim();
        out.push_str(&match name {
            "play" => play.to_string(),
            "reason" => reason.to_string(),
            "date" => day.to_string(),
            f => cell(t, f, i),
        });
        rest = &after[b + 1..];
    }
    out.push_str(rest);
    out
}
