//! The numbers of a track record, each a pure function of binary or multi-outcome forecasts.
//!
//! A scenario's forecast gives a probability to each of its outcomes; once resolved, exactly
//! one of them happened (or none did). Each (forecast, outcome) pair is also a *binary event*:
//! a probability `p` and whether the outcome happened (`o` = 1) or not (`o` = 0). The
//! multi-outcome scores read whole forecasts; calibration, the decompositions and
//! over/underconfidence read binary events, as Murphy (1973) and Mandel & Barnes (2014) do.

use serde::Serialize;

/// A binary event: the probability given and whether it happened.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// The probability the forecast gave the outcome.
    pub p: f64,
    /// Whether the outcome happened.
    pub happened: bool,
}

impl Event {
    fn o(self) -> f64 {
        if self.happened { 1.0 } else { 0.0 }
    }
}

/// The smallest probability the log score takes, so that an outcome forecast at 0 that
/// happens costs a large finite penalty (−ln ε ≈ 36) instead of infinity; scikit-learn's
/// `log_loss` clips at the same ε.
pub const LOG_FLOOR: f64 = f64::EPSILON;

/// The Brier score of one multi-outcome forecast: `Σ_k (p_k − o_k)²`, from 0 (all probability
/// on what happened) to 2 (all on one outcome that did not). `happened` is `None` when none of
/// the outcomes did; every `o_k` is then 0.
pub fn brier(probabilities: &[f64], happened: Option<usize>) -> f64 {
    probabilities
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let o = if happened == Some(k) { 1.0 } else { 0.0 };
            (p - o) * (p - o)
        })
        .sum()
}

/// The log score of one forecast: `−ln p` of the outcome that happened (lower is better), with
/// `p` floored at [`LOG_FLOOR`]; `None` when none of the outcomes happened, since no
/// probability was given to that.
pub fn log_score(probabilities: &[f64], happened: Option<usize>) -> Option<f64> {
    let p = *probabilities.get(happened?)?;
    Some(-p.max(LOG_FLOOR).ln())
}

/// The mean of `values`; `None` when there are none.
pub fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        sum += v;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

/// The binary Brier score: the mean of `(p − o)²` over the events.
pub fn binary_brier(events: &[Event]) -> Option<f64> {
    mean(events.iter().map(|e| (e.p - e.o()) * (e.p - e.o())))
}

/// The category of a probability on Mandel & Barnes' scale of elevenths: `p` rounded to the
/// nearest tenth (halves up), 0 to 10.
pub fn tenth(p: f64) -> usize {
    let k = (p.clamp(0.0, 1.0) * 10.0 + 0.5).floor();
    // INVARIANT: k is in 0..=10 since p is clamped to [0, 1].
    k as usize
}

/// The Murphy (1973) decomposition of the Brier score of binned forecasts, in Mandel &
/// Barnes's (2014) names.
///
/// Binning: each forecast is replaced by its category's value, `p` rounded to the nearest
/// tenth ([`tenth`]), so forecasts fall in 11 categories `f_j = j/10`. With `n_j` events and
/// `c_j` the share that happened in category `j`, `c̄` the share overall and `N` the events:
///
/// - reliability = calibration index `CI = (1/N) Σ_j n_j (f_j − c_j)²` (0 is perfect);
/// - resolution = discrimination index `DI = (1/N) Σ_j n_j (c_j − c̄)²` (higher is better);
/// - uncertainty = outcome variance `VI = c̄ (1 − c̄)`, which no forecaster controls;
///
/// and `Brier(binned) = CI − DI + VI` exactly (up to rounding of floating point).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Decomposition {
    /// The Brier score of the binned forecasts.
    pub binned_brier: f64,
    /// Reliability, Mandel & Barnes's calibration index (CI).
    pub reliability: f64,
    /// Resolution, Mandel & Barnes's discrimination index (DI).
    pub resolution: f64,
    /// Uncertainty, the outcome index variance (VI).
    pub uncertainty: f64,
    /// The share of events that happened, `c̄`.
    pub base_rate: f64,
    /// `DI / VI` (η²), the share of the outcome variance the forecasts discriminate; `None`
    /// when every event went the same way (VI = 0).
    pub normalised_discrimination: Option<f64>,
}

