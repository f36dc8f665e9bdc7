//! Amounts of money: integer minor units and an ISO 4217 currency, never
//! floats.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{Validated, invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(raw: &str) -> Validated<Self> {
        let code = raw.trim().to_ascii_uppercase();
        match code.as_bytes() {
            [a, b, c] if code.bytes().all(|b| b.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => invalid(
                "invalid_currency",
                "a currency is an ISO 4217 code such as EUR",
            ),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
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
    /// Parses a decimal amount with at most two decimals, e.g. `12500` or
    /// `12500.50`. Negative amounts are refused.
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
        ] {
            assert!(
                Money::parse(amount, currency).is_err(),
                "{amount} {currency}"
            );
        }
    }
}
