//! The row codec of each record type: [`Tabular`] reads a record from a row and writes it back
//! as text aligned with its file's documented columns.

use std::collections::BTreeMap;

use crate::book::RowFields;
use crate::record::*;

use super::rows::RowReader;
use super::schema::file_doc;

/// A record type with a row layout.
pub(super) trait Tabular: Sized {
    const STEM: &'static str;
    fn parse(r: &mut RowReader<'_>) -> Option<Self>;
    /// Values aligned with the file's columns (empty string for none).
    fn write(&self) -> Vec<String>;
    /// Columns beyond the documented ones (account attributes).
    fn extra_fields(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

impl<T: Tabular> RowFields for T {
    fn row_fields(&self) -> BTreeMap<String, String> {
        let cols = file_doc(T::STEM).columns.iter().map(|c| c.name.to_string());
        let mut out: BTreeMap<String, String> = cols.zip(self.write()).collect();
        out.extend(self.extra_fields());
        out
    }
}

pub(super) fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

impl Tabular for Account {
    const STEM: &'static str = "accounts";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let name = r.req_text("name");
        let owner_csm = r.text("owner_csm");
        let segment = r.text("segment");
        let tier = r.text("tier");
        let region = r.text("region");
        let industry = r.text("industry");
        let plan = r.text("plan");
        let currency = r.currency("currency");
        let arr = r.money("arr", currency);
        let seats = r.integer::<u32>("seats");
        let start_date = r.req_date("start_date");
        let renewal_date = r.date("renewal_date");
        let term_months = r.integer::<u32>("term_months");
        let mut attributes = BTreeMap::new();
        let fields = r.fields;
        for (k, slot) in &r.cols.attrs {
            if let Ok(Some(v)) = r.cols.attr_value(slot, &|i| fields.get(i)) {
                attributes.insert(k.clone(), v.into_owned());
            }
        }
        Some(Account {
            id: id?,
            name: name?,
            owner_csm: owner_csm?,
            segment: segment?,
            tier: tier?,
            region: region?,
            industry: industry?,
            plan: plan?,
            arr: arr?,
            seats: seats?,
            start_date: start_date?,
            renewal_date: renewal_date?,
            term_months: term_months?,
            attributes,
        })
    }
    fn extra_fields(&self) -> Vec<(String, String)> {
        self.attributes
            .iter()
            .map(|(k, v)| (format!("attr.{k}"), v.clone()))
            .collect()
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            opt(&self.owner_csm),
            opt(&self.segment),
            opt(&self.tier),
            opt(&self.region),
            opt(&self.industry),
            opt(&self.plan),
            self.arr.currency.to_string(),
            self.arr.amount.to_string(),
            opt(&self.seats),
            self.start_date.to_string(),
            opt(&self.renewal_date),
            opt(&self.term_months),
        ]
    }
}

impl Tabular for Contact {
    const STEM: &'static str = "contacts";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let (id, account_id, name) = (
            r.req_text("id"),
            r.req_text("account_id"),
            r.req_text("name"),
        );
        let (email, title) = (r.text("email"), r.text("title"));
        Some(Contact {
            id: id?,
            account_id: account_id?,
            name: name?,
            email: email?,
            title: title?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.name.clone(),
            opt(&self.email),
            opt(&self.title),
        ]
    }
}

impl Tabular for ContactRole {
    const STEM: &'static str = "contact_roles";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let contact_id = r.req_text("contact_id");
        let role = r.enumeration("role");
        let added = r.req_date("added");
        let removed = r.date("removed");
        Some(ContactRole {
            contact_id: contact_id?,
            role: role?,
            added: added?,
            removed: removed?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.contact_id.clone(),
            self.role.to_string(),
            self.added.to_string(),
            opt(&self.removed),
        ]
    }
}

impl Tabular for UsageSnapshot {
    const STEM: &'static str = "usage_snapshots";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let account_id = r.req_text("account_id");
        let period_start = r.req_date("period_start");
        let period_end = r.req_date("period_end");
        let metric = r.req_text("metric");
        // An empty value is "no value for this period", kept as such (never an earlier one).
        let value = r.number("value");
        Some(UsageSnapshot {
            account_id: account_id?,
            period_start: period_start?,
            period_end: period_end?,
            metric: metric?,
            value: value?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.account_id.clone(),
            self.period_start.to_string(),
            self.period_end.to_string(),
            self.metric.clone(),
            opt(&self.value),
        ]
    }
}