/// The decomposition of `events` binned by [`tenth`]; `None` without events.
pub fn decompose(events: &[Event]) -> Option<Decomposition> {
    let n = events.len();
    if n == 0 {
        return None;
    }
    let mut count = [0usize; 11];
    let mut hits = [0usize; 11];
    let mut binned_brier = 0.0;
    for e in events {
        let j = tenth(e.p);
        count[j] += 1;
        hits[j] += usize::from(e.happened);
        let f = j as f64 / 10.0;
        binned_brier += (f - e.o()) * (f - e.o());
    }
    let total = n as f64;
    let base_rate = hits.iter().sum::<usize>() as f64 / total;
    let (mut reliability, mut resolution) = (0.0, 0.0);
    for j in 0..11 {
        if count[j] == 0 {
            continue;
        }
        let nj = count[j] as f64;
        let c = hits[j] as f64 / nj;
        let f = j as f64 / 10.0;
        reliability += nj * (f - c) * (f - c);
        resolution += nj * (c - base_rate) * (c - base_rate);
    }
    let uncertainty = base_rate * (1.0 - base_rate);
    let resolution = resolution / total;
    Some(Decomposition {
        binned_brier: binned_brier / total,
        reliability: reliability / total,
        resolution,
        uncertainty,
        base_rate,
        normalised_discrimination: (uncertainty > 0.0).then(|| resolution / uncertainty),
    })
}

/// Over/underconfidence: the mean confidence minus the share correct, over the events folded
/// to the half above ½ (Lichtenstein, Fischhoff & Phillips 1982, as Mandel & Barnes report
/// it). An event forecast at `p > ½` has confidence `p` and is correct if it happened; one at
/// `p < ½` has confidence `1 − p` and is correct if it did not; events at exactly ½ say
/// nothing either way and are left out. Positive is overconfident, negative underconfident;
/// `None` when every event is at ½.
pub fn overconfidence(events: &[Event]) -> Option<f64> {
    let folded: Vec<(f64, f64)> = events
        .iter()
        .filter(|e| e.p != 0.5)
        .map(|e| {
            if e.p > 0.5 {
                (e.p, e.o())
            } else {
                (1.0 - e.p, 1.0 - e.o())
            }
        })
        .collect();
    let confidence = mean(folded.iter().map(|f| f.0))?;
    let correct = mean(folded.iter().map(|f| f.1))?;
    Some(confidence - correct)
}

/// One bin of the calibration curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Bin {
    /// The bin's lower edge.
    pub lower: f64,
    /// The bin's upper edge.
    pub upper: f64,
    /// How many events fall in it.
    pub count: usize,
    /// Their mean forecast.
    pub mean_forecast: f64,
    /// The share of them that happened.
    pub observed: f64,
    /// The Wilson score interval's lower end, 95 %.
    pub low: f64,
    /// The Wilson score interval's upper end, 95 %.
    pub high: f64,
}

/// How many equal bins the calibration curve has.
pub const CURVE_BINS: usize = 10;

/// The bin of `p` on the calibration curve: bins `[0, 0.1], (0.1, 0.2], …, (0.9, 1]`, with the
/// inner edges computed as `k × 0.1` in floating point, exactly as scikit-learn's
/// `calibration_curve(strategy="uniform", n_bins=10)` computes them.
pub fn curve_bin(p: f64) -> usize {
    (1..CURVE_BINS)
        .filter(|&k| k as f64 * (1.0 / CURVE_BINS as f64) < p)
        .count()
}

/// The calibration curve: for each non-empty bin ([`curve_bin`]), the count, the mean
/// forecast, the share that happened and its 95 % Wilson interval.
pub fn calibration_curve(events: &[Event]) -> Vec<Bin> {
    let mut sums = [(0usize, 0.0f64, 0usize); CURVE_BINS];
    for e in events {
        let b = curve_bin(e.p);
        sums[b].0 += 1;
        sums[b].1 += e.p;
        sums[b].2 += usize::from(e.happened);
    }
    sums.iter()
        .enumerate()
        .filter(|(_, s)| s.0 > 0)
        .map(|(b, &(count, sum, hits))| {
            let (low, high) = wilson(hits, count);
            Bin {
                lower: b as f64 / CURVE_BINS as f64,
                upper: (b + 1) as f64 / CURVE_BINS as f64,
                count,
                mean_forecast: sum / count as f64,
                observed: hits as f64 / count as f64,
                low,
                high,
            }
        })
        .collect()
}

