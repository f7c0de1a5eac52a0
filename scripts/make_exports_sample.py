#!/usr/bin/env python3
"""Re-export the sample book the way a CS Ops team's tools would: data/exports-sample/.

The same records as data/sample-book/, written as a CRM, a billing system, a support desk, a
survey tool and a warehouse would write them: other file names and headers, US dates,
percent probabilities, a currency left blank where it is the company's (USD), outcomes
without ids, a wide monthly metric table with blank cells where the long table had no row,
and a role-change event log whose removals of roles held since before the log began have no
`added` row. `source-map.toml` (written by hand, not by this script) maps it back.

    python3 scripts/make_exports_sample.py            # writes data/exports-sample/*.csv

Only the standard library; the output is the same, byte for byte, every run.
"""

import csv
import datetime as dt
import os
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "data", "sample-book")
OUT = os.path.join(ROOT, "data", "exports-sample")
# Roles added before this day and since ended have only their removal in the log (the CRM's
# history began later); a role added earlier and still held keeps its addition row, as a CRM
# that exports current roles with their start would.
LOG_STARTS = "2025-01-01"


def rows(name):
    with open(os.path.join(SRC, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(name, header, out_rows):
    with open(os.path.join(OUT, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(out_rows)


def us_date(s):
    """2025-03-01 -> 03/01/2025; anything else (a bad row's value) as it is."""
    try:
        d = dt.date.fromisoformat(s)
    except ValueError:
        return s
    return d.strftime("%m/%d/%Y")


def eu_date(s):
    try:
        d = dt.date.fromisoformat(s)
    except ValueError:
        return s
    return d.strftime("%d.%m.%Y")


def blank_usd(c):
    return "" if c == "USD" else c


SEGMENTS = {"smb": "SMB", "mid_market": "Mid-Market", "enterprise": "Enterprise"}
PRIORITY = {"low": "P4", "normal": "P3", "high": "P2", "urgent": "P1"}


def percent(p):
    """0.8 -> 80, exactly (decimal text, no float rounding); a bad value as it is."""
    from decimal import Decimal, InvalidOperation

    try:
        v = Decimal(p) * 100
    except InvalidOperation:
        return p
    return format(v.normalize(), "f")


def main():
    os.makedirs(OUT, exist_ok=True)
    a = rows("accounts.csv")
    write(
        "crm_accounts.csv",
        ["Account ID", "Account Name", "Account Owner", "Segment", "Tier", "Region", "Industry",
         "Plan", "Currency", "ARR", "Seats", "Customer Since", "Renewal Date", "Term (months)",
         "Employees", "Lead Source"],
        [[r["id"], r["name"], r["owner_csm"], SEGMENTS.get(r["segment"], r["segment"]), r["tier"],
          r["region"], r["industry"], r["plan"], blank_usd(r["currency"]), r["arr"], r["seats"],
          us_date(r["start_date"]), us_date(r["renewal_date"]), r["term_months"],
          r["attr.employees"], r["attr.source"]] for r in a],
    )
    write(
        "crm_contacts.csv",
        ["Contact ID", "Account ID", "Full Name", "Email", "Title"],
        [[r["id"], r["account_id"], r["name"], r["email"], r["title"]] for r in rows("contacts.csv")],
    )
    events = []
    for r in rows("contact_roles.csv"):
        role = "end_user" if r["role"] == "user" else r["role"].replace("_", " ").title()
        removed = r["removed"]
        if not (removed and r["added"] < LOG_STARTS):
            events.append((r["added"], r["contact_id"], role, "Role Added"))
        if removed:
            events.append((removed, r["contact_id"], role, "Role Removed"))
    events.sort()
    write(
        "contacts_events.csv",
        ["contact_id", "role", "change", "changed_on"],
        [[c, role, what, eu_date(d)] for d, c, role, what in events],
    )
    write(
        "product_events.csv",
        ["account", "user", "event", "occurred_at"],
        [[r["account_id"], r["user_id"], r["feature"],
          r["timestamp"].replace("T", " ").replace("Z", "")] for r in rows("usage_events.csv")],
    )
    # The wide metric table: one row per account and month, a blank where the long table has
    # no value for that metric and month.
    wide = defaultdict(dict)
    metrics = []
    for r in rows("usage_snapshots.csv"):
        wide[(r["account_id"], r["period_end"])][r["metric"]] = r["value"]
        if r["metric"] not in metrics:
            metrics.append(r["metric"])
    names = {"active_users": "Active Users", "api_calls": "API Calls"}
    write(
        "warehouse_monthly_metrics.csv",
        ["account", "month_end"] + [names.get(m, m) for m in metrics],
        [[acct, end] + [vals.get(m, "") for m in metrics]
         for (acct, end), vals in sorted(wide.items())],
    )
    write(
        "support_tickets.csv",
        ["Ticket ID", "Organization", "Created", "Solved", "Priority", "Status", "Escalated",
         "Satisfaction"],
        [[r["id"], r["account_id"], r["opened"], r["closed"],
          PRIORITY.get(r["priority"], r["priority"]), r["status"].title(),
          {"true": "Yes", "false": "No"}.get(r["escalated"], r["escalated"]), r["csat"]]
         for r in rows("tickets.csv")],
    )
    write(
        "survey_responses.csv",
        ["Response ID", "Account ID", "Contact ID", "Submitted", "Survey", "Score", "Comment"],
        [[r["id"], r["account_id"], r["contact_id"], r["date"], r["kind"].upper(), r["score"],
          r["comment"]] for r in rows("surveys.csv")],
    )
    write(
        "meetings.csv",
        ["Meeting ID", "Account ID", "Type", "Date", "Attendee Roles"],
        [[r["id"], r["account_id"], r["kind"].replace("_", " ").title(), r["date"],
          r["attendee_roles"]] for r in rows("meetings.csv")],
    )
    write(
        "success_plans.csv",
        ["Milestone ID", "Account ID", "Milestone", "Due", "Achieved"],
        [[r["id"], r["account_id"], r["name"], r["due"], r["achieved"]]
         for r in rows("milestones.csv")],
    )
    write(
        "crm_opportunities.csv",
        ["Opportunity ID", "Account ID", "Type", "Currency", "Amount", "Close Date", "Stage",
         "Status", "Probability (%)", "Forecast Category", "Created Date"],
        [[r["id"], r["account_id"], r["kind"].replace("_", " ").title(),
          blank_usd(r["currency"]), r["amount"], us_date(r["close_date"]), r["stage"],
          r["status"].title(), percent(r["probability"]),
          r["forecast_category"].replace("_", " ").title(), us_date(r["created"])]
         for r in rows("opportunities.csv")],
    )
    write(
        "snapshots.csv",
        ["account_id", "date", "currency", "arr"],
        [[r["account_id"], r["date"], blank_usd(r["currency"]), r["arr"]]
         for r in rows("arr_snapshots.csv")],
    )
    write(
        "outcomes.csv",
        ["account_id", "renewal_date", "outcome", "currency", "arr_before", "arr_after"],
        [[r["account_id"], r["renewal_date"], r["outcome"], blank_usd(r["currency"]),
          r["arr_before"], r["arr_after"]] for r in rows("renewal_outcomes.csv")],
    )
    write(
        "fx.csv",
        ["currency", "reporting_currency", "rate"],
        [[r["currency"], r["reporting_currency"], r["rate"]] for r in rows("fx_rates.csv")],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
