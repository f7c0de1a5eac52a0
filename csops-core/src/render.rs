//! Readable text and HTML for results: the building blocks every result's summary is made
//! of (amounts with thousands separators, aligned text tables, HTML tables), so a forecast or
//! a segmentation reads the same in a terminal, a notebook (Python `repr` and
//! `_repr_html_`), a Node `summary` and a report.

use rust_decimal::Decimal;

/// Digits with thousands separators: `-1234567` → `-1,234,567`.
pub fn grouped(digits: &str) -> String {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", digits),
    };
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount to the cent with thousands separators: `1,234,567.89` (never `-0.00`).
///
/// ```
/// use csops_core::render::amount;
/// use rust_decimal::Decimal;
/// assert_eq!(amount("1234567.891".parse::<Decimal>().unwrap()), "1,234,567.89");
/// assert_eq!(amount("-0.001".parse::<Decimal>().unwrap()), "0.00");
/// ```
pub fn amount(d: Decimal) -> String {
    let text = format!("{:.2}", d.round_dp(2));
    let text = if text.trim_start_matches(['-', '0', '.']).is_empty() {
        text.trim_start_matches('-').to_string()
    } else {
        text
    };
    match text.split_once('.') {
        Some((whole, cents)) => format!("{}.{cents}", grouped(whole)),
        None => grouped(&text),
    }
}

/// A statistic in whole units with thousands separators: `4,562,540`.
pub fn whole(x: f64) -> String {
    grouped(&format!("{x:.0}"))
}

/// A share as a percentage without trailing zeros: `0.02` → `2%`, `0.015` → `1.5%`.
pub fn share(x: f64) -> String {
    let s = format!("{:.4}", 100.0 * x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// A text table indented by two spaces: a header line, then one line per row; columns
/// padded to their widest cell, right-aligned where `right` says so.
pub fn text_table(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let width = |k: usize| {
        rows.iter()
            .map(|r| r.get(k).map_or(0, |c| c.chars().count()))
            .chain([headers[k].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..headers.len()).map(width).collect();
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let pad = " ".repeat(widths[k].saturating_sub(c.chars().count()));
                if right.get(k).copied().unwrap_or(false) {
                    format!("{pad}{c}")
                } else {
                    format!("{c}{pad}")
                }
            })
            .collect();
        format!("  {}", parts.join("  ").trim_end())
    };
    let mut out = vec![line(headers.to_vec())];
    out.extend(
        rows.iter()
            .map(|r| line(r.iter().map(String::as_str).collect())),
    );
    out.join("\n")
}

/// An HTML table, every cell escaped.
pub fn html_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table><thead><tr>");
    for h in headers {
        s.push_str(&format!("<th>{}</th>", html_escape(h)));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            s.push_str(&format!("<td>{}</td>", html_escape(c)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// Text escaped for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_writes_them() {
        assert_eq!(grouped("1234567"), "1,234,567");
        assert_eq!(grouped("-123"), "-123");
        assert_eq!(whole(4_562_540.4), "4,562,540");
        assert_eq!(share(0.015), "1.5%");
        assert_eq!(share(0.02), "2%");
    }

    #[test]
    fn tables_align_and_escape() {
        let t = text_table(
            &["a", "n"],
            &[vec!["x".into(), "10".into()]],
            &[false, true],
        );
        assert_eq!(t, "  a   n\n  x  10");
        assert_eq!(
            html_table(&["<a>"], &[vec!["&".into()]]),
            "<table><thead><tr><th>&lt;a&gt;</th></tr></thead><tbody><tr><td>&amp;</td></tr></tbody></table>"
        );
    }
}
