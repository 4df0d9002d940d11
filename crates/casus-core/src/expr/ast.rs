//! The syntax tree of an expression. Every node carries the span it was parsed from, in the
//! coordinates of the scenario file (not of the TOML string it came from).

use crate::span::Span;

/// An expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it stands in the file.
    pub span: Span,
}

/// The kinds of expression node.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `true` or `false`.
    Bool(bool),
    /// A number literal such as `90` or `0.5`.
    Number(f64),
    /// A quoted symbol such as `'refuse'` or `"refuse"`; holds the text without quotes.
    Symbol(String),
    /// A fact or decision name.
    Name(String),
    /// `not x` or `-x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `x in [a, b, …]`; the list span covers the brackets.
    In(Box<Expr>, Vec<Expr>),
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Infix operators, from loosest to tightest binding: `or`; `and`; comparisons;
/// `+ -`; `* /`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// Whether the operator compares two values and yields a bool.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

impl Expr {
    /// Calls `f` on every name the expression reads, with its span.
    pub fn for_each_name(&self, f: &mut impl FnMut(&str, Span)) {
        match &self.kind {
            ExprKind::Name(name) => f(name, self.span),
            ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Symbol(_) => {}
            ExprKind::Unary(_, operand) => operand.for_each_name(f),
            ExprKind::Binary(_, lhs, rhs) => {
                lhs.for_each_name(f);
                rhs.for_each_name(f);
            }
            ExprKind::In(lhs, items) => {
                lhs.for_each_name(f);
                for item in items {
                    item.for_each_name(f);
                }
            }
        }
    }
}
