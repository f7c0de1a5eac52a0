//! Customer records: the typed schema of a book of business.
//!
//! A CS platform is only as good as the data it is fed. These types are the customer record
//! csops works from, one type per kind of export a CS Ops team pulls together:
//!
//! | record | where it usually comes from | what it says |
//! |---|---|---|
//! | [`Account`] | CRM | who the customer is, who owns it, what it pays, when it renews |
//! | [`Contact`] + [`ContactRole`] | CRM | the people, and the roles they held when (sponsor, champion, …) |
//! | [`UsageEvent`] | product telemetry | one user did one thing at one time |
//! | [`UsageSnapshot`] | product analytics / warehouse | a named metric for a period (active users, API calls) |
//! | [`Ticket`] | support desk | opened, closed, priority, CSAT |
//! | [`SurveyResponse`] | survey tool | NPS (0–10) or CSAT (1–5) answers |
//! | [`Meeting`] | calendar / CRM | EBRs, QBRs and who attended |
//! | [`Milestone`] | success plans | outcomes the customer bought the product for, due and achieved |
//! | [`Opportunity`] | CRM | renewal, expansion and new-business deals |
//! | [`ArrSnapshot`] | billing | the account's ARR on a date |
//! | [`RenewalOutcome`] | billing / CRM | what happened at a renewal: renewed, churned, contracted, expanded |
//!
//! Every record that happens at a time carries its date, so that anything derived "as of" a
//! date can ignore what came later (see [`crate::features`]). Enumerations (roles, priorities,
//! outcomes, …) are closed sets: an unknown value in an export is reported, not guessed.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::money::Money;

/// Define a closed, string-valued enumeration with its wire names.
macro_rules! domain_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name used in CSV and JSON.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The accepted wire names, for error messages and docs.
            pub fn names() -> Vec<&'static str> {
                vec![$($text),+]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            /// Case-insensitive; spaces and hyphens are read as underscores
            /// (`"Executive Sponsor"` → `executive_sponsor`).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let norm: String = s.trim().chars().map(|c| match c {
                    ' ' | '-' => '_',
                    c => c.to_ascii_lowercase(),
                }).collect();
                match norm.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("unknown value `{}`; expected one of: {}", s, $name::names().join(", "))),
                }
            }
        }
    };
}

domain_enum! {
    /// A role a contact plays at the customer. Roles change over time; see [`ContactRole`].
    Role {
        /// The senior executive who owns the relationship and signs off on renewal.
        ExecutiveSponsor => "executive_sponsor",
        /// The internal advocate who drives adoption.
        Champion => "champion",
        /// Signs the contract.
        EconomicBuyer => "economic_buyer",
        /// Shapes the buying decision.
        DecisionMaker => "decision_maker",
        /// Administers the product.
        Admin => "admin",
        /// Uses the product.
        User => "user",
        /// Handles invoices.
        Billing => "billing",
        /// Technical owner of the integration.
        Technical => "technical",
    }
}

domain_enum! {
    /// Support ticket priority.
    Priority {
        /// Low.
        Low => "low",
        /// Normal.
        Normal => "normal",
        /// High: counts toward "open high-priority tickets".
        High => "high",
        /// Urgent: counts toward "open high-priority tickets".
        Urgent => "urgent",
    }
}

impl Priority {
    /// High or urgent.
    pub fn is_high(&self) -> bool {
        matches!(self, Priority::High | Priority::Urgent)
    }
}

domain_enum! {
    /// Support ticket status at export time. Point-in-time features use the opened and
    /// closed dates instead, since the status only describes the day of the export.
    TicketStatus {
        /// Open.
        Open => "open",
        /// Waiting on the customer.
        Pending => "pending",
        /// Solved, may reopen.
        Solved => "solved",
        /// Closed.
        Closed => "closed",
    }
}

impl TicketStatus {
    /// Solved or closed.
    pub fn is_resolved(&self) -> bool {
        matches!(self, TicketStatus::Solved | TicketStatus::Closed)
    }
}

