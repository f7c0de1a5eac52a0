//! Money: exact amounts with a currency.
//!
//! ARR, opportunity amounts and renewal values are money, and money is never a float in csops:
//! every amount is a [`rust_decimal::Decimal`] paired with an ISO-4217 [`Currency`]. Two amounts
//! in different currencies cannot be added; to total a multi-currency book you convert each
//! amount to one reporting currency through an explicit [`FxTable`], so the rate behind every
//! reported figure is something you chose and can show.
//!
//! ```
//! use csops_core::money::{Currency, FxTable, Money};
//! use rust_decimal::Decimal;
//!
//! let usd = Currency::new("USD")?;
//! let eur = Currency::new("EUR")?;
//! let a = Money::new(Decimal::new(120_000_00, 2), usd);
//! let b = Money::new(Decimal::new(50_000_00, 2), eur);
//! assert!(a.checked_add(&b).is_err()); // USD + EUR without a rate is an error
//!
//! let mut fx = FxTable::new(usd);
//! fx.set_rate(eur, Decimal::new(108, 2))?; // 1 EUR = 1.08 USD
//! let total = fx.sum([&a, &b])?;
//! assert_eq!(total.to_string(), "174000.0000 USD");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Active ISO-4217 alphabetic codes (plus a few widely used fund codes). A code outside this
/// list is rejected, which catches typos such as `USS` or `EURO` at load time.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Why a money operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The text is not an active ISO-4217 currency code.
    #[error("`{0}` is not an ISO-4217 currency code (expected three letters such as USD, EUR)")]
    InvalidCurrency(String),
    /// Two amounts in different currencies were combined without an FX table.
    #[error("cannot combine {left} and {right} without an FX table")]
    CurrencyMismatch {
        /// The currency of the left operand.
        left: Currency,
        /// The currency of the right operand.
        right: Currency,
    },
    /// The FX table has no rate for this currency.
    #[error("the FX table has no rate from {from} to {to}")]
    MissingRate {
        /// The currency that needed converting.
        from: Currency,
        /// The reporting currency of the table.
        to: Currency,
    },
    /// The FX table has only dated rates for this currency, none in force on the day.
    #[error(
        "the FX table has no rate from {from} to {to} in force on {day} (its first is from {first})"
    )]
    NoRateOn {
        /// The currency that needed converting.
        from: Currency,
        /// The reporting currency of the table.
        to: Currency,
        /// The day of the amount.
        day: chrono::NaiveDate,
        /// The first day a rate of this currency is in force.
        first: chrono::NaiveDate,
    },
    /// An FX rate must be strictly positive and at most [`MAX_RATE`].
    #[error("FX rate for {currency} must be positive and at most 1000000, got {rate}")]
    InvalidRate {
        /// The currency of the rate.
        currency: Currency,
        /// The rejected rate.
        rate: Decimal,
    },
    /// The result does not fit a decimal (about 7.9e28).
    #[error("amount overflow")]
    Overflow,
    /// The text is not `<amount> <CUR>`.
    #[error("`{0}` is not money; expected `<amount> <CUR>` such as `1200.50 USD`")]
    Malformed(String),
}

/// An ISO-4217 currency code such as `USD` (always three upper-case letters, validated).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parse a currency code. Lower-case input is accepted and normalised (`eur` → `EUR`).
    pub fn new(code: &str) -> Result<Self, MoneyError> {
        let up = code.trim().to_ascii_uppercase();
        match ISO_4217.binary_search(&up.as_str()) {
            Ok(_) => {
                let b = up.as_bytes();
                Ok(Currency([b[0], b[1], b[2]]))
            }
            Err(_) => Err(MoneyError::InvalidCurrency(code.to_string())),
        }
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // Construction only admits ASCII letters from the ISO table.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}
impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::new(&s)
    }
}
impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

