//! Feature definitions checked on a small book computed by hand.

use std::collections::BTreeMap;

use csops_core::Error;
use csops_core::features::{FeatureConfig, features_as_of, names};
use csops_core::interchange::{LoadOptions, load_csv_texts};

fn book() -> csops_core::book::Book {
    let mut t = BTreeMap::new();
    let s = |x: &str| x.to_string();
    t.insert(
        s("accounts"),
        s("id,name,currency,arr,seats,start_date,renewal_date\n\
A1,Acme,USD,1000,4,2024-01-01,2024-06-30\n\
A2,Quiet,USD,500,,2024-01-01,\n\
A3,Later,USD,500,,2024-05-01,\n\
A4,Gone,USD,500,,2023-01-01,2024-01-01\n"),
    );
    // A1, as of 2024-03-31 with 28-day windows: window = 03-04..03-31, previous = 02-05..03-03.
    t.insert(
        s("usage_events"),
        s("account_id,user_id,feature,timestamp\n\
A1,u1,login,2024-03-31T23:59:59Z\n\
A1,u1,login,2024-03-30T10:00:00Z\n\
A1,u2,login,2024-03-04T00:00:00Z\n\
A1,u2,reports,2024-03-10T00:00:00Z\n\
A1,u1,api,2024-03-10T00:00:00Z\n\
A1,u3,settings,2024-03-03T23:59:59Z\n\
A1,u1,login,2024-04-01T00:00:00Z\n"),
    );
    t.insert(
        s("tickets"),
        s("id,account_id,opened,closed,priority,status,csat\n\
T1,A1,2024-03-01,2024-03-05,high,closed,4\n\
T2,A1,2024-03-20,,urgent,open,\n\
T3,A1,2023-12-01,2024-04-02,high,closed,2\n\
T4,A1,2023-11-01,2023-11-02,low,closed,1\n"),
    );
    t.insert(s("surveys"), s("id,account_id,date,kind,score\n\
S1,A1,2024-03-01,nps,10\nS2,A1,2024-02-01,nps,9\nS3,A1,2024-01-15,nps,3\nS4,A1,2024-03-02,nps,7\nS5,A1,2024-03-03,csat,2\nS6,A1,2024-04-05,nps,0\n"));
    t.insert(
        s("contacts"),
        s("id,account_id,name\nC1,A1,Sam\nC2,A1,Kim\n"),
    );
    t.insert(s("contact_roles"), s("contact_id,role,added,removed\n\
C1,executive_sponsor,2024-01-01,2024-03-31\nC2,champion,2024-01-01,\nC2,executive_sponsor,2024-04-01,\n"));
    t.insert(s("meetings"), s("id,account_id,kind,date\nM1,A1,qbr,2024-02-01\nM2,A1,check_in,2024-03-15\nM3,A1,ebr,2024-05-01\n"));
    t.insert(
        s("milestones"),
        s("id,account_id,name,due,achieved\n\
MS1,A1,a,2024-02-01,2024-01-20\nMS2,A1,b,2024-03-01,2024-04-01\nMS3,A1,c,2024-05-01,2024-03-01\n"),
    );
    t.insert(s("usage_snapshots"), s("account_id,period_start,period_end,metric,value\n\
A1,2024-02-01,2024-02-29,active_users,3\nA1,2024-03-01,2024-03-31,active_users,7\nA1,2024-04-01,2024-04-30,active_users,9\n"));
    t.insert(s("renewal_outcomes"), s("id,account_id,renewal_date,outcome,currency,arr_before,arr_after\nR1,A4,2024-01-01,churned,USD,500,0\n"));
    load_csv_texts(&t, &LoadOptions::default()).unwrap().book
}