domain_enum! {
    /// The kind of survey a response answers.
    SurveyKind {
        /// Net Promoter Score question: 0–10.
        Nps => "nps",
        /// Customer satisfaction: 1–5.
        Csat => "csat",
    }
}

impl SurveyKind {
    /// The inclusive score range of this survey kind.
    pub fn range(&self) -> (u8, u8) {
        match self {
            SurveyKind::Nps => (0, 10),
            SurveyKind::Csat => (1, 5),
        }
    }
}

domain_enum! {
    /// The kind of a customer meeting.
    MeetingKind {
        /// Executive business review.
        Ebr => "ebr",
        /// Quarterly business review.
        Qbr => "qbr",
        /// Onboarding session.
        Onboarding => "onboarding",
        /// Regular check-in.
        CheckIn => "check_in",
        /// Anything else.
        Other => "other",
    }
}

impl MeetingKind {
    /// EBRs and QBRs both count as business reviews.
    pub fn is_business_review(&self) -> bool {
        matches!(self, MeetingKind::Ebr | MeetingKind::Qbr)
    }
}

domain_enum! {
    /// What a CRM opportunity is for.
    OpportunityKind {
        /// Renewing the existing contract.
        Renewal => "renewal",
        /// Up-sell or cross-sell on an existing account.
        Expansion => "expansion",
        /// The first deal with a new logo.
        NewBusiness => "new_business",
    }
}

domain_enum! {
    /// Whether an opportunity is still open.
    OpportunityStatus {
        /// Still being worked.
        Open => "open",
        /// Closed won.
        Won => "won",
        /// Closed lost.
        Lost => "lost",
    }
}

domain_enum! {
    /// The CRM forecast category a rep put the opportunity in.
    ForecastCategory {
        /// Early, uncommitted.
        Pipeline => "pipeline",
        /// Could close this period.
        BestCase => "best_case",
        /// The rep commits to it.
        Commit => "commit",
        /// Closed (won).
        Closed => "closed",
        /// Excluded from the forecast.
        Omitted => "omitted",
    }
}

domain_enum! {
    /// What happened at a renewal.
    Outcome {
        /// Renewed at the same ARR.
        Renewed => "renewed",
        /// Left: ARR after is zero.
        Churned => "churned",
        /// Renewed at a lower ARR.
        Contracted => "contracted",
        /// Renewed at a higher ARR.
        Expanded => "expanded",
    }
}

/// A customer account: the unit everything else hangs off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Account {
    /// Unique account id (the CRM id).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The CSM who owns the account, if any.
    pub owner_csm: Option<String>,
    /// Market segment (e.g. enterprise, mid-market, smb).
    pub segment: Option<String>,
    /// Coverage tier (e.g. high-touch, tech-touch).
    pub tier: Option<String>,
    /// Sales region.
    pub region: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Plan or product edition.
    pub plan: Option<String>,
    /// Current annual recurring revenue, in the account's contract currency.
    pub arr: Money,
    /// Licensed seats, if the plan is seat-based.
    pub seats: Option<u32>,
    /// Contract start.
    pub start_date: NaiveDate,
    /// The next (or current) renewal date of the contract.
    pub renewal_date: Option<NaiveDate>,
    /// Contract term in months (12 when absent); renewals recur every term.
    pub term_months: Option<u32>,
    /// Anything else the export carries (`attr.<name>` columns in CSV).
    pub attributes: BTreeMap<String, String>,
}

/// A person at a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Contact {
    /// Unique contact id.
    pub id: String,
    /// The account the contact belongs to.
    pub account_id: String,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
}

/// One spell of a contact holding a role: added on a date, removed on a later one (or still
/// held). A sponsor leaving shows up as a `removed` date on their `executive_sponsor` role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRole {
    /// The contact holding the role.
    pub contact_id: String,
    /// The role.
    pub role: Role,
    /// First day the role was held.
    pub added: NaiveDate,
    /// Day the role ended (not held from this day on), if it has ended.
    pub removed: Option<NaiveDate>,
}

