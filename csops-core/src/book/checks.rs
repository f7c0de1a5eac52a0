//! The checks of one record on its own (no other record needed): [`Check`] and its impl for
//! each record type, with the shared helpers for amounts and date order.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::report::{FieldProblem, ProblemKind};
use crate::money::Money;
use crate::record::*;
/// Record-level checks that need no other record.
pub(crate) trait Check {
    /// The record's own id, for messages and duplicate detection.
    fn id(&self) -> Option<&str> {
        None
    }
    /// The account it belongs to, if it refers to one directly.
    fn account_ref(&self) -> Option<&str> {
        None
    }
    /// Problems with the record's own fields.
    fn check(&self, _out: &mut Vec<FieldProblem>) {}
}

/// An amount must be ≥ 0 and within [`crate::money::MAX_AMOUNT`].
fn non_negative(field: &'static str, m: &Money, out: &mut Vec<FieldProblem>) {
    if m.amount < Decimal::ZERO {
        out.push((field, ProblemKind::Negative, format!("negative amount {m}")));
    } else if m.amount > crate::money::MAX_AMOUNT {
        out.push((
            field,
            ProblemKind::OutOfRange,
            format!("amount {m} is above the limit of 10^15 per record"),
        ));
    }
}

fn ordered(
    first: (&'static str, NaiveDate),
    second: (&'static str, Option<NaiveDate>),
    out: &mut Vec<FieldProblem>,
) {
    if let Some(d2) = second.1
        && d2 < first.1
    {
        out.push((
            second.0,
            ProblemKind::DatesOutOfOrder,
            format!("{} {d2} is before {} {}", second.0, first.0, first.1),
        ));
    }
}

impl Check for Account {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        non_negative("arr", &self.arr, out);
        ordered(
            ("start_date", self.start_date),
            ("renewal_date", self.renewal_date),
            out,
        );
        if self.term_months == Some(0) {
            out.push((
                "term_months",
                ProblemKind::OutOfRange,
                "term must be at least one month".into(),
            ));
        }
    }
}
impl Check for Contact {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
}
impl Check for ContactRole {
    fn check(&self, out: &mut Vec<FieldProblem>) {
        ordered(("added", self.added), ("removed", self.removed), out);
    }
}
impl Check for UsageSnapshot {
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        ordered(
            ("period_start", self.period_start),
            ("period_end", Some(self.period_end)),
            out,
        );
        if let Some(v) = self.value
            && !v.is_finite()
        {
            out.push((
                "value",
                ProblemKind::Malformed,
                format!("value {v} is not finite"),
            ));
        }
    }
}
impl Check for Ticket {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        ordered(("opened", self.opened), ("closed", self.closed), out);
        if let Some(c) = self.csat
            && !(1..=5).contains(&c)
        {
            out.push((
                "csat",
                ProblemKind::OutOfRange,
                format!("CSAT {c} is outside 1–5"),
            ));
        }
        if self.status.is_resolved() && self.closed.is_none() {
            out.push((
                "closed",
                ProblemKind::Inconsistent,
                format!("status is {} but no closed date is given", self.status),
            ));
        }
    }
}
impl Check for SurveyResponse {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        let (lo, hi) = self.kind.range();
        if !(lo..=hi).contains(&self.score) {
            out.push((
                "score",
                ProblemKind::OutOfRange,
                format!("{} score {} is outside {lo}–{hi}", self.kind, self.score),
            ));
        }
    }
}
impl Check for Meeting {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
}
impl Check for Milestone {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
}
impl Check for Opportunity {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        non_negative("amount", &self.amount, out);
        if !(0.0..=1.0).contains(&self.probability) {
            out.push((
                "probability",
                ProblemKind::OutOfRange,
                format!("probability {} is outside 0–1", self.probability),
            ));
        }
        ordered(
            ("created", self.created.unwrap_or(NaiveDate::MIN)),
            ("close_date", Some(self.close_date)),
            out,
        );
    }
}
impl Check for ArrSnapshot {
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        non_negative("arr", &self.arr, out);
    }
}
impl Check for RenewalOutcome {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn account_ref(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn check(&self, out: &mut Vec<FieldProblem>) {
        non_negative("arr_before", &self.arr_before, out);
        non_negative("arr_after", &self.arr_after, out);
        if self.arr_before.currency != self.arr_after.currency {
            out.push((
                "arr_after",
                ProblemKind::Inconsistent,
                "ARR before and after are in different currencies".into(),
            ));
            return;
        }
        let (b, a) = (self.arr_before.amount, self.arr_after.amount);
        let ok = match self.outcome {
            Outcome::Churned => a.is_zero(),
            Outcome::Renewed => a == b,
            Outcome::Contracted => a < b && !a.is_zero(),
            Outcome::Expanded => a > b,
        };
        if !ok {
            out.push((
                "outcome",
                ProblemKind::Inconsistent,
                format!(
                    "outcome `{}` does not match ARR {} → {}",
                    self.outcome, self.arr_before, self.arr_after
                ),
            ));
        }
    }
}