/// An exact amount in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct Money {
    /// The amount, exact.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// An amount in a currency.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Self {
        Money::new(Decimal::ZERO, currency)
    }

    /// Add two amounts of the same currency; a different currency is an error, never a guess.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Subtract an amount of the same currency.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        Ok(())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    /// Parse `"1200.50 USD"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_whitespace();
        let (Some(a), Some(c), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(MoneyError::Malformed(s.to_string()));
        };
        let amount =
            Decimal::from_str_exact(a).map_err(|_| MoneyError::Malformed(s.to_string()))?;
        Ok(Money::new(amount, Currency::new(c)?))
    }
}

/// The largest amount one record may carry: 10^15 (a thousand trillion) in its currency.
///
/// Far beyond any real contract, and the reason sums never overflow: a book of 79 million
/// accounts, each at the limit and converted at the largest rate, still totals within a
/// decimal's range (about 7.9 × 10^28). A record past it is a load problem naming the field
/// (see `docs/limits.md`).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// The largest FX rate: 1,000,000 reporting-currency units per unit.
pub const MAX_RATE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// Exchange rates into one reporting currency.
///
/// `rate(c)` is the number of reporting-currency units one unit of `c` buys. The reporting
/// currency itself always has rate 1. Conversion is exact decimal multiplication; no rounding
/// happens until you ask for it.
///
/// Rates may be **dated**: a rate in force from a day until the next dated rate of the same
/// currency ([`FxTable::set_rate_from`]). An amount of a day converts at the rate in force on
/// that day ([`FxTable::convert_on`]); a day before the first dated rate uses the undated rate
/// when there is one, and is an error when there is not. A table without dated rates converts
/// every day alike (constant-currency figures).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FxTable {
    reporting: Currency,
    rates: BTreeMap<Currency, Decimal>,
    /// Per currency: (first day in force, rate), in day order.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    dated: BTreeMap<Currency, Vec<(chrono::NaiveDate, Decimal)>>,
}

impl FxTable {
    /// An empty table reporting in `reporting`.
    pub fn new(reporting: Currency) -> Self {
        FxTable {
            reporting,
            rates: BTreeMap::new(),
            dated: BTreeMap::new(),
        }
    }

    /// Set the rate of `currency` in force from `from` (until the next dated rate of the same
    /// currency). Must be positive; setting the same day again replaces it.
    pub fn set_rate_from(
        &mut self,
        currency: Currency,
        from: chrono::NaiveDate,
        rate: Decimal,
    ) -> Result<(), MoneyError> {
        if rate <= Decimal::ZERO || rate > MAX_RATE {
            return Err(MoneyError::InvalidRate { currency, rate });
        }
        let list = self.dated.entry(currency).or_default();
        match list.binary_search_by_key(&from, |x| x.0) {
            Ok(i) => list[i].1 = rate,
            Err(i) => list.insert(i, (from, rate)),
        }
        Ok(())
    }

    /// Whether any rate is dated.
    pub fn is_dated(&self) -> bool {
        !self.dated.is_empty()
    }

