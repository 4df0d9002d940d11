//! Likelihoods: numbers, percentages, ranges and the estimative words of ICD 203.
//!
//! Every form becomes a band `[lo, hi]` plus a point estimate. The point estimate feeds the
//! forecast; the band feeds sensitivity analysis, so an analyst's "likely" is never silently
//! treated as more precise than it is.

use serde::Serialize;

use crate::span::Span;

/// One of ICD 203's two parallel rows of estimative words.
///
/// ICD 203 asks analysts not to mix the rows in one product, so casus remembers which row a
/// word came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vocabulary {
    /// almost no chance, very unlikely, unlikely, roughly even chance, likely, …
    Likelihood,
    /// remote, highly improbable, improbable, roughly even odds, probable, …
    Probability,
}

/// An estimative word with its band.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EstimativeWord {
    /// The word as ICD 203 writes it.
    pub word: &'static str,
    /// Which row of ICD 203 it belongs to.
    pub vocabulary: Vocabulary,
    /// Lower end of the band, as a probability.
    pub lo: f64,
    /// Upper end of the band, as a probability.
    pub hi: f64,
}

const fn word(word: &'static str, vocabulary: Vocabulary, lo: f64, hi: f64) -> EstimativeWord {
    EstimativeWord {
        word,
        vocabulary,
        lo,
        hi,
    }
}

/// The fourteen words of ICD 203, in order of band, likelihood row first within a band.
pub const ICD_203: [EstimativeWord; 14] = [
    word("almost no chance", Vocabulary::Likelihood, 0.01, 0.05),
    word("remote", Vocabulary::Probability, 0.01, 0.05),
    word("very unlikely", Vocabulary::Likelihood, 0.05, 0.20),
    word("highly improbable", Vocabulary::Probability, 0.05, 0.20),
    word("unlikely", Vocabulary::Likelihood, 0.20, 0.45),
    word("improbable", Vocabulary::Probability, 0.20, 0.45),
    word("roughly even chance", Vocabulary::Likelihood, 0.45, 0.55),
    word("roughly even odds", Vocabulary::Probability, 0.45, 0.55),
    word("likely", Vocabulary::Likelihood, 0.55, 0.80),
    word("probable", Vocabulary::Probability, 0.55, 0.80),
    word("very likely", Vocabulary::Likelihood, 0.80, 0.95),
    word("highly probable", Vocabulary::Probability, 0.80, 0.95),
    word("almost certain", Vocabulary::Likelihood, 0.95, 0.99),
    word("nearly certain", Vocabulary::Probability, 0.95, 0.99),
];

/// Common ways analysts write the same words, mapped to ICD 203's own.
const SYNONYMS: [(&str, &str); 12] = [
    ("almost certainly", "almost certain"),
    ("nearly certainly", "nearly certain"),
    ("highly likely", "very likely"),
    ("highly unlikely", "very unlikely"),
    ("very probable", "highly probable"),
    ("very improbable", "highly improbable"),
    ("even chance", "roughly even chance"),
    ("even odds", "roughly even odds"),
    ("about even", "roughly even chance"),
    ("toss-up", "roughly even chance"),
    ("probably", "likely"),
    ("probably not", "unlikely"),
];

/// Finds the estimative word an analyst wrote, ignoring case, extra spaces and hyphens between
/// words ("Very-Likely" is "very likely").
pub fn lookup_word(text: &str) -> Option<&'static EstimativeWord> {
    let normalised = normalise(text);
    let canonical = SYNONYMS
        .iter()
        .find(|(synonym, _)| normalise(synonym) == normalised)
        .map_or(normalised.as_str(), |(_, canonical)| canonical);
    ICD_203.iter().find(|w| w.word == canonical)
}

fn normalise(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|part| !part.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The estimative word whose band holds `p`, from the likelihood row; used to put a forecast
/// into words. Probabilities outside every band (below 1 % or above 99 %) get the nearest end.
pub fn word_for(p: f64) -> &'static EstimativeWord {
    let likelihood_row = ICD_203
        .iter()
        .filter(|w| w.vocabulary == Vocabulary::Likelihood);
    let mut chosen = &ICD_203[0];
    for w in likelihood_row {
        if p >= w.lo {
            chosen = w;
        }
    }
    chosen
}

/// How a likelihood was written; kept so reports can quote the analyst's own words.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "form", content = "word")]
pub enum Form {
    /// A plain number such as `0.25`.
    Number,
    /// A percentage string such as `"45%"`.
    Percent,
    /// A range `[lo, hi]`.
    Range,
    /// An ICD 203 word.
    Word(&'static str),
}

/// A likelihood as written, read into a band and a point estimate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Likelihood {
    /// Lower end of the band.
    pub lo: f64,
    /// Upper end of the band.
    pub hi: f64,
    /// The point estimate before normalisation: the number, or the middle of the band.
    pub point: f64,
    /// How it was written.
    #[serde(flatten)]
    pub form: Form,
    /// Where it was written.
    #[serde(skip)]
    pub span: Span,
}

impl Likelihood {
    /// An exact probability, written as a number or percentage.
    pub fn exact(p: f64, form: Form, span: Span) -> Self {
        Self {
            lo: p,
            hi: p,
            point: p,
            form,
            span,
        }
    }

    /// A band whose point estimate is its middle.
    pub fn band(lo: f64, hi: f64, form: Form, span: Span) -> Self {
        Self {
            lo,
            hi,
            point: (lo + hi) / 2.0,
            form,
            span,
        }
    }

    /// Whether the band has no width.
    pub fn is_exact(&self) -> bool {
        self.lo == self.hi
    }

    /// The ICD 203 word it was written as, if any.
    pub fn word(&self) -> Option<&'static EstimativeWord> {
        match self.form {
            Form::Word(w) => lookup_word(w),
            _ => None,
        }
    }
}

/// Reads `"35%"` (also `"35 %"` and `"35.5%"`) as a probability.
pub fn parse_percent(text: &str) -> Option<f64> {
    let number = text.trim().strip_suffix('%')?.trim_end();
    let value: f64 = number.parse().ok()?;
    (value.is_finite() && (0.0..=100.0).contains(&value)).then_some(value / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_in_either_vocabulary_and_spelling() {
        assert_eq!(lookup_word("likely").map(|w| w.lo), Some(0.55));
        assert_eq!(
            lookup_word("Very-Likely").map(|w| w.word),
            Some("very likely")
        );
        assert_eq!(
            lookup_word("  roughly   even odds ").map(|w| w.vocabulary),
            Some(Vocabulary::Probability)
        );
        assert_eq!(
            lookup_word("toss-up").map(|w| w.word),
            Some("roughly even chance")
        );
        assert_eq!(lookup_word("maybe"), None);
    }

    #[test]
    fn forecasts_get_the_word_whose_band_holds_them() {
        assert_eq!(word_for(0.6).word, "likely");
        assert_eq!(word_for(0.5).word, "roughly even chance");
        assert_eq!(word_for(0.001).word, "almost no chance");
        assert_eq!(word_for(1.0).word, "almost certain");
    }

    #[test]
    fn percentages_must_be_within_zero_and_a_hundred() {
        assert_eq!(parse_percent("45%"), Some(0.45));
        assert_eq!(parse_percent("12.5 %"), Some(0.125));
        assert_eq!(parse_percent("145%"), None);
        assert_eq!(parse_percent("NaN%"), None);
        assert_eq!(parse_percent("45"), None);
    }
}
