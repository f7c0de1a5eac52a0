//! The default scorecard ([`Scorecard::default_heuristic`]): a login-heavy heuristic, the
//! starting point the acceptance story back-tests and re-tunes.

use super::normaliser::Normaliser;
use super::scorecard::{MissingRule, Scorecard};

impl Scorecard {
    /// The default scorecard: a **heuristic**, deliberately login-heavy (it is the one the
    /// acceptance story back-tests and re-tunes). Usage 50% (logins per user-week dominate it),
    /// relationship 20%, support 15%, sentiment 15%.
    pub fn default_heuristic() -> Scorecard {
        use crate::features::names as f;
        let card = Scorecard::builder("default heuristic (login-heavy)")
            .description("A fixed-formula starting point, not a fitted model: logins dominate usage. Back-test it before trusting it.")
            .group("usage", 50.0)
            .measure("logins", f::LOGINS_PER_USER_WEEK, 50.0, Normaliser::linear(0.0, 1.2))
            .measure("stickiness", f::DAU_MAU, 20.0, Normaliser::linear(0.0, 0.15))
            .measure("breadth", f::FEATURE_BREADTH, 15.0, Normaliser::linear(0.0, 1.0))
            .measure("seats", f::SEAT_UTILISATION, 15.0, Normaliser::linear(0.0, 0.8))
            .group("relationship", 20.0)
            .measure("sponsor", f::EXEC_SPONSOR_PRESENT, 50.0, Normaliser::boolean())
            .measure("champion", f::CHAMPION_PRESENT, 25.0, Normaliser::boolean())
            .measure_with(
                "business_review",
                f::DAYS_SINCE_LAST_EBR,
                25.0,
                Normaliser::piecewise(vec![(0.0, 100.0), (90.0, 80.0), (180.0, 40.0), (365.0, 0.0)]),
                MissingRule::Worst,
            )
            .group("support", 15.0)
            .measure("open_escalations", f::OPEN_HIGH_PRIORITY_TICKETS, 60.0, Normaliser::steps(vec![1.0, 3.0], vec![100.0, 50.0, 10.0]))
            .measure("csat", f::AVG_CSAT, 40.0, Normaliser::linear(1.0, 5.0))
            .group("sentiment", 15.0)
            .measure("nps", f::NPS, 100.0, Normaliser::linear(-100.0, 100.0))
            .card;
        // Valid by construction (a test validates it), so it is returned without `build`.
        card
    }
}
