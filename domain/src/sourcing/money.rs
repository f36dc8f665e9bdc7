//! Amounts of money: integer minor units and an ISO 4217 currency, never
//! floats.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{Validated, invalid};

macro_rules! currencies {
    ($($code:ident => $name:literal,)+) => {
        /// The ISO 4217 currencies a European cluster deals in; any other
        /// code (`ZZZ`, a withdrawn one) is refused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum Currency { $(#[doc = $name] $code),+ }

        impl Currency {
            pub const ALL: &[Currency] = &[$(Currency::$code),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$code => stringify!($code)),+ }
            }
        }
    };
}

currencies! {
    EUR => "Euro",
    USD => "US dollar",
    GBP => "Pound sterling",
    CHF => "Swiss franc",
    JPY => "Yen",
    CNY => "Renminbi",
    CAD => "Canadian dollar",
    AUD => "Australian dollar",
    SEK => "Swedish krona",
    DKK => "Danish krone",
    NOK => "Norwegian krone",
    ISK => "Icelandic króna",
    PLN => "Złoty",
    CZK => "Czech koruna",
    HUF => "Forint",
    RON => "Romanian leu",
    BGN => "Bulgarian lev",
    TRY => "Turkish lira",
    ILS => "New shekel",
    INR => "Indian rupee",
    KRW => "Won",
    SGD => "Singapore dollar",
    HKD => "Hong Kong dollar",
    BRL => "Brazilian real",
    MXN => "Mexican peso",
}

impl Currency {
    /// An ISO 4217 code of [`Currency::ALL`], in any case.
    pub fn parse(raw: &str) -> Validated<Self> {
        let code = raw.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(code))
            .map_or_else(
                || {
                    invalid(
                        "invalid_currency",
                        "a currency is an ISO 4217 code this platform accepts, such as EUR, USD, GBP or CHF",
                    )
                },
                Ok,
            )
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw).map_err(|e| e.to_string())
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.as_str().to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Cents for EUR.
    pub minor_units: i64,
    pub currency: Currency,
}

impl Money {
    /// Largest amount, in whole units: no sourcing request of the cluster
    /// comes near a billion, and a bigger number is a typo or a probe.
    pub const MAX_UNITS: i64 = 1_000_000_000;

    /// Same as [`Money::parse`], for a price: zero is refused.
    pub fn parse_positive(amount: &str, currency: &str) -> Validated<Self> {
        let money = Self::parse(amount, currency)?;
        if money.minor_units == 0 {
            return invalid("not_positive", "a price is more than 0");
        }
        Ok(money)
    }

    /// Parses a decimal amount with at most two decimals, e.g. `12500` or
    /// `12500.50`, up to [`Money::MAX_UNITS`]. Negative amounts are refused.
    pub fn parse(amount: &str, currency: &str) -> Validated<Self> {
        let currency = Currency::parse(currency)?;
        let amount = amount.trim();
        let (units, cents) = match amount.split_once('.') {
            Some((units, cents)) => (units, cents),
            None => (amount, ""),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(units)
            || cents.len() > 2
            || (!cents.is_empty() && !digits(cents))
            || units.len() > 13
        {
            return invalid(
                "invalid_amount",
                "an amount is a positive number with at most two decimals, e.g. 12500.50",
            );
        }
        let units: i64 = units.parse().map_err(|_| {
            crate::ValidationErrors::single("", "invalid_amount", "amount too large")
        })?;
        let cents: i64 = format!("{cents:0<2}").parse().unwrap_or(0);
        if units > Self::MAX_UNITS || (units == Self::MAX_UNITS && cents > 0) {
            return invalid(
                "out_of_range",
                format!("an amount is at most {}", Self::MAX_UNITS),
            );
        }
        Ok(Self {
            minor_units: units * 100 + cents,
            currency,
        })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:02} {}",
            self.minor_units / 100,
            self.minor_units % 100,
            self.currency.as_str()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_minor_units() {
        assert_eq!(Money::parse("12500", "eur").unwrap().minor_units, 1_250_000);
        assert_eq!(
            Money::parse("12500.5", "EUR").unwrap().minor_units,
            1_250_050
        );
        assert_eq!(Money::parse("0.07", "EUR").unwrap().to_string(), "0.07 EUR");
    }

    #[test]
    fn bad_amounts_and_currencies_are_refused() {
        for (amount, currency) in [
            ("-1", "EUR"),
            ("1.234", "EUR"),
            ("abc", "EUR"),
            ("", "EUR"),
            ("1", "EURO"),
            ("1", "€"),
            ("1", "ZZZ"),
            ("1", "XTS"),
            ("9999999999999.99", "EUR"),
            ("1000000000.01", "EUR"),
        ] {
            assert!(
                Money::parse(amount, currency).is_err(),
                "{amount} {currency}"
            );
        }
    }

    #[test]
    fn currencies_are_iso_codes_of_the_closed_list_and_amounts_are_bounded() {
        assert_eq!(Currency::parse(" chf ").unwrap(), Currency::CHF);
        assert_eq!(Currency::parse("PLN").unwrap().as_str(), "PLN");
        assert!(
            Currency::ALL
                .iter()
                .all(|c| Currency::parse(c.as_str()) == Ok(*c))
        );
        assert_eq!(
            Money::parse("1000000000", "EUR").unwrap().minor_units,
            100_000_000_000
        );
        assert!(Money::parse("0", "EUR").is_ok(), "a budget may start at 0");
        let zero = Money::parse_positive("0.00", "EUR").unwrap_err();
        assert_eq!(zero.errors()[0].code, "not_positive");
        assert!(Money::parse_positive("0.01", "EUR").is_ok());
    }
}