    /// Every dated rate: (currency, first day in force, rate), in currency then day order.
    pub fn dated_rates(&self) -> impl Iterator<Item = (Currency, chrono::NaiveDate, Decimal)> + '_ {
        self.dated
            .iter()
            .flat_map(|(c, l)| l.iter().map(move |(d, r)| (*c, *d, *r)))
    }

    /// The rate of `currency` in force on `day`, and the day it took effect (`None` for the
    /// undated rate, or the reporting currency's 1).
    pub fn rate_on(
        &self,
        currency: Currency,
        day: chrono::NaiveDate,
    ) -> Option<(Decimal, Option<chrono::NaiveDate>)> {
        if currency == self.reporting {
            return Some((Decimal::ONE, None));
        }
        if let Some(list) = self.dated.get(&currency) {
            let i = list.partition_point(|x| x.0 <= day);
            if i > 0 {
                return Some((list[i - 1].1, Some(list[i - 1].0)));
            }
        }
        self.rates.get(&currency).map(|r| (*r, None))
    }

    /// Convert an amount of `day` into the reporting currency, at the rate in force that day.
    pub fn convert_on(&self, m: &Money, day: chrono::NaiveDate) -> Result<Money, MoneyError> {
        let Some((rate, _)) = self.rate_on(m.currency, day) else {
            return Err(match self.dated.get(&m.currency).and_then(|l| l.first()) {
                Some(first) => MoneyError::NoRateOn {
                    from: m.currency,
                    to: self.reporting,
                    day,
                    first: first.0,
                },
                None => MoneyError::MissingRate {
                    from: m.currency,
                    to: self.reporting,
                },
            });
        };
        let amount = m.amount.checked_mul(rate).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.reporting))
    }

    /// [`FxTable::convert_on`], noting the rate in `used` (nothing is noted for an amount
    /// already in the reporting currency).
    pub fn convert_noting(
        &self,
        m: &Money,
        day: chrono::NaiveDate,
        used: &mut RatesUsed,
    ) -> Result<Money, MoneyError> {
        if m.currency == self.reporting {
            return Ok(*m);
        }
        let Some((rate, from)) = self.rate_on(m.currency, day) else {
            // The error, as convert_on words it.
            return self.convert_on(m, day);
        };
        let amount = m.amount.checked_mul(rate).ok_or(MoneyError::Overflow)?;
        used.note(RateUsed {
            currency: m.currency,
            rate,
            from,
        });
        Ok(Money::new(amount, self.reporting))
    }

    /// The reporting currency.
    pub fn reporting(&self) -> Currency {
        self.reporting
    }

    /// Set the rate of `currency` (units of the reporting currency per unit). Must be positive.
    pub fn set_rate(&mut self, currency: Currency, rate: Decimal) -> Result<(), MoneyError> {
        if rate <= Decimal::ZERO || rate > MAX_RATE {
            return Err(MoneyError::InvalidRate { currency, rate });
        }
        self.rates.insert(currency, rate);
        Ok(())
    }

    /// The rate for a currency, if known (1 for the reporting currency).
    pub fn rate(&self, currency: Currency) -> Option<Decimal> {
        if currency == self.reporting {
            Some(Decimal::ONE)
        } else {
            self.rates.get(&currency).copied()
        }
    }

    /// All explicit rates, in currency order.
    pub fn rates(&self) -> impl Iterator<Item = (Currency, Decimal)> + '_ {
        self.rates.iter().map(|(c, r)| (*c, *r))
    }

    /// Convert an amount into the reporting currency.
    pub fn convert(&self, m: &Money) -> Result<Money, MoneyError> {
        let rate = self.rate(m.currency).ok_or(MoneyError::MissingRate {
            from: m.currency,
            to: self.reporting,
        })?;
        let amount = m.amount.checked_mul(rate).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.reporting))
    }

    /// Total any amounts in the reporting currency.
    pub fn sum<'a>(&self, items: impl IntoIterator<Item = &'a Money>) -> Result<Money, MoneyError> {
        let mut total = Money::zero(self.reporting);
        for m in items {
            total = total.checked_add(&self.convert(m)?)?;
        }
        Ok(total)
    }
}

/// One FX rate a figure was converted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct RateUsed {
    /// The currency converted from.
    pub currency: Currency,
    /// Reporting-currency units per unit of `currency`.
    #[cfg_attr(feature = "typescript", ts(as = "String"))]
    pub rate: Decimal,
    /// The day a dated rate took effect; `None` for an undated rate.
    pub from: Option<chrono::NaiveDate>,
}

