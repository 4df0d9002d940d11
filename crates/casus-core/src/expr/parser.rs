//! A Pratt parser for `when` conditions.
//!
//! Operator chains such as `a and b and c` are built in a loop, not by recursion; recursion
//! happens only for parentheses, prefix operators, lists and right operands, and every level
//! is counted before descending, so hostile input gets a diagnostic instead of a stack
//! overflow. The height of the tree is bounded by the same limit, so whoever walks it
//! recursively (type checker, evaluator, `Drop`) is safe too.

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::lexer::{Token, TokenKind, tokenize};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::toml_str::StrMap;

/// Bounds on what one expression may cost, so a hostile or generated scenario cannot exhaust
/// the stack or memory of whoever checks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExprLimits {
    /// Deepest allowed nesting: parentheses, `not` and `-` chains, and operator chains (each
    /// operator adds a level to the tree). Keep it modest: the parser recurses once per level.
    pub max_depth: usize,
    /// Longest allowed expression, in bytes of the decoded string.
    pub max_len: usize,
}

impl Default for ExprLimits {
    /// Far above any hand-written condition, far below what could hurt the stack.
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_len: 10_000,
        }
    }
}

/// Parses one expression; every span in the result (and in the error) is a file span obtained
/// through `map`, so diagnostics point into the TOML file.
///
/// Returns the first syntax error only: after one mistake the rest of a short condition
/// rarely parses meaningfully, and a single precise message serves analysts better.
pub fn parse_expr(text: &str, map: &StrMap, limits: ExprLimits) -> Result<Expr, Diagnostic> {
    if text.len() > limits.max_len {
        return Err(Diagnostic::new(
            Code::LimitExceeded,
            format!(
                "the expression is {} bytes long, more than the limit of {}",
                text.len(),
                limits.max_len
            ),
        )
        .primary(map.span(0, text.len()), "this expression")
        .help(
            "split the condition into derived facts set by separate rules, or raise the limit \
             with `--max-expr-length`",
        ));
    }
    if text.trim().is_empty() {
        return Err(syntax("the expression is empty")
            .primary(map.span(0, text.len()), "empty expression")
            .help("write a condition such as `russia_answer == 'refuse'`"));
    }
    let mut parser = Parser {
        text,
        map,
        tokens: tokenize(text, map),
        pos: 0,
        limits,
    };
    let parsed = parser.parse_bp(0, 0, None).and_then(|node| {
        let next = parser.peek()?;
        match next.kind {
            TokenKind::Eof => Ok(node.expr),
            _ => Err(parser.trailing(&next)),
        }
    });
    parsed.map_err(|diagnostic| *diagnostic)
}

/// Binding powers: an infix operator binds its left operand if its left power is at least the
/// caller's minimum; a right power one above the left makes it left-associative.
const OR: (u8, u8) = (1, 2);
const AND: (u8, u8) = (3, 4);
/// `not` takes a whole comparison: `not a == b` is `not (a == b)`.
const NOT: u8 = 5;
/// Comparisons and `in` are non-associative; a second one in a row is reported.
const COMPARE: (u8, u8) = (7, 8);
const ADD: (u8, u8) = (9, 10);
const MUL: (u8, u8) = (11, 12);
const NEG: u8 = 13;

/// A parsed node with its decoded range (parentheses included, so enclosing spans are whole)
/// and its height (operator levels above the leaves).
struct Node {
    expr: Expr,
    start: usize,
    end: usize,
    height: usize,
}

/// What an infix token does.
#[derive(Clone, Copy)]
enum Infix {
    Binary(BinaryOp, (u8, u8)),
    In,
}

fn infix(kind: &TokenKind<'_>) -> Option<Infix> {
    let op = match kind {
        TokenKind::Or => (BinaryOp::Or, OR),
        TokenKind::And => (BinaryOp::And, AND),
        TokenKind::EqEq => (BinaryOp::Eq, COMPARE),
        TokenKind::Ne => (BinaryOp::Ne, COMPARE),
        TokenKind::Lt => (BinaryOp::Lt, COMPARE),
        TokenKind::Le => (BinaryOp::Le, COMPARE),
        TokenKind::Gt => (BinaryOp::Gt, COMPARE),
        TokenKind::Ge => (BinaryOp::Ge, COMPARE),
        TokenKind::Plus => (BinaryOp::Add, ADD),
        TokenKind::Minus => (BinaryOp::Sub, ADD),
        TokenKind::Star => (BinaryOp::Mul, MUL),
        TokenKind::Slash => (BinaryOp::Div, MUL),
        TokenKind::In => return Some(Infix::In),
        _ => return None,
    };
    Some(Infix::Binary(op.0, op.1))
}

impl Infix {
    fn left_power(self) -> u8 {
        match self {
            Infix::Binary(_, (left, _)) => left,
            Infix::In => COMPARE.0,
        }
    }

    fn is_comparison(self) -> bool {
        match self {
            Infix::Binary(op, _) => op.is_comparison(),
            Infix::In => true,
        }
    }
}

/// Errors inside the parser are boxed: the recursive functions then carry a small `Result`,
/// which keeps their stack frames small in debug builds.
type Parsed<T> = Result<T, Box<Diagnostic>>;

struct Parser<'a, 'm> {
    text: &'a str,
    map: &'m StrMap,
    /// Ends with exactly one `Eof` or `Error` token.
    tokens: Vec<Token<'a>>,
    pos: usize,
    limits: ExprLimits,
}

