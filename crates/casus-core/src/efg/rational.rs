//! Exact fractions for the numbers of a game file: probabilities like `1/3` and payoffs like
//! `0.80` stay exact, so a game written out and read back means exactly what it said.
//!
//! The range is that of `i128`; every operation is checked and returns `None` on overflow, so
//! a caller can fall back to a decimal instead of ever wrapping or panicking.

use std::fmt;

/// A fraction in lowest terms with a positive denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rational {
    num: i128,
    den: i128,
}

impl Rational {
    /// Zero.
    pub const ZERO: Rational = Rational { num: 0, den: 1 };
    /// One.
    pub const ONE: Rational = Rational { num: 1, den: 1 };

    /// `num / den` in lowest terms; `None` for a zero denominator or out of range.
    pub fn new(num: i128, den: i128) -> Option<Rational> {
        if den == 0 || num == i128::MIN || den == i128::MIN {
            return None;
        }
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1);
        let g = i128::try_from(g).ok()?;
        let (mut num, mut den) = (num / g, den / g);
        if den < 0 {
            num = -num;
            den = -den;
        }
        Some(Rational { num, den })
    }

    /// A whole number.
    pub fn integer(n: i64) -> Rational {
        Rational {
            num: i128::from(n),
            den: 1,
        }
    }

    /// The numerator (carries the sign).
    pub fn numer(self) -> i128 {
        self.num
    }

    /// The denominator (always positive).
    pub fn denom(self) -> i128 {
        self.den
    }

    /// Whether the value is zero.
    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// Reads a number as game files write it: `3`, `-0.25`, `.90`, `1.5e-3`, `2/3`.
    pub fn parse(text: &str) -> Option<Rational> {
        if let Some((num, den)) = text.split_once('/') {
            return Rational::new(parse_int(num)?, parse_int(den)?);
        }
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], parse_exponent(&text[i + 1..])?),
            None => (text, 0),
        };
        let (negative, body) = split_sign(mantissa);
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 36 {
            return None;
        }
        let mut value: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        if negative {
            value = -value;
        }
        let scale = i64::from(exponent) - i64::try_from(frac.len()).ok()?;
        let power = pow10(u32::try_from(scale.unsigned_abs()).ok()?)?;
        if scale >= 0 {
            Rational::new(value.checked_mul(power)?, 1)
        } else {
            Rational::new(value, power)
        }
    }

    /// The decimal an analyst most likely wrote for `x`: the one with the fewest significant
    /// digits that lies within two units in the last place of `x`. `45 %` is stored as the
    /// binary number nearest 0.45, and this gives back exactly 45/100.
    pub fn from_decimal_f64(x: f64) -> Option<Rational> {
        if !x.is_finite() {
            return None;
        }
        if x == 0.0 {
            return Some(Rational::ZERO);
        }
        let tolerance = x.abs() * 2.0 * f64::EPSILON;
        for precision in 0..17 {
            let text = format!("{x:.precision$e}");
            if text
                .parse::<f64>()
                .is_ok_and(|y| (y - x).abs() <= tolerance)
            {
                return Rational::parse(&text);
            }
        }
        Rational::parse(&format!("{x:e}"))
    }

    /// The exact value of a binary floating-point number whose shortest decimal form is
    /// short enough to be exact in range (payoffs such as `0.8` or `-3`).
    pub fn from_f64_shortest(x: f64) -> Option<Rational> {
        if !x.is_finite() {
            return None;
        }
        Rational::parse(&format!("{x:e}"))
    }

    /// `self + other`.
    pub fn checked_add(self, other: Rational) -> Option<Rational> {
        let den = self.den.checked_mul(other.den)?;
        let num = self
            .num
            .checked_mul(other.den)?
            .checked_add(other.num.checked_mul(self.den)?)?;
        Rational::new(num, den)
    }

    /// `self - other`.
    pub fn checked_sub(self, other: Rational) -> Option<Rational> {
        self.checked_add(Rational::new(-other.num, other.den)?)
    }

    /// `self * other`.
    pub fn checked_mul(self, other: Rational) -> Option<Rational> {
        Rational::new(
            self.num.checked_mul(other.num)?,
            self.den.checked_mul(other.den)?,
        )
    }

    /// `self / other`; `None` when `other` is zero.
    pub fn checked_div(self, other: Rational) -> Option<Rational> {
        Rational::new(
            self.num.checked_mul(other.den)?,
            self.den.checked_mul(other.num)?,
        )
    }

    /// The nearest binary floating-point number (to within a unit in the last place).
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// The exact decimal form (`0.675`, `-3`), when the denominator is made of twos and fives
    /// only and the decimal has at most `max_decimals` places.
    pub fn to_decimal(self, max_decimals: u32) -> Option<String> {
        let (mut twos, mut fives, mut rest) = (0u32, 0u32, self.den);
        while rest % 2 == 0 {
            rest /= 2;
            twos += 1;
        }
        while rest % 5 == 0 {
            rest /= 5;
            fives += 1;
        }
        let places = twos.max(fives);
        if rest != 1 || places > max_decimals {
            return None;
        }
        let scaled = self.num.checked_mul(pow10(places)? / self.den)?;
        let sign = if scaled < 0 { "-" } else { "" };
        let digits = scaled.unsigned_abs().to_string();
        if places == 0 {
            return Some(format!("{sign}{digits}"));
        }
        let places = places as usize;
        let padded = format!("{digits:0>width$}", width = places + 1);
        let (int, frac) = padded.split_at(padded.len() - places);
        let frac = frac.trim_end_matches('0');
        Some(if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        })
    }
}