/// The FX rates behind a figure, each once, so the figure can say which rates it used.
///
/// Filled by [`FxTable::convert_noting`]; carried by retention histories, forecasts,
/// reconciliations and back-tests. Empty when every amount was already in the reporting
/// currency.
///
/// ```
/// use csops_core::money::{Currency, FxTable, Money, RatesUsed};
/// use rust_decimal::Decimal;
///
/// let (usd, eur) = (Currency::new("USD")?, Currency::new("EUR")?);
/// let mut fx = FxTable::new(usd);
/// fx.set_rate(eur, Decimal::new(110, 2))?;
/// let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// let mut used = RatesUsed::new(usd);
/// fx.convert_noting(&Money::new(Decimal::new(100, 0), eur), day, &mut used)?;
/// assert_eq!(used.render(), "EUR→USD 1.10");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename_all = "camelCase")
)]
pub struct RatesUsed {
    /// The currency every rate converts into.
    pub reporting: Currency,
    /// The rates, in currency then day order.
    pub rates: Vec<RateUsed>,
}

impl RatesUsed {
    /// None yet, converting into `reporting`.
    pub fn new(reporting: Currency) -> Self {
        RatesUsed {
            reporting,
            rates: Vec::new(),
        }
    }

    /// Note a rate (kept once, in order).
    pub fn note(&mut self, rate: RateUsed) {
        if let Err(i) = self.rates.binary_search(&rate) {
            self.rates.insert(i, rate);
        }
    }

    /// Add every rate of `other` (same reporting currency).
    pub fn merge(&mut self, other: &RatesUsed) {
        for r in &other.rates {
            self.note(*r);
        }
    }

    /// Whether no rate was used.
    pub fn is_empty(&self) -> bool {
        self.rates.is_empty()
    }

    /// One line: `EUR→USD 1.10 from 2025-01-01, GBP→USD 1.27`, or `all amounts in USD`.
    pub fn render(&self) -> String {
        if self.rates.is_empty() {
            return format!("all amounts in {}", self.reporting);
        }
        self.rates
            .iter()
            .map(|r| match r.from {
                Some(d) => format!("{}→{} {} from {d}", r.currency, self.reporting, r.rate),
                None => format!("{}→{} {}", r.currency, self.reporting, r.rate),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for RatesUsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_table_is_sorted_for_binary_search() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn currency_rejects_unknown_codes() {
        assert!(Currency::new("USS").is_err());
        assert!(Currency::new("EURO").is_err());
        assert_eq!(Currency::new("eur").unwrap().code(), "EUR");
    }

    #[test]
    fn adding_mixed_currencies_is_an_error() {
        let a = Money::new(Decimal::ONE, Currency::new("USD").unwrap());
        let b = Money::new(Decimal::ONE, Currency::new("GBP").unwrap());
        assert!(matches!(
            a.checked_add(&b),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn fx_sum_is_exact_and_missing_rate_is_an_error() {
        let usd = Currency::new("USD").unwrap();
        let gbp = Currency::new("GBP").unwrap();
        let mut fx = FxTable::new(usd);
        let a = Money::new("0.10".parse().unwrap(), usd);
        let b = Money::new("0.20".parse().unwrap(), gbp);
        assert!(matches!(
            fx.sum([&a, &b]),
            Err(MoneyError::MissingRate { .. })
        ));
        fx.set_rate(gbp, "1.25".parse().unwrap()).unwrap();
        assert_eq!(fx.sum([&a, &b]).unwrap().amount, "0.35".parse().unwrap());
        assert!(fx.set_rate(gbp, Decimal::ZERO).is_err());
    }

    #[test]
    fn the_limits_are_the_documented_numbers() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000u64));
        assert_eq!(MAX_RATE, Decimal::from(1_000_000u64));
        let mut fx = FxTable::new(Currency::new("USD").unwrap());
        let vnd = Currency::new("VND").unwrap();
        assert!(fx.set_rate(vnd, MAX_RATE).is_ok());
        assert!(fx.set_rate(vnd, MAX_RATE + Decimal::ONE).is_err());
    }

    #[test]
    fn money_parses_and_prints() {
        let m: Money = "1200.50 usd".parse().unwrap();
        assert_eq!(m.to_string(), "1200.50 USD");
        assert!("1200.50".parse::<Money>().is_err());
    }
}