impl<'a> Parser<'a, '_> {
    /// The current token; a lexer error surfaces here, once the parser has reached it.
    fn peek(&self) -> Parsed<Token<'a>> {
        let token = self
            .tokens
            .get(self.pos)
            .or(self.tokens.last())
            .cloned()
            .unwrap_or(Token {
                kind: TokenKind::Eof,
                start: self.text.len(),
                end: self.text.len(),
            });
        match token.kind {
            TokenKind::Error(diagnostic) => Err(diagnostic),
            _ => Ok(token),
        }
    }

    /// The token after the current one, if it lexed.
    fn peek_second(&self) -> Option<&TokenKind<'a>> {
        self.tokens.get(self.pos + 1).map(|t| &t.kind)
    }

    /// The token at `index`, which the parser has already seen.
    fn token_at(&self, index: usize) -> Token<'a> {
        self.tokens.get(index).cloned().unwrap_or(Token {
            kind: TokenKind::Eof,
            start: self.text.len(),
            end: self.text.len(),
        })
    }

    fn advance(&mut self) {
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
    }

    /// The depth one level below `depth`, checked before descending into it.
    fn deeper(&self, depth: usize, at: &Token<'_>) -> Parsed<usize> {
        let depth = depth + 1;
        if depth > self.limits.max_depth {
            return Err(self.too_deep(
                at,
                "remove redundant parentheses, `not`s or `-`s, or split the condition into \
                 derived facts set by separate rules",
            ));
        }
        Ok(depth)
    }

    /// Builds a node over `start..end`, refusing trees taller than the depth limit.
    fn node(
        &self,
        kind: ExprKind,
        (start, end): (usize, usize),
        height: usize,
        at: &Token<'_>,
    ) -> Parsed<Node> {
        if height > self.limits.max_depth {
            return Err(self.too_deep(
                at,
                "each operator in a chain counts as a level; use `x in [...]` for many \
                 alternatives, or split the condition into derived facts set by separate rules",
            ));
        }
        Ok(Node {
            expr: Expr {
                kind,
                span: self.map.span(start, end),
            },
            start,
            end,
            height,
        })
    }

    /// An expression whose infix operators all bind at least `min_bp`. `after` is the token
    /// just before it (for "expected an expression after …").
    fn parse_bp(&mut self, min_bp: u8, depth: usize, after: Option<&Token<'a>>) -> Parsed<Node> {
        let mut lhs = self.parse_prefix(min_bp, depth, after)?;
        // The comparison built at this level (its operator's token index and where its right
        // operand starts), to reject a second one.
        let mut comparison: Option<(usize, usize)> = None;
        while let Some((op, at)) = self.infix_ahead(&lhs, comparison, min_bp, depth)? {
            let (node, middle) = self.parse_infix(lhs, op, at, depth)?;
            if op.is_comparison() {
                comparison = Some((at, middle));
            }
            lhs = node;
        }
        Ok(lhs)
    }

    /// Consumes the next token if it is an infix operator that binds at `min_bp`, returning it
    /// with its token index; rejects a second comparison and `not in`.
    fn infix_ahead(
        &mut self,
        lhs: &Node,
        comparison: Option<(usize, usize)>,
        min_bp: u8,
        depth: usize,
    ) -> Parsed<Option<(Infix, usize)>> {
        let token = self.peek()?;
        let Some(op) = infix(&token.kind) else {
            if token.kind == TokenKind::Not && self.peek_second() == Some(&TokenKind::In) {
                return Err(self.not_in(lhs, &token));
            }
            return Ok(None);
        };
        if let Some((first, middle)) = comparison
            && op.is_comparison()
        {
            let first = self.token_at(first);
            return Err(self.chained(lhs, &first, middle, &token, depth));
        }
        if op.left_power() < min_bp {
            return Ok(None);
        }
        let at = self.pos;
        self.advance();
        Ok(Some((op, at)))
    }

    /// The right-hand side of the operator at token index `at` (already consumed) and the
    /// node joining it to `lhs`, with where the right operand starts.
    fn parse_infix(
        &mut self,
        lhs: Node,
        op: Infix,
        at: usize,
        depth: usize,
    ) -> Parsed<(Node, usize)> {
        match op {
            Infix::In => self.parse_in(lhs, at, depth),
            Infix::Binary(op, (_, right_bp)) => self.parse_binary(lhs, op, right_bp, at, depth),
        }
    }

    fn parse_in(&mut self, lhs: Node, at: usize, depth: usize) -> Parsed<(Node, usize)> {
        let token = self.token_at(at);
        let (items, end, items_height) = self.parse_list(depth, &token)?;
        let height = 1 + lhs.height.max(items_height);
        let kind = ExprKind::In(Box::new(lhs.expr), items);
        Ok((self.node(kind, (lhs.start, end), height, &token)?, end))
    }

    fn parse_binary(
        &mut self,
        lhs: Node,
        op: BinaryOp,
        right_bp: u8,
        at: usize,
        depth: usize,
    ) -> Parsed<(Node, usize)> {
        let token = self.token_at(at);
        let middle = self.peek()?.start;
        let depth = self.deeper(depth, &token)?;
        let rhs = self.parse_bp(right_bp, depth, Some(&token))?;
        let height = 1 + lhs.height.max(rhs.height);
        let kind = ExprKind::Binary(op, Box::new(lhs.expr), Box::new(rhs.expr));
        Ok((
            self.node(kind, (lhs.start, rhs.end), height, &token)?,
            middle,
        ))
    }

    /// An operand: a literal, a name, a parenthesised expression or a prefix operator.
    fn parse_prefix(
        &mut self,
        min_bp: u8,
        depth: usize,
        after: Option<&Token<'a>>,
    ) -> Parsed<Node> {
        let token = self.peek()?;
        let kind = match token.kind {
            TokenKind::Number(value) => ExprKind::Number(value),
            TokenKind::True => ExprKind::Bool(true),
            TokenKind::False => ExprKind::Bool(false),
            TokenKind::Ident(name) => ExprKind::Name(name.to_string()),
            TokenKind::Symbol(symbol) => ExprKind::Symbol(symbol.to_string()),
            TokenKind::LParen => return self.parse_group(token, depth),
            TokenKind::Not if min_bp > NOT => return Err(self.misplaced_not(&token, after)),
            TokenKind::Not => return self.parse_unary(token, UnaryOp::Not, NOT, depth),
            TokenKind::Minus => return self.parse_unary(token, UnaryOp::Neg, NEG, depth),
            _ => return Err(self.expected_expression(&token, after)),
        };
        self.advance();
        self.node(kind, (token.start, token.end), 0, &token)
    }

    /// `not x` or `-x`; `token` is the operator, not yet consumed.
    fn parse_unary(
        &mut self,
        token: Token<'a>,
        op: UnaryOp,
        power: u8,
        depth: usize,
    ) -> Parsed<Node> {
        self.advance();
        let depth = self.deeper(depth, &token)?;
        let operand = self.parse_bp(power, depth, Some(&token))?;
        let kind = ExprKind::Unary(op, Box::new(operand.expr));
        self.node(kind, (token.start, operand.end), operand.height + 1, &token)
    }

    /// `( … )`; `open` is the `(`, not yet consumed. The node keeps the inner expression's
    /// span but its range covers the parentheses, so enclosing nodes span them.
    fn parse_group(&mut self, open: Token<'a>, depth: usize) -> Parsed<Node> {
        self.advance();
        let depth = self.deeper(depth, &open)?;
        let inner = self.parse_bp(0, depth, Some(&open))?;
        let close = self.peek()?;
        if close.kind != TokenKind::RParen {
            return Err(self.unclosed_group(&open, &close));
        }
        self.advance();
        Ok(Node {
            start: open.start,
            end: close.end,
            ..inner
        })
    }

    /// The `[a, b, …]` after `in`: the items, the end of `]` and the items' greatest height.
    fn parse_list(
        &mut self,
        depth: usize,
        in_token: &Token<'a>,
    ) -> Parsed<(Vec<Expr>, usize, usize)> {
        let open = self.peek()?;
        if open.kind != TokenKind::LBracket {
            return Err(self.expected_list(&open, in_token));
        }
        self.advance();
        let depth = self.deeper(depth, &open)?;
        let mut items = Vec::new();
        let mut height = 0;
        let mut after = open.clone();
        loop {
            let token = self.peek()?;
            match token.kind {
                TokenKind::RBracket if items.is_empty() => {
                    return Err(self.empty_list(&open, &token));
                }
                TokenKind::RBracket => {
                    self.advance();
                    return Ok((items, token.end, height));
                }
                TokenKind::Eof => return Err(self.unclosed_list(&open)),
                _ => {}
            }
            let item = self.parse_bp(0, depth, Some(&after))?;
            height = height.max(item.height);
            items.push(item.expr);
            let next = self.peek()?;
            match next.kind {
                TokenKind::Comma => {
                    self.advance();
                    after = next;
                }
                TokenKind::RBracket => {
                    self.advance();
                    return Ok((items, next.end, height));
                }
                TokenKind::Eof => return Err(self.unclosed_list(&open)),
                _ => return Err(self.expected_comma(&next)),
            }
        }
    }
}

