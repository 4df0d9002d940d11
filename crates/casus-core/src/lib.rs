//! The scenario model of casus: loading TOML with spans, the expression language, the type
//! checker and the diagnostics they report.
//!
//! Core knows nothing of evaluation. Loading and checking never stop at the first problem:
//! they return what they could build together with every diagnostic, so an analyst sees all
//! mistakes of a file in one run.

pub mod check;
pub mod codes;
pub mod diagnostic;
pub mod efg;
pub mod expr;
pub mod fixed;
pub mod format;
pub mod layout;
pub mod likelihood;
pub mod limits;
pub mod load;
pub mod model;
pub mod names;
pub mod resolution;
pub mod source;
pub mod span;
pub mod toml_str;

pub use codes::Code;
pub use diagnostic::{Diagnostic, Label, Severity};
pub use source::{LineCol, SourceFile};
pub use span::{Span, Spanned};