/// The two-sided 95 % normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval, 95 %, for `hits` of `n` (Wilson 1927): it stays inside [0, 1]
/// and keeps its coverage for small bins and shares near 0 or 1, where the normal
/// approximation does not.
pub fn wilson(hits: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let share = hits as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (share + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (share * (1.0 - share) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(list: &[(f64, bool)]) -> Vec<Event> {
        list.iter()
            .map(|&(p, happened)| Event { p, happened })
            .collect()
    }

    #[test]
    fn brier_and_log_by_hand() {
        // (0.7 − 1)² + 0.2² + 0.1² = 0.09 + 0.04 + 0.01
        assert!((brier(&[0.7, 0.2, 0.1], Some(0)) - 0.14).abs() < 1e-15);
        // none happened: 0.49 + 0.04 + 0.01
        assert!((brier(&[0.7, 0.2, 0.1], None) - 0.54).abs() < 1e-15);
        assert!(
            (log_score(&[0.7, 0.2, 0.1], Some(1)).unwrap() - 1.609_437_912_434_100_3).abs() < 1e-12
        );
        assert_eq!(log_score(&[1.0, 0.0], None), None);
        assert!((log_score(&[1.0, 0.0], Some(1)).unwrap() - 36.043_653_389_117_15).abs() < 1e-9);
    }

    #[test]
    fn decomposition_by_hand() {
        // Category 0.2: 0.18 and 0.22, one of two happened (c = 0.5); category 0.8: 0.8 twice,
        // both happened (c = 1). c̄ = 0.75.
        let e = events(&[(0.18, true), (0.22, false), (0.8, true), (0.8, true)]);
        let d = decompose(&e).unwrap();
        // CI = (2 × 0.3² + 2 × 0.2²) / 4 = 0.065; DI = (2 × 0.25² + 2 × 0.25²) / 4 = 0.0625
        assert!((d.reliability - 0.065).abs() < 1e-15);
        assert!((d.resolution - 0.0625).abs() < 1e-15);
        assert!((d.uncertainty - 0.1875).abs() < 1e-15);
        // binned: (0.2−1)² + 0.2² + 2 × 0.2² = 0.64 + 0.04 + 0.08 = 0.76, / 4
        assert!((d.binned_brier - 0.19).abs() < 1e-15);
    }

    #[test]
    fn overconfidence_by_hand() {
        // folded confidences 0.9, 0.9, 0.6: mean 0.8; correct: yes, no, yes: 2/3
        let e = events(&[(0.9, true), (0.1, true), (0.4, false), (0.5, true)]);
        assert!((overconfidence(&e).unwrap() - (0.8 - 2.0 / 3.0)).abs() < 1e-15);
        assert_eq!(overconfidence(&events(&[(0.5, true)])), None);
    }

    #[test]
    fn curve_bins_follow_scikit_learn_edges() {
        assert_eq!(curve_bin(0.0), 0);
        assert_eq!(curve_bin(0.1), 0);
        assert_eq!(curve_bin(0.100_000_000_000_000_1), 1);
        // 3 × 0.1 is 0.30000000000000004 in floating point, so 0.3 is in the bin below.
        assert_eq!(curve_bin(0.3), 2);
        assert_eq!(curve_bin(1.0), 9);
    }

    #[test]
    fn wilson_by_hand() {
        // 3 of 10, as SciPy's `binomtest(3, 10).proportion_ci(method="wilson")` gives it.
        let (lo, hi) = wilson(3, 10);
        assert!((lo - 0.107_791_267_406_301_02).abs() < 1e-12, "{lo}");
        assert!((hi - 0.603_221_852_538_854_6).abs() < 1e-12, "{hi}");
        assert_eq!(wilson(0, 4).0, 0.0);
    }
}
