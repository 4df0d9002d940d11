//! The number model of `add` facts: exact fixed point.
//!
//! A fact that rules `add` to is summed as an `i128` count of [`RESOLUTION`] units
//! (nanos), so a sum is exact and does not depend on the order rules fire in: ten rules that
//! add `0.1` make exactly `1`, which `n == 1` sees, on every engine (the search, the path walk
//! behind `explain` and `test`, the lints, the graph). Its range is ±[`LIMIT`].
//!
//! What the format cannot hold is an error at check time (`E0406`), never a silent clamp or
//! rounding: a default or an amount beyond ±1e15, a nonzero amount finer than 1e-9 (more
//! than nine decimals), and a fact whose sum could leave the range — bounded statically by
//! `|default| + Σ |amount|` over every rule that adds to it. Within those bounds no sum can
//! overflow, be infinite or be NaN. `docs/language.md` documents the same numbers.

/// Fixed-point units per 1: a sum is a whole number of 1e-9.
pub const SCALE: f64 = 1e9;

/// The finest step of an `add` sum.
pub const RESOLUTION: f64 = 1e-9;

/// The largest magnitude of an `add` sum, its default and each amount.
pub const LIMIT: f64 = 1e15;

/// `x` in fixed point. INVARIANT: for a checked scenario `|x| <= LIMIT`, so nothing is
/// clamped; the clamp only keeps a value that skipped the check (a test helper, a fuzz input)
/// from overflowing.
#[must_use]
pub fn to_fixed(x: f64) -> i128 {
    if x.is_nan() {
        return 0;
    }
    // The cast saturates; within the clamp it is exact after rounding.
    (x.clamp(-LIMIT, LIMIT) * SCALE).round() as i128
}

/// A fixed-point sum as a number (exact for every sum within the range: 1e24 nanos need 80
/// bits, and the nearest `f64` of `n / 1e9` is what the decimal `n × 1e-9` means).
#[must_use]
pub fn from_fixed(units: i128) -> f64 {
    units as f64 / SCALE
}

/// Why a number cannot take part in an `add` sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unrepresentable {
    /// Beyond ±[`LIMIT`] (or not finite).
    OutOfRange,
    /// Nonzero and not a whole number of [`RESOLUTION`] units: it would be rounded.
    TooFine,
}

/// Whether `x` is held exactly by an `add` sum.
pub fn check(x: f64) -> Result<(), Unrepresentable> {
    if !x.is_finite() || x.abs() > LIMIT {
        return Err(Unrepresentable::OutOfRange);
    }
    let units = (x * SCALE).round();
    // The decimal the analyst wrote is a whole number of nanos when `x` and `units / SCALE`
    // are the same `f64` up to rounding of the last bits (`0.1` is not exactly 0.1 in binary,
    // but it is the nearest `f64` to 100,000,000 nanos).
    let back = units / SCALE;
    if (back - x).abs() > 4.0 * f64::EPSILON * x.abs().max(RESOLUTION) {
        return Err(Unrepresentable::TooFine);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_up_to_nine_places_are_exact() {
        for x in [
            0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            2.5,
            1e-9,
            -1e-9,
            0.123456789,
            1e15,
            -1e15,
            1e14 + 0.5,
        ] {
            assert_eq!(check(x), Ok(()), "{x}");
        }
        let tenths: i128 = (0..10).map(|_| to_fixed(0.1)).sum();
        assert_eq!(tenths, to_fixed(1.0));
        assert_eq!(from_fixed(tenths), 1.0);
        assert_eq!(from_fixed(to_fixed(0.1) + to_fixed(0.2)), 0.3);
    }

    #[test]
    fn what_cannot_be_held_is_named() {
        assert_eq!(check(4e-10), Err(Unrepresentable::TooFine));
        assert_eq!(check(1.0000000004), Err(Unrepresentable::TooFine));
        assert_eq!(check(0.1234567891), Err(Unrepresentable::TooFine));
        assert_eq!(check(1e15 + 1.0), Err(Unrepresentable::OutOfRange));
        assert_eq!(check(-1e20), Err(Unrepresentable::OutOfRange));
        assert_eq!(check(1e308), Err(Unrepresentable::OutOfRange));
        assert_eq!(check(f64::INFINITY), Err(Unrepresentable::OutOfRange));
        assert_eq!(check(f64::NAN), Err(Unrepresentable::OutOfRange));
    }
}