impl fmt::Display for Rational {
    /// `3`, `-1/2`: the form game files use for exact numbers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

fn parse_int(text: &str) -> Option<i128> {
    let (negative, digits) = split_sign(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 36 {
        return None;
    }
    let value: i128 = digits.parse().ok()?;
    Some(if negative { -value } else { value })
}

fn parse_exponent(text: &str) -> Option<i32> {
    let (negative, digits) = split_sign(text);
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i32 = digits.parse().ok()?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(num: i128, den: i128) -> Rational {
        Rational::new(num, den).unwrap()
    }

    #[test]
    fn parses_every_number_form_of_game_files() {
        assert_eq!(Rational::parse("3"), Some(r(3, 1)));
        assert_eq!(Rational::parse("-0.25"), Some(r(-1, 4)));
        assert_eq!(Rational::parse(".90"), Some(r(9, 10)));
        assert_eq!(Rational::parse("12.80"), Some(r(64, 5)));
        assert_eq!(Rational::parse("1.5e-3"), Some(r(3, 2000)));
        assert_eq!(Rational::parse("2E2"), Some(r(200, 1)));
        assert_eq!(Rational::parse("-2/6"), Some(r(-1, 3)));
        assert_eq!(Rational::parse("+4"), Some(r(4, 1)));
        assert_eq!(Rational::parse("1/0"), None);
        assert_eq!(Rational::parse("-"), None);
        assert_eq!(Rational::parse("."), None);
        assert_eq!(Rational::parse("1e99999"), None);
        assert_eq!(Rational::parse("abc"), None);
    }

    #[test]
    fn recovers_the_decimal_an_analyst_wrote() {
        // 33.3 % is stored as 33.3 / 100, which is not the binary number nearest 0.333.
        assert_eq!(Rational::from_decimal_f64(33.3 / 100.0), Some(r(333, 1000)));
        assert_eq!(Rational::from_decimal_f64(0.45), Some(r(9, 20)));
        assert_eq!(
            Rational::from_decimal_f64((0.55 + 0.8) / 2.0),
            Some(r(27, 40))
        );
        assert_eq!(Rational::from_decimal_f64(0.0), Some(Rational::ZERO));
        assert_eq!(Rational::from_decimal_f64(f64::NAN), None);
    }

    #[test]
    fn arithmetic_is_exact_and_checked() {
        let third = r(1, 3);
        let sum = third
            .checked_add(third)
            .unwrap()
            .checked_add(third)
            .unwrap();
        assert_eq!(sum, Rational::ONE);
        assert_eq!(r(3, 4).checked_sub(r(1, 4)), Some(r(1, 2)));
        assert_eq!(r(2, 3).checked_div(r(4, 3)), Some(r(1, 2)));
        assert_eq!(r(1, 2).checked_div(Rational::ZERO), None);
        let huge = r(i128::MAX / 2, 1);
        assert_eq!(huge.checked_mul(huge), None);
    }

    #[test]
    fn writes_decimals_only_when_exact() {
        assert_eq!(r(27, 40).to_decimal(12).as_deref(), Some("0.675"));
        assert_eq!(r(-3, 1).to_decimal(12).as_deref(), Some("-3"));
        assert_eq!(r(-1, 20).to_decimal(12).as_deref(), Some("-0.05"));
        assert_eq!(r(1, 3).to_decimal(12), None);
        assert_eq!(r(1, 3).to_string(), "1/3");
        assert_eq!(r(4, 2).to_string(), "2");
    }
}