impl Tabular for Ticket {
    const STEM: &'static str = "tickets";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let opened = r.req_date("opened");
        let closed = r.date("closed");
        let priority = r.enumeration("priority");
        let status = r.enumeration("status");
        let escalated = r.boolean("escalated");
        let csat = r.integer::<u8>("csat");
        Some(Ticket {
            id: id?,
            account_id: account_id?,
            opened: opened?,
            closed: closed?,
            priority: priority?,
            status: status?,
            escalated: escalated?.unwrap_or(false),
            csat: csat?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.opened.to_string(),
            opt(&self.closed),
            self.priority.to_string(),
            self.status.to_string(),
            self.escalated.to_string(),
            opt(&self.csat),
        ]
    }
}

impl Tabular for SurveyResponse {
    const STEM: &'static str = "surveys";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let contact_id = r.text("contact_id");
        let date = r.req_date("date");
        let kind = r.enumeration("kind");
        let s = r.integer::<u8>("score");
        let score = r.required("score", s);
        let comment = r.text("comment");
        Some(SurveyResponse {
            id: id?,
            account_id: account_id?,
            contact_id: contact_id?,
            date: date?,
            kind: kind?,
            score: score?,
            comment: comment?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            opt(&self.contact_id),
            self.date.to_string(),
            self.kind.to_string(),
            self.score.to_string(),
            opt(&self.comment),
        ]
    }
}

impl Tabular for Meeting {
    const STEM: &'static str = "meetings";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let kind = r.enumeration("kind");
        let date = r.req_date("date");
        let attendee_roles = r.list("attendee_roles");
        Some(Meeting {
            id: id?,
            account_id: account_id?,
            kind: kind?,
            date: date?,
            attendee_roles: attendee_roles?,
        })
    }
    fn write(&self) -> Vec<String> {
        let roles: Vec<&str> = self.attendee_roles.iter().map(|r| r.as_str()).collect();
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.kind.to_string(),
            self.date.to_string(),
            roles.join(";"),
        ]
    }
}

impl Tabular for Milestone {
    const STEM: &'static str = "milestones";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let name = r.req_text("name");
        let due = r.req_date("due");
        let achieved = r.date("achieved");
        Some(Milestone {
            id: id?,
            account_id: account_id?,
            name: name?,
            due: due?,
            achieved: achieved?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.name.clone(),
            self.due.to_string(),
            opt(&self.achieved),
        ]
    }
}

impl Tabular for Opportunity {
    const STEM: &'static str = "opportunities";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let kind = r.enumeration("kind");
        let currency = r.currency("currency");
        let amount = r.money("amount", currency);
        let close_date = r.req_date("close_date");
        let stage = r.req_text("stage");
        let status = r.enumeration("status");
        let p = r.number("probability");
        let probability = r.required("probability", p);
        let forecast_category = r.enumeration("forecast_category");
        let created = r.date("created");
        Some(Opportunity {
            id: id?,
            account_id: account_id?,
            kind: kind?,
            amount: amount?,
            close_date: close_date?,
            stage: stage?,
            status: status?,
            probability: probability?,
            forecast_category: forecast_category?,
            created: created?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.kind.to_string(),
            self.amount.currency.to_string(),
            self.amount.amount.to_string(),
            self.close_date.to_string(),
            self.stage.clone(),
            self.status.to_string(),
            self.probability.to_string(),
            self.forecast_category.to_string(),
            opt(&self.created),
        ]
    }
}

impl Tabular for ArrSnapshot {
    const STEM: &'static str = "arr_snapshots";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let account_id = r.req_text("account_id");
        let date = r.req_date("date");
        let currency = r.currency("currency");
        let arr = r.money("arr", currency);
        Some(ArrSnapshot {
            account_id: account_id?,
            date: date?,
            arr: arr?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.account_id.clone(),
            self.date.to_string(),
            self.arr.currency.to_string(),
            self.arr.amount.to_string(),
        ]
    }
}

impl Tabular for RenewalOutcome {
    const STEM: &'static str = "renewal_outcomes";
    fn parse(r: &mut RowReader<'_>) -> Option<Self> {
        let id = r.req_text("id");
        let account_id = r.req_text("account_id");
        let renewal_date = r.req_date("renewal_date");
        let outcome = r.enumeration("outcome");
        let currency = r.currency("currency");
        let arr_before = r.money("arr_before", currency);
        let arr_after = r.money("arr_after", currency);
        Some(RenewalOutcome {
            id: id?,
            account_id: account_id?,
            renewal_date: renewal_date?,
            outcome: outcome?,
            arr_before: arr_before?,
            arr_after: arr_after?,
        })
    }
    fn write(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.account_id.clone(),
            self.renewal_date.to_string(),
            self.outcome.to_string(),
            self.arr_before.currency.to_string(),
            self.arr_before.amount.to_string(),
            self.arr_after.amount.to_string(),
        ]
    }
}