/// Building diagnostics: kept apart from the recursive functions so their frames stay small.
impl<'a> Parser<'a, '_> {
    fn span_of(&self, token: &Token<'_>) -> Span {
        self.map.span(token.start, token.end)
    }

    /// Where "expected an expression" points when the text ran out: just after the last
    /// token, not after trailing whitespace or newlines of a multi-line string.
    fn end_span(&self) -> Span {
        let end = self.text.trim_end().len();
        self.map.span(end, end)
    }

    fn source(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    /// The token as the analyst wrote it, for messages.
    fn describe(&self, token: &Token<'_>) -> String {
        match token.kind {
            TokenKind::Eof => "the end of the expression".to_string(),
            _ => {
                // A long symbol is shortened: the label already shows it in full.
                let text = self.source(token.start, token.end);
                match text.char_indices().nth(40) {
                    Some((cut, _)) => format!("`{}…`", text.get(..cut).unwrap_or(text)),
                    None => format!("`{text}`"),
                }
            }
        }
    }

    #[inline(never)]
    fn too_deep(&self, at: &Token<'_>, help: &str) -> Box<Diagnostic> {
        let max = self.limits.max_depth;
        Box::new(
            Diagnostic::new(
                Code::LimitExceeded,
                format!("the expression is nested deeper than {max} levels"),
            )
            .primary(self.span_of(at), "too deep here")
            .help(format!(
                "the limit is {max} levels; {help}, or raise the limit with `--max-expr-depth`"
            )),
        )
    }

    /// Whatever follows a complete expression at the top level.
    #[inline(never)]
    fn trailing(&self, next: &Token<'_>) -> Box<Diagnostic> {
        if next.kind == TokenKind::RParen {
            return Box::new(
                syntax("unmatched `)`")
                    .primary(self.span_of(next), "this `)` has no matching `(`")
                    .help("remove it, or add the missing `(`"),
            );
        }
        let help = if next.kind == TokenKind::Comma {
            Some("to test several values, write `x in ['a', 'b']`")
        } else if next.kind.starts_operand() {
            Some("join two conditions with `and` or `or`")
        } else {
            None
        };
        let diagnostic = syntax(format!(
            "expected `and`, `or` or the end of the expression, found {}",
            self.describe(next)
        ))
        .primary(self.span_of(next), "unexpected here");
        Box::new(with_help(diagnostic, help))
    }

    #[inline(never)]
    fn unclosed_group(&self, open: &Token<'_>, close: &Token<'_>) -> Box<Diagnostic> {
        if close.kind == TokenKind::Eof {
            return Box::new(
                syntax("unclosed `(`")
                    .primary(self.span_of(open), "this `(` is never closed")
                    .help("add `)` where the group ends"),
            );
        }
        let diagnostic = syntax(format!(
            "expected `and`, `or` or `)`, found {}",
            self.describe(close)
        ))
        .primary(self.span_of(close), "unexpected here")
        .secondary(self.span_of(open), "the group opened here is not closed");
        let help = close
            .kind
            .starts_operand()
            .then_some("join two conditions with `and` or `or`");
        Box::new(with_help(diagnostic, help))
    }

    #[inline(never)]
    fn expected_list(&self, open: &Token<'_>, in_token: &Token<'_>) -> Box<Diagnostic> {
        let help = "list the values in square brackets, as in `x in ['a', 'b']`";
        Box::new(match open.kind {
            TokenKind::Eof => syntax("expected a list after `in`")
                .primary(self.end_span(), "expected `[` here")
                .help(help),
            _ => syntax(format!(
                "expected `[` after `in`, found {}",
                self.describe(open)
            ))
            .primary(self.span_of(open), "expected `[` here")
            .secondary(self.span_of(in_token), "`in` needs a list")
            .help(help),
        })
    }

    #[inline(never)]
    fn empty_list(&self, open: &Token<'_>, close: &Token<'_>) -> Box<Diagnostic> {
        Box::new(
            syntax("the list after `in` is empty")
                .primary(self.map.span(open.start, close.end), "empty list")
                .help("list at least one value, as in `x in ['a', 'b']`"),
        )
    }

    #[inline(never)]
    fn unclosed_list(&self, open: &Token<'_>) -> Box<Diagnostic> {
        Box::new(
            syntax("unclosed `[`")
                .primary(self.span_of(open), "this `[` is never closed")
                .help("add `]` after the last value"),
        )
    }

    #[inline(never)]
    fn expected_comma(&self, next: &Token<'_>) -> Box<Diagnostic> {
        let diagnostic = syntax(format!(
            "expected `,` or `]`, found {}",
            self.describe(next)
        ))
        .primary(self.span_of(next), "unexpected here");
        let help = next
            .kind
            .starts_operand()
            .then_some("separate the values with commas, as in `['a', 'b']`");
        Box::new(with_help(diagnostic, help))
    }

    /// An operand was expected at `token` (just after `after`, if any).
    #[inline(never)]
    fn expected_expression(&self, token: &Token<'_>, after: Option<&Token<'_>>) -> Box<Diagnostic> {
        let after_text = after.map(|a| self.source(a.start, a.end));
        if token.kind == TokenKind::Eof {
            let op = after_text.unwrap_or_default();
            let help = if op == "(" {
                "write a condition inside the parentheses".to_string()
            } else {
                format!("write an expression after `{op}`, or remove the `{op}`")
            };
            return Box::new(
                syntax(format!("expected an expression after `{op}`"))
                    .primary(self.end_span(), "the expression ends here")
                    .help(help),
            );
        }
        let found = self.describe(token);
        let message = match after_text {
            Some(op) => format!("expected an expression after `{op}`, found {found}"),
            None => format!("expected an expression, found {found}"),
        };
        let help = match (after_text, &token.kind) {
            (Some("("), TokenKind::RParen) => {
                Some("put a condition inside the parentheses or remove them".to_string())
            }
            (Some(_), kind) if kind.is_binary_operator() => Some(
                "two operators in a row: remove one, or write an operand between them".to_string(),
            ),
            (None, kind) if kind.is_binary_operator() => {
                Some(format!("{found} needs an expression on its left"))
            }
            (_, TokenKind::LBracket) => {
                Some("a list can only follow `in`, as in `x in ['a', 'b']`".to_string())
            }
            (None, TokenKind::RParen) => Some("remove the `)`, or add the missing `(`".to_string()),
            _ => None,
        };
        let diagnostic =
            syntax(message).primary(self.span_of(token), "expected an expression here");
        Box::new(with_help(diagnostic, help))
    }

    /// `not` right after a comparison or arithmetic operator: it would negate less than the
    /// analyst probably means, so ask for parentheses either way.
    #[inline(never)]
    fn misplaced_not(&self, token: &Token<'_>, after: Option<&Token<'_>>) -> Box<Diagnostic> {
        let op = after.map_or("", |a| self.source(a.start, a.end));
        let help = if after
            .and_then(|a| infix(&a.kind))
            .is_some_and(Infix::is_comparison)
        {
            format!(
                "to negate the right-hand side, write `{op} (not …)`; to negate the comparison, \
                 write `not (… {op} …)`"
            )
        } else {
            "put `not` and what it negates in parentheses: `(not …)`".to_string()
        };
        Box::new(
            syntax(format!("`not` cannot follow `{op}` without parentheses"))
                .primary(self.span_of(token), "`not` applies to a whole condition")
                .help(help),
        )
    }

    /// `x not in [...]`, from Python.
    #[inline(never)]
    fn not_in(&self, lhs: &Node, token: &Token<'_>) -> Box<Diagnostic> {
        let lhs_text = self.source(lhs.start, lhs.end);
        let end = self.tokens.get(self.pos + 1).map_or(token.end, |t| t.end);
        Box::new(
            syntax("`not in` is not an operator")
                .primary(self.map.span(token.start, end), "not an operator")
                .help(format!(
                    "negate the whole test: `not ({lhs_text} in [...])`"
                )),
        )
    }

    /// A second comparison in a row, such as `a == b == c` or `0 < x < 10`. `lhs` is the
    /// first comparison, `middle` where its right operand starts.
    #[inline(never)]
    fn chained(
        &mut self,
        lhs: &Node,
        first: &Token<'a>,
        middle: usize,
        second: &Token<'a>,
        depth: usize,
    ) -> Box<Diagnostic> {
        let left = self.source(lhs.start, lhs.end);
        let a = self.source(lhs.start, first.start).trim_end();
        let op1 = self.source(first.start, first.end);
        let b = self.source(middle, lhs.end);
        let op2 = self.source(second.start, second.end);
        let diagnostic = syntax("comparisons cannot be chained")
            .primary(self.span_of(second), "a second comparison")
            .secondary(self.span_of(first), "after this one");
        // Parse what follows only to quote it in the help; its own errors come later.
        self.advance();
        let rest = if first.kind == TokenKind::In || second.kind == TokenKind::In {
            None
        } else {
            self.deeper(depth, second)
                .and_then(|depth| self.parse_bp(COMPARE.1, depth, Some(second)))
                .ok()
                .map(|c| self.source(c.start, c.end))
        };
        Box::new(match rest {
            Some(c) => diagnostic.help(format!(
                "to test both, write `{a} {op1} {b} and {b} {op2} {c}`; to compare the result, \
                 write `({left}) {op2} {c}`"
            )),
            None => diagnostic.help(format!(
                "compare one pair at a time and join the comparisons with `and`, or put \
                 `({left})` in parentheses"
            )),
        })
    }
}