impl ContactRole {
    /// Whether the role is held on `date`.
    pub fn active_on(&self, date: NaiveDate) -> bool {
        self.added <= date && self.removed.is_none_or(|r| r > date)
    }
}

/// One product-usage event: a user of an account used a feature at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    /// The account.
    pub account_id: String,
    /// The product user (not necessarily a CRM contact).
    pub user_id: String,
    /// The feature or event name (`login` counts as a login).
    pub feature: String,
    /// When it happened (UTC).
    pub timestamp: DateTime<Utc>,
}

/// A named usage metric measured over a period, as a warehouse or analytics tool exports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageSnapshot {
    /// The account.
    pub account_id: String,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period (inclusive); the value is known from this day.
    pub period_end: NaiveDate,
    /// Metric name (e.g. `active_users`, `api_calls`).
    pub metric: String,
    /// The value (finite); `None` when the export has no value for this period (an empty
    /// cell): the metric is then missing for the period, not carried over from an earlier one.
    pub value: Option<f64>,
}

/// A support ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Unique ticket id.
    pub id: String,
    /// The account.
    pub account_id: String,
    /// Day opened.
    pub opened: NaiveDate,
    /// Day closed, if closed.
    pub closed: Option<NaiveDate>,
    /// Priority.
    pub priority: Priority,
    /// Status at export time.
    pub status: TicketStatus,
    /// Whether the ticket was escalated.
    pub escalated: bool,
    /// The CSAT the requester gave on closing (1–5), if any.
    pub csat: Option<u8>,
}

/// An answer to an NPS or CSAT survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyResponse {
    /// Unique response id.
    pub id: String,
    /// The account.
    pub account_id: String,
    /// The contact who answered, when known.
    pub contact_id: Option<String>,
    /// Day answered.
    pub date: NaiveDate,
    /// NPS or CSAT.
    pub kind: SurveyKind,
    /// The score: 0–10 for NPS, 1–5 for CSAT.
    pub score: u8,
    /// Free-text comment.
    pub comment: Option<String>,
}

/// A meeting with the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Unique meeting id.
    pub id: String,
    /// The account.
    pub account_id: String,
    /// EBR, QBR, …
    pub kind: MeetingKind,
    /// Day held.
    pub date: NaiveDate,
    /// Roles of the customer's attendees (`;`-separated in CSV).
    pub attendee_roles: Vec<Role>,
}

/// A success-plan milestone: an outcome the customer bought the product for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// Unique milestone id.
    pub id: String,
    /// The account.
    pub account_id: String,
    /// What is to be achieved.
    pub name: String,
    /// Day it is due.
    pub due: NaiveDate,
    /// Day it was achieved, if it was.
    pub achieved: Option<NaiveDate>,
}

/// A CRM opportunity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    /// Unique opportunity id.
    pub id: String,
    /// The account.
    pub account_id: String,
    /// Renewal, expansion or new business.
    pub kind: OpportunityKind,
    /// Deal amount (annualised).
    pub amount: Money,
    /// Expected or actual close day.
    pub close_date: NaiveDate,
    /// The CRM's stage name, free text (stages differ between CRMs).
    pub stage: String,
    /// Open, won or lost.
    pub status: OpportunityStatus,
    /// Probability to close, 0–1.
    pub probability: f64,
    /// The rep's forecast category.
    pub forecast_category: ForecastCategory,
    /// Day created, if known.
    pub created: Option<NaiveDate>,
}

/// The ARR of an account on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrSnapshot {
    /// The account.
    pub account_id: String,
    /// The day the ARR applies to.
    pub date: NaiveDate,
    /// ARR on that day.
    pub arr: Money,
}

/// What happened when an account came up for renewal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalOutcome {
    /// Unique id.
    pub id: String,
    /// The account.
    pub account_id: String,
    /// The renewal date.
    pub renewal_date: NaiveDate,
    /// Renewed, churned, contracted or expanded.
    pub outcome: Outcome,
    /// ARR before the renewal.
    pub arr_before: Money,
    /// ARR after (zero when churned), same currency.
    pub arr_after: Money,
}
