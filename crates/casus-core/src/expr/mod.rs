//! The expression language of `when` conditions: lexer, Pratt parser and syntax tree.
//!
//! Expressions live inside TOML strings, so the parser works on the decoded string and maps
//! every token back to the file through a [`StrMap`](crate::toml_str::StrMap); a diagnostic
//! then underlines the exact characters, even behind TOML escapes.

mod ast;
mod lexer;
mod parser;

pub use ast::{BinaryOp, Expr, ExprKind, UnaryOp};
pub use parser::{ExprLimits, parse_expr};
