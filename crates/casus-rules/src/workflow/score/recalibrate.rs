//! Recalibration, offered and never applied: one parameter, linear in log-odds.
//!
//! A forecast `p` over outcomes is recalibrated to `p'_k = p_k^a / Σ_j p_j^a`: every log-odds
//! `ln(p_k / p_j)` is multiplied by `a`. `a > 1` sharpens the forecasts (the cure for
//! underconfidence), `a < 1` flattens them (for overconfidence), `a = 1` leaves them as they
//! are. For a two-outcome forecast this is `logit p' = a · logit p`. `a` is fitted by maximum
//! likelihood on the resolved forecasts whose outcome was one of the scenario's (a "none of
//! these" resolution gives no likelihood to fit).

/// The floor put under probabilities before the fit takes logarithms, so that an outcome
/// forecast at 0 keeps a finite (very low) log-odds; the recalibrated forecast is renormalised.
pub const FLOOR: f64 = 1e-6;

/// The range `a` is searched in.
const RANGE: (f64, f64) = (1e-3, 1e3);

/// A forecast to fit or recalibrate: probabilities and the outcome that happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// One probability per outcome.
    pub probabilities: Vec<f64>,
    /// The outcome that happened.
    pub happened: usize,
}

/// `probabilities` recalibrated with parameter `a`.
pub fn apply(probabilities: &[f64], a: f64) -> Vec<f64> {
    let logs: Vec<f64> = probabilities.iter().map(|p| p.max(FLOOR).ln()).collect();
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = logs.iter().map(|l| (a * (l - top)).exp()).collect();
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

/// The derivative in `a` of the log-likelihood `Σ_i ln p'_i(happened)`: for each forecast,
/// `ln p_r − Σ_k p'_k ln p_k`. The log-likelihood is concave in `a` (its second derivative is
/// minus a sum of variances), so the derivative falls as `a` grows.
fn slope(forecasts: &[Resolved], a: f64) -> f64 {
    forecasts
        .iter()
        .map(|f| {
            let recalibrated = apply(&f.probabilities, a);
            let expected: f64 = recalibrated
                .iter()
                .zip(&f.probabilities)
                .map(|(q, p)| q * p.max(FLOOR).ln())
                .sum();
            f.probabilities
                .get(f.happened)
                .map_or(0.0, |p| p.max(FLOOR).ln())
                - expected
        })
        .sum()
}

/// The maximum-likelihood `a`, found by bisection on the derivative over `ln a` in
/// [0.001, 1000] (the ends when the optimum lies beyond them, as when every forecast put its
/// highest probability on what happened); `None` without forecasts.
pub fn fit(forecasts: &[Resolved]) -> Option<f64> {
    if forecasts.is_empty() {
        return None;
    }
    let (mut lo, mut hi) = (RANGE.0.ln(), RANGE.1.ln());
    if slope(forecasts, lo.exp()) <= 0.0 {
        return Some(RANGE.0);
    }
    if slope(forecasts, hi.exp()) >= 0.0 {
        return Some(RANGE.1);
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if slope(forecasts, mid.exp()) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((0.5 * (lo + hi)).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_of_one_changes_nothing_and_two_squares_the_odds() {
        let p = [0.2, 0.8];
        let same = apply(&p, 1.0);
        assert!((same[0] - 0.2).abs() < 1e-15);
        // odds 4:1 become 16:1
        let sharper = apply(&p, 2.0);
        assert!((sharper[1] - 16.0 / 17.0).abs() < 1e-15);
    }

    #[test]
    fn the_fit_matches_a_grid_search_of_the_likelihood() {
        // Underconfident: 0.6 said, 80 % happened; the likelihood is maximal where
        // 0.6^a / (0.6^a + 0.4^a) = 0.8, that is a = ln 4 / ln 1.5.
        let mut forecasts = Vec::new();
        for i in 0..10 {
            forecasts.push(Resolved {
                probabilities: vec![0.6, 0.4],
                happened: usize::from(i >= 8),
            });
        }
        let a = fit(&forecasts).unwrap();
        let expected = 4f64.ln() / 1.5f64.ln();
        assert!((a - expected).abs() < 1e-9, "{a} against {expected}");
        assert!(a > 1.0, "underconfidence is cured by sharpening");
    }
}
