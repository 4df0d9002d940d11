//! The scoring formulas against naive references, by proptest: the Murphy decomposition's
//! identity on binned forecasts, the decomposition against a category-by-category sum, the
//! calibration curve against a bin-by-bin count, and the recalibration fit against a grid
//! search of the likelihood.

use casus_rules::workflow::score::metrics::{
    Event, binary_brier, calibration_curve, decompose, tenth,
};
use casus_rules::workflow::score::recalibrate::{Resolved, apply, fit};
use proptest::prelude::*;

fn events() -> impl Strategy<Value = Vec<Event>> {
    // Probabilities anywhere in [0, 1], and on the grid of hundredths analysts write.
    let p = prop_oneof![
        0.0..=1.0f64,
        (0u32..=100).prop_map(|k| f64::from(k) / 100.0)
    ];
    prop::collection::vec((p, any::<bool>()), 1..300).prop_map(|v| {
        v.into_iter()
            .map(|(p, happened)| Event { p, happened })
            .collect()
    })
}

proptest! {
    /// Brier(binned) = reliability − resolution + uncertainty, to 1e-12, where binning rounds
    /// each probability to the nearest tenth.
    #[test]
    fn the_murphy_identity_holds_on_binned_forecasts(events in events()) {
        let d = decompose(&events).unwrap();
        prop_assert!((d.binned_brier - (d.reliability - d.resolution + d.uncertainty)).abs() < 1e-12);
        // The binned Brier score is the Brier score of the rounded forecasts.
        let rounded: Vec<Event> = events
            .iter()
            .map(|e| Event { p: tenth(e.p) as f64 / 10.0, happened: e.happened })
            .collect();
        prop_assert!((d.binned_brier - binary_brier(&rounded).unwrap()).abs() < 1e-12);
        prop_assert!(d.reliability >= 0.0 && d.resolution >= 0.0);
        prop_assert!(d.resolution <= d.uncertainty + 1e-12);
    }

    /// The decomposition's terms against a naive sum over the eleven categories.
    #[test]
    fn the_decomposition_matches_a_naive_sum(events in events()) {
        let d = decompose(&events).unwrap();
        let n = events.len() as f64;
        let o = |e: &Event| if e.happened { 1.0 } else { 0.0 };
        let base = events.iter().map(o).sum::<f64>() / n;
        let (mut ci, mut di) = (0.0, 0.0);
        for j in 0..=10 {
            let f = j as f64 / 10.0;
            let bin: Vec<&Event> = events.iter().filter(|e| (e.p * 10.0).round() as usize == j).collect();
            if bin.is_empty() {
                continue;
            }
            let c = bin.iter().map(|e| o(e)).sum::<f64>() / bin.len() as f64;
            ci += bin.len() as f64 * (f - c) * (f - c);
            di += bin.len() as f64 * (c - base) * (c - base);
        }
        prop_assert!((d.reliability - ci / n).abs() < 1e-12);
        prop_assert!((d.resolution - di / n).abs() < 1e-12);
        prop_assert!((d.uncertainty - base * (1.0 - base)).abs() < 1e-12);
    }

    /// Every event lands in one bin, and each bin's share and mean are its own events'.
    #[test]
    fn the_calibration_curve_counts_every_event_once(events in events()) {
        let curve = calibration_curve(&events);
        prop_assert_eq!(curve.iter().map(|b| b.count).sum::<usize>(), events.len());
        for b in &curve {
            let inside: Vec<&Event> = events
                .iter()
                .filter(|e| {
                    let edge_low = (b.lower * 10.0).round() as usize;
                    // scikit-learn's bins: [0, 0.1], (0.1, 0.2], …, the edges k × 0.1.
                    let low = edge_low as f64 * 0.1;
                    let high = (edge_low + 1) as f64 * 0.1;
                    (edge_low == 0 || e.p > low) && (edge_low == 9 || e.p <= high)
                })
                .collect();
            prop_assert_eq!(inside.len(), b.count);
            let share = inside.iter().filter(|e| e.happened).count() as f64 / b.count as f64;
            prop_assert!((b.observed - share).abs() < 1e-12);
            prop_assert!(b.low <= b.observed + 1e-12 && b.observed <= b.high + 1e-12);
        }
    }

    /// The fitted parameter is where the log-likelihood peaks: no point of a fine grid of
    /// ln a does better.
    #[test]
    fn the_fit_maximises_the_likelihood(
        forecasts in prop::collection::vec(
            (prop::collection::vec(0.01..1.0f64, 2..5), any::<prop::sample::Index>()),
            2..40,
        )
    ) {
        let forecasts: Vec<Resolved> = forecasts
            .into_iter()
            .map(|(raw, pick)| {
                let total: f64 = raw.iter().sum();
                let happened = pick.index(raw.len());
                Resolved { probabilities: raw.iter().map(|p| p / total).collect(), happened }
            })
            .collect();
        let likelihood = |a: f64| -> f64 {
            forecasts.iter().map(|f| apply(&f.probabilities, a)[f.happened].ln()).sum()
        };
        let a = fit(&forecasts).unwrap();
        let best = likelihood(a);
        for step in -690..=690 {
            let b = (f64::from(step) / 100.0).exp();
            prop_assert!(likelihood(b) <= best + 1e-9, "a = {a}: {best}, but a = {b}: {}", likelihood(b));
        }
    }
}