#[test]
fn hand_computed_features_as_of_end_of_march() {
    let book = book();
    let cfg = FeatureConfig {
        snapshot_metrics: vec!["active_users".into()],
        ..Default::default()
    };
    let f = features_as_of(&book, "2024-03-31".parse().unwrap(), &cfg).unwrap();
    // A3 has not started, A4 churned before the day.
    assert_eq!(f.account_ids, ["A1", "A2"]);
    let v = |n: &str| f.value("A1", n);
    // Window events: u1 login x2, u2 login, u2 reports, u1 api -> 3 logins, 2 active users, 4 weeks.
    assert_eq!(v(names::LOGINS_PER_USER_WEEK), Some(3.0 / 2.0 / 4.0));
    // Breadth: reports and api of 8 key features.
    assert_eq!(v(names::FEATURE_BREADTH), Some(2.0 / 8.0));
    // Seats 4, active users 2.
    assert_eq!(v(names::SEAT_UTILISATION), Some(0.5));
    // DAU/MAU: u1 active on 03-30, 03-31, 03-10 (3 days), u2 on 03-04, 03-10 (2 days): 5 / (28 * 2).
    assert_eq!(v(names::DAU_MAU), Some(5.0 / 56.0));
    assert_eq!(v(names::DAYS_SINCE_LAST_ACTIVITY), Some(0.0));
    // 5 events in window, 1 in the previous one: +400%.
    assert_eq!(v(names::USAGE_CHANGE_PCT), Some(400.0));
    // Tickets opened 2024-01-02..03-31: T1, T2. Open high on 03-31: T2 (urgent) and T3 (closed 04-02).
    assert_eq!(v(names::TICKETS_OPENED), Some(2.0));
    assert_eq!(v(names::OPEN_HIGH_PRIORITY_TICKETS), Some(2.0));
    // CSAT in 90 days: T1's 4 (closed 03-05) and survey S5's 2; T3 closes later, T4 too early.
    assert_eq!(v(names::AVG_CSAT), Some(3.0));
    // NPS in 180 days: 10, 9 promoters; 3 detractor; 7 passive -> (2 - 1) / 4.
    assert_eq!(v(names::NPS), Some(25.0));
    // Sponsor removed on 03-31 (not held that day); the new one starts 04-01. Champion held.
    assert_eq!(v(names::EXEC_SPONSOR_PRESENT), Some(0.0));
    assert_eq!(v(names::CHAMPION_PRESENT), Some(1.0));
    // Last business review: the QBR of 02-01 (the check-in does not count).
    assert_eq!(v(names::DAYS_SINCE_LAST_EBR), Some(59.0));
    // Due by 03-31: MS1 (achieved), MS2 (achieved later) -> 1/2.
    assert_eq!(v(names::MILESTONES_ACHIEVED_SHARE), Some(0.5));
    assert_eq!(v(names::DAYS_TO_RENEWAL), Some(91.0));
    assert_eq!(v("snapshot.active_users"), Some(7.0));

    // A2 has no data: usage features are missing, counts are zero, presence flags are zero.
    let w = |n: &str| f.value("A2", n);
    assert_eq!(w(names::FEATURE_BREADTH), None);
    assert_eq!(w(names::TICKETS_OPENED), Some(0.0));
    assert_eq!(w(names::EXEC_SPONSOR_PRESENT), Some(0.0));
    assert_eq!(w(names::NPS), None);
    assert_eq!(w(names::DAYS_TO_RENEWAL), None);
    assert_eq!(f.column(names::NPS).unwrap().missing(), 1);
}

#[test]
fn one_day_later_the_new_sponsor_is_seen() {
    let f = features_as_of(
        &book(),
        "2024-04-01".parse().unwrap(),
        &FeatureConfig::default(),
    )
    .unwrap();
    assert_eq!(f.value("A1", names::EXEC_SPONSOR_PRESENT), Some(1.0));
    // Renewal on 2024-06-30 recurs yearly; as of 2024-04-01 it is 90 days away.
    assert_eq!(f.value("A1", names::DAYS_TO_RENEWAL), Some(90.0));
}

#[test]
fn invalid_feature_config_lists_every_problem() {
    let cfg = FeatureConfig {
        usage_window_days: 0,
        dau_mau_window_days: 90,
        key_features: vec![],
        login_feature: " ".into(),
        ..Default::default()
    };
    let Err(Error::Config(p)) = cfg.validate() else {
        panic!("expected a config error")
    };
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(FeatureConfig::from_toml("usage_window_days = 14\nkey_features = [\"api\"]").is_ok());
    assert!(
        FeatureConfig::from_toml("usage_widow_days = 14").is_err(),
        "typos are rejected"
    );
}

#[test]
fn an_as_of_day_at_the_edge_of_the_calendar_is_an_error_not_a_panic() {
    let r = features_as_of(&book(), chrono::NaiveDate::MIN, &FeatureConfig::default());
    assert!(matches!(r, Err(Error::Config(_))));
}