fn syntax(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::ExpressionSyntax, message)
}

fn with_help(diagnostic: Diagnostic, help: Option<impl Into<String>>) -> Diagnostic {
    match help {
        Some(help) => diagnostic.help(help),
        None => diagnostic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    /// Parses plain text (file offsets = text offsets).
    fn parse(text: &str) -> Result<Expr, Diagnostic> {
        parse_expr(text, &StrMap::identity(text, 0), ExprLimits::default())
    }

    /// A fully parenthesised rendering, to check the tree's shape.
    fn sexpr(expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Number(n) => n.to_string(),
            ExprKind::Symbol(s) => format!("'{s}'"),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Unary(UnaryOp::Not, e) => format!("(not {})", sexpr(e)),
            ExprKind::Unary(UnaryOp::Neg, e) => format!("(- {})", sexpr(e)),
            ExprKind::Binary(op, l, r) => format!("({} {} {})", sexpr(l), op.as_str(), sexpr(r)),
            ExprKind::In(l, items) => {
                let items: Vec<_> = items.iter().map(sexpr).collect();
                format!("({} in [{}])", sexpr(l), items.join(", "))
            }
        }
    }

    fn shape(text: &str) -> String {
        match parse(text) {
            Ok(expr) => sexpr(&expr),
            Err(d) => panic!("{text:?}: {d:?}"),
        }
    }

    /// The error's code, message, primary span and help.
    fn error(text: &str) -> (Code, String, (usize, usize), String) {
        let d = parse(text).expect_err(text);
        let span = d.primary_span().unwrap();
        (
            d.code,
            d.message,
            (span.start, span.end),
            d.help.unwrap_or_default(),
        )
    }

    /// Asserts the message and the text the primary span covers.
    #[track_caller]
    fn assert_error(text: &str, message: &str, at: &str) {
        let (code, got, (start, end), _) = error(text);
        assert_eq!(code, Code::ExpressionSyntax, "{text}");
        assert_eq!(got, message, "{text}");
        assert_eq!(&text[start..end], at, "{text}");
    }

    #[test]
    fn precedence() {
        assert_eq!(
            shape("not a == 'x' and b or c"),
            "(((not (a == 'x')) and b) or c)"
        );
        assert_eq!(shape("a or b and c"), "(a or (b and c))");
        assert_eq!(shape("a and b and c"), "((a and b) and c)");
        assert_eq!(shape("a or b or c"), "((a or b) or c)");
        assert_eq!(shape("1 + 2 * 3 - 4 / 5"), "((1 + (2 * 3)) - (4 / 5))");
        assert_eq!(shape("a - b - c"), "((a - b) - c)");
        assert_eq!(shape("-a * b"), "((- a) * b)");
        assert_eq!(shape("- -a"), "(- (- a))");
        assert_eq!(shape("x + 1 > y * 2"), "((x + 1) > (y * 2))");
        assert_eq!(shape("not not a"), "(not (not a))");
        assert_eq!(shape("a and not b"), "(a and (not b))");
        assert_eq!(shape("not (a or b)"), "(not (a or b))");
        assert_eq!(shape("(a == b) == c"), "((a == b) == c)");
        assert_eq!(shape("a == -1"), "(a == (- 1))");
        assert_eq!(shape("a - -1"), "(a - (- 1))");
    }

    #[test]
    fn literals() {
        assert_eq!(shape("true"), "true");
        assert_eq!(shape("x == false"), "(x == false)");
        assert_eq!(shape("x >= 0.5"), "(x >= 0.5)");
        assert_eq!(shape("x < 1e3"), "(x < 1000)");
        assert_eq!(shape("x == \"refuse\""), "(x == 'refuse')");
        assert_eq!(shape("  x  "), "x");
    }

    #[test]
    fn in_lists() {
        assert_eq!(shape("x in ['a', 'b']"), "(x in ['a', 'b'])");
        assert_eq!(shape("x in ['a',]"), "(x in ['a'])");
        assert_eq!(
            shape("x + 1 in [2, 3] and y"),
            "(((x + 1) in [2, 3]) and y)"
        );
        assert_eq!(shape("not x in ['a']"), "(not (x in ['a']))");
        assert_eq!(shape("x in [a or b, (c)]"), "(x in [(a or b), c])");
        let text = "x in ['a', 'b'] or y";
        let expr = parse(text).unwrap();
        let ExprKind::Binary(_, lhs, _) = &expr.kind else {
            panic!()
        };
        assert_eq!(lhs.span, Span::new(0, 15));
    }

    #[test]
    fn spans_of_nodes() {
        let text = "(a or b) and not c == 'x'";
        let expr = parse(text).unwrap();
        assert_eq!(expr.span, Span::new(0, text.len()));
        let ExprKind::Binary(BinaryOp::And, lhs, rhs) = &expr.kind else {
            panic!()
        };
        // The parenthesised node keeps its own span; its parent covers the parentheses.
        assert_eq!(&text[lhs.span.start..lhs.span.end], "a or b");
        assert_eq!(&text[rhs.span.start..rhs.span.end], "not c == 'x'");
        let ExprKind::Unary(UnaryOp::Not, cmp) = &rhs.kind else {
            panic!()
        };
        let ExprKind::Binary(BinaryOp::Eq, c, x) = &cmp.kind else {
            panic!()
        };
        assert_eq!(&text[c.span.start..c.span.end], "c");
        assert_eq!(&text[x.span.start..x.span.end], "'x'");
    }

    /// The decoded `when` of a one-line TOML document, with its map.
    fn when_of(source: &str) -> (String, StrMap) {
        use toml::de::{DeTable, DeValue};
        let (table, errors) = DeTable::parse_recoverable(source);
        assert!(errors.is_empty(), "{errors:?}");
        let when = table.get_ref().get("when").unwrap();
        let DeValue::String(text) = when.get_ref() else {
            panic!("not a string")
        };
        (
            text.to_string(),
            StrMap::new(source, Span::from(when.span()), text),
        )
    }

    #[test]
    fn spans_map_through_toml_escapes() {
        let source = r#"when = "russia_answer == \"refuse\"""#;
        let (text, map) = when_of(source);
        assert_eq!(text, r#"russia_answer == "refuse""#);
        let at = |span: Span| &source[span.start..span.end];
        let expr = parse_expr(&text, &map, ExprLimits::default()).unwrap();
        let ExprKind::Binary(BinaryOp::Eq, lhs, rhs) = &expr.kind else {
            panic!()
        };
        assert_eq!(at(lhs.span), "russia_answer");
        assert_eq!(at(rhs.span), r#"\"refuse\""#);
        assert_eq!(rhs.kind, ExprKind::Symbol("refuse".to_string()));
        assert_eq!(at(expr.span), r#"russia_answer == \"refuse\""#);
    }

    #[test]
    fn error_spans_map_through_toml_escapes_and_non_ascii() {
        let source = r#"when = "x == \u00e9t\u00e9 and \"é\" == 1""#;
        let (text, map) = when_of(source);
        let at = |span: Span| &source[span.start..span.end];
        let d = parse_expr(&text, &map, ExprLimits::default()).unwrap_err();
        assert_eq!(d.message, "`été` is not a valid id");
        assert_eq!(at(d.primary_span().unwrap()), r"\u00e9t\u00e9");

        let source = "when = '''\nx == 'é' and\n  '''\n";
        let (text, map) = when_of(source);
        let d = parse_expr(&text, &map, ExprLimits::default()).unwrap_err();
        assert_eq!(d.message, "expected an expression after `and`");
        let span = d.primary_span().unwrap();
        assert!(span.is_empty());
        assert_eq!(&source[..span.start], "when = '''\nx == 'é' and");

        let source = "when = \"\"\"\nx == 'a' and \\\n   (y\\u0020or z\"\"\"\n";
        let (text, map) = when_of(source);
        assert_eq!(text, "x == 'a' and (y or z");
        let d = parse_expr(&text, &map, ExprLimits::default()).unwrap_err();
        assert_eq!(d.message, "unclosed `(`");
        assert_eq!(d.primary_span().unwrap().start, source.find('(').unwrap());
        assert_eq!(at_owned(source, d.primary_span().unwrap()), "(");
    }

    fn at_owned(source: &str, span: Span) -> &str {
        &source[span.start..span.end]
    }

    #[test]
    fn empty_expression() {
        for text in ["", "   ", "\n\t"] {
            let (code, message, span, help) = error(text);
            assert_eq!(code, Code::ExpressionSyntax);
            assert_eq!(message, "the expression is empty");
            assert_eq!(span, (0, text.len()));
            assert_eq!(
                help,
                "write a condition such as `russia_answer == 'refuse'`"
            );
        }
    }

    #[test]
    fn dangling_operators_point_at_the_end() {
        let (_, message, span, help) = error("russia_answer == 'refuse' and");
        assert_eq!(message, "expected an expression after `and`");
        assert_eq!(span, (29, 29));
        assert_eq!(help, "write an expression after `and`, or remove the `and`");
        // Trailing whitespace is not pointed at.
        assert_eq!(error("a or  \n").2, (4, 4));
        assert_eq!(error("a ==").1, "expected an expression after `==`");
        assert_eq!(error("not").1, "expected an expression after `not`");
        assert_eq!(error("-").1, "expected an expression after `-`");
        assert_eq!(error("x in [1,").1, "unclosed `[`");
        let (_, message, span, _) = error("(");
        assert_eq!(
            (message.as_str(), span),
            ("expected an expression after `(`", (1, 1))
        );
    }

    #[test]
    fn operators_without_operands() {
        assert_error(
            "a and or b",
            "expected an expression after `and`, found `or`",
            "or",
        );
        assert_error("== a", "expected an expression, found `==`", "==");
        assert_error("and a", "expected an expression, found `and`", "and");
        assert_error(
            "a * / b",
            "expected an expression after `*`, found `/`",
            "/",
        );
        assert_error(
            "a == )",
            "expected an expression after `==`, found `)`",
            ")",
        );
        assert_error("[1]", "expected an expression, found `[`", "[");
        assert_error("a in", "expected a list after `in`", "");
        assert_error("a in ('x')", "expected `[` after `in`, found `(`", "(");
        assert_error("a in []", "the list after `in` is empty", "[]");
        assert_error("a in ['x' 'y']", "expected `,` or `]`, found `'y'`", "'y'");
        assert_error("a in ['x'", "unclosed `[`", "[");
        assert_error(
            "a in ['x', ,]",
            "expected an expression after `,`, found `,`",
            ",",
        );
        assert_eq!(error("and a").3, "`and` needs an expression on its left");
        assert_eq!(
            error("()").3,
            "put a condition inside the parentheses or remove them"
        );
    }

    #[test]
    fn unbalanced_parentheses() {
        let text = "(a and (b or c)";
        let (_, message, span, help) = error(text);
        assert_eq!((message.as_str(), span), ("unclosed `(`", (0, 1)));
        assert_eq!(help, "add `)` where the group ends");
        let d = parse(text).unwrap_err();
        assert_eq!(d.labels[0].message, "this `(` is never closed");

        assert_error("a and b)", "unmatched `)`", ")");
        assert_error("(a) == b))", "unmatched `)`", ")");
        assert_error(")", "expected an expression, found `)`", ")");
        assert_error("(a b)", "expected `and`, `or` or `)`, found `b`", "b");
    }

    #[test]
    fn unexpected_token_after_a_complete_expression() {
        let (_, message, span, help) = error("a == 'x' b == 'y'");
        assert_eq!(
            message,
            "expected `and`, `or` or the end of the expression, found `b`"
        );
        assert_eq!(span, (9, 10));
        assert_eq!(help, "join two conditions with `and` or `or`");
        assert_error(
            "a, b",
            "expected `and`, `or` or the end of the expression, found `,`",
            ",",
        );
        assert_error(
            "a ]",
            "expected `and`, `or` or the end of the expression, found `]`",
            "]",
        );
    }

    #[test]
    fn chained_comparisons() {
        let text = "a == b == c";
        let (_, message, span, help) = error(text);
        assert_eq!(
            (message.as_str(), span),
            ("comparisons cannot be chained", (7, 9))
        );
        assert_eq!(
            help,
            "to test both, write `a == b and b == c`; to compare the result, write `(a == b) == c`"
        );
        assert_eq!(
            error("0 < x + 1 <= 10").3,
            "to test both, write `0 < x + 1 and x + 1 <= 10`; to compare the result, write \
             `(0 < x + 1) <= 10`"
        );
        assert_error("x in [1] == true", "comparisons cannot be chained", "==");
        assert_error("x == y in [true]", "comparisons cannot be chained", "in");
        assert_error("not a < b < c", "comparisons cannot be chained", "<");
        // Parentheses make the intent explicit.
        assert_eq!(shape("(a == b) == (c == d)"), "((a == b) == (c == d))");
    }

    #[test]
    fn not_in_the_wrong_place() {
        assert_error("x not in ['a']", "`not in` is not an operator", "not in");
        assert_eq!(
            error("x not in ['a']").3,
            "negate the whole test: `not (x in [...])`"
        );
        assert_error(
            "a == not b",
            "`not` cannot follow `==` without parentheses",
            "not",
        );
        assert_error(
            "1 + not b",
            "`not` cannot follow `+` without parentheses",
            "not",
        );
        assert_error(
            "a not b",
            "expected `and`, `or` or the end of the expression, found `not`",
            "not",
        );
        assert_eq!(shape("a == (not b)"), "(a == (not b))");
    }

    #[test]
    fn lexer_errors_surface_in_order() {
        assert_error("a && b", "`&&` is not an operator", "&&");
        assert_error("a = 'x'", "`=` is not a comparison", "=");
        assert_error("x == 'refuse", "unterminated symbol", "'");
        assert_error("x == 1.2.3", "`1.2.3` is not a number", "1.2.3");
        assert_error("Foo == 'x'", "`Foo` is not a valid id", "Foo");
        assert_eq!(error("Foo").3, "ids are lowercase: did you mean `foo`?");
        // A parse error before a lexer error wins.
        assert_error(
            "a and ) &&",
            "expected an expression after `and`, found `)`",
            ")",
        );
    }

    #[test]
    fn length_limit() {
        let text = "a or ".repeat(3000) + "a";
        let (code, message, _, _) = error(&text);
        assert_eq!(code, Code::LimitExceeded);
        assert_eq!(
            message,
            "the expression is 15001 bytes long, more than the limit of 10000"
        );
    }

    fn deep(text: &str) -> Diagnostic {
        let limits = ExprLimits {
            max_depth: 64,
            max_len: usize::MAX,
        };
        parse_expr(text, &StrMap::identity(text, 0), limits).unwrap_err()
    }

    #[test]
    fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
        let expected = "the expression is nested deeper than 64 levels";
        let cases = [
            "(".repeat(20_000) + "a" + &")".repeat(20_000),
            "(".repeat(20_000),
            "not ".repeat(20_000) + "a",
            "-".repeat(20_000) + "a",
            "a == (".repeat(20_000) + "b",
            "x in [".repeat(20_000),
        ];
        for text in &cases {
            let d = deep(text);
            assert_eq!(
                (d.code, d.message.as_str()),
                (Code::LimitExceeded, expected)
            );
            assert!(
                d.help
                    .as_deref()
                    .unwrap()
                    .starts_with("the limit is 64 levels;")
            );
            // With the default length limit, the length trips first: still a limit.
            assert_eq!(parse(text).unwrap_err().code, Code::LimitExceeded);
        }
        let d = deep(&cases[0]);
        assert_eq!(d.primary_span(), Some(Span::new(64, 65)));
    }

    #[test]
    fn nesting_up_to_the_limit_parses() {
        let text = "(".repeat(64) + "a" + &")".repeat(64);
        assert_eq!(shape(&text), "a");
        let text = "not ".repeat(64) + "a";
        assert!(parse(&text).is_ok());
        let text = "not ".repeat(65) + "a";
        assert_eq!(parse(&text).unwrap_err().code, Code::LimitExceeded);
    }

    #[test]
    fn the_deepest_allowed_expression_fits_a_small_stack() {
        // Every kind of level, alternating, until the limit trips: a debug build needs about
        // 3 KiB per level, so 64 levels fit well within 256 KiB (a thread's default is 2 MiB).
        let level = ["(", "not ", "-", "a + ", "x in [", "a and ", "a == "];
        let text: String = level.iter().cycle().take(100).copied().collect::<String>() + "(a";
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse(&text).unwrap_err().code)
            .unwrap();
        assert_eq!(handle.join().unwrap(), Code::LimitExceeded);
    }

    #[test]
    fn long_flat_chains_do_not_recurse_and_bound_the_tree() {
        // Within the limit: parses, tree height is the chain length.
        let text = "a and ".repeat(64) + "a";
        assert!(parse(&text).is_ok());
        // Far beyond it: a diagnostic (the tree would be too tall to walk safely).
        let limits = ExprLimits {
            max_depth: 64,
            max_len: usize::MAX,
        };
        for text in ["a and ".repeat(100_000) + "a", "1+".repeat(100_000) + "1"] {
            let d = parse_expr(&text, &StrMap::identity(&text, 0), limits).unwrap_err();
            assert_eq!(d.code, Code::LimitExceeded);
            assert!(d.help.unwrap().contains("each operator in a chain"));
        }
        // A long list is not a deep tree.
        let text = format!("x in [{}]", vec!["'a'"; 1000].join(", "));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn arbitrary_unicode_never_panics() {
        let samples = [
            "é",
            "'é",
            "a == 'é' and ü",
            "😀",
            "a ==😀",
            "\u{0}",
            "a\u{301} == 1",
            "1é",
            "x in [é",
            "(((",
            ")))",
            "'",
            "\"",
            "a in [1,,]",
            "not",
            "- - -",
            "1e+",
            "a === b == c",
            "a == b == (",
            "x in [1] in [2]",
            "ǅ",
            "İ == 1",
            "ß",
        ];
        for text in samples {
            let _ = parse(text);
        }
        // Every prefix of a tricky string, at every char boundary.
        let tricky = "not (x == 'é' or y in [1, 2.5e-3]) and -z >= 3 && ‘a’";
        for (i, _) in tricky.char_indices() {
            let _ = parse(&tricky[..i]);
            let _ = parse(&tricky[i..]);
        }
    }
}
