//! Splits an expression into tokens, recognising on the way the operators analysts bring from
//! other languages (`&&`, `=`, `AND`, curly quotes) so each gets a diagnostic with the fix.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::toml_str::StrMap;

/// One token; `start..end` are byte offsets into the decoded expression text.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token<'a> {
    pub(super) kind: TokenKind<'a>,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum TokenKind<'a> {
    Number(f64),
    /// A valid id, `[a-z][a-z0-9_]*`, that is not a keyword.
    Ident(&'a str),
    /// A quoted symbol; holds the text between the quotes.
    Symbol(&'a str),
    And,
    Or,
    Not,
    In,
    True,
    False,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Eof,
    /// The text cannot be lexed here; the parser reports this when it reaches the token, so
    /// an earlier syntax error is still reported first.
    Error(Box<Diagnostic>),
}

impl TokenKind<'_> {
    /// Whether the token can only stand between two operands.
    pub(super) fn is_binary_operator(&self) -> bool {
        matches!(
            self,
            TokenKind::And
                | TokenKind::Or
                | TokenKind::In
                | TokenKind::EqEq
                | TokenKind::Ne
                | TokenKind::Lt
                | TokenKind::Le
                | TokenKind::Gt
                | TokenKind::Ge
                | TokenKind::Plus
                | TokenKind::Star
                | TokenKind::Slash
        )
    }

    /// Whether the token can begin an operand.
    pub(super) fn starts_operand(&self) -> bool {
        matches!(
            self,
            TokenKind::Number(_)
                | TokenKind::Ident(_)
                | TokenKind::Symbol(_)
                | TokenKind::True
                | TokenKind::False
                | TokenKind::LParen
                | TokenKind::Not
        )
    }
}

/// Lexes the whole text. The result always ends with exactly one `Eof` or `Error` token, and
/// holds nothing after it.
pub(super) fn tokenize<'a>(text: &'a str, map: &StrMap) -> Vec<Token<'a>> {
    let mut lexer = Lexer { text, map, pos: 0 };
    let mut tokens = Vec::new();
    loop {
        let token = lexer.next_token();
        let last = matches!(token.kind, TokenKind::Eof | TokenKind::Error(_));
        tokens.push(token);
        if last {
            return tokens;
        }
    }
}

struct Lexer<'a, 'm> {
    text: &'a str,
    map: &'m StrMap,
    pos: usize,
}

impl<'a> Lexer<'a, '_> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    fn token(&mut self, kind: TokenKind<'a>, len: usize) -> Token<'a> {
        let start = self.pos;
        self.pos += len;
        Token {
            kind,
            start,
            end: self.pos,
        }
    }

    /// A syntax error token covering `start..end`.
    fn error(
        &mut self,
        start: usize,
        end: usize,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> Token<'a> {
        let mut diagnostic = Diagnostic::new(Code::ExpressionSyntax, message)
            .primary(self.map.span(start, end), label);
        if let Some(help) = help {
            diagnostic = diagnostic.help(help);
        }
        self.pos = end;
        Token {
            kind: TokenKind::Error(Box::new(diagnostic)),
            start,
            end,
        }
    }

    /// An operator from another language: `found` is not an operator here, `instead` is.
    fn wrong_operator(&mut self, found: &str, instead: &str, why: &str) -> Token<'a> {
        let start = self.pos;
        self.error(
            start,
            start + found.len(),
            format!("`{found}` is not an operator"),
            "not an operator",
            Some(format!("{why}write `{instead}`")),
        )
    }

    fn next_token(&mut self) -> Token<'a> {
        let skipped = self.rest().len() - self.rest().trim_start().len();
        self.pos += skipped;
        let rest = self.rest();
        let Some(c) = rest.chars().next() else {
            return Token {
                kind: TokenKind::Eof,
                start: self.pos,
                end: self.pos,
            };
        };
        let next = rest.chars().nth(1);
        match c {
            '(' => self.token(TokenKind::LParen, 1),
            ')' => self.token(TokenKind::RParen, 1),
            '[' => self.token(TokenKind::LBracket, 1),
            ']' => self.token(TokenKind::RBracket, 1),
            ',' => self.token(TokenKind::Comma, 1),
            '+' => self.token(TokenKind::Plus, 1),
            '-' => self.token(TokenKind::Minus, 1),
            '*' => self.token(TokenKind::Star, 1),
            '/' => self.token(TokenKind::Slash, 1),
            '=' if rest.starts_with("===") => self.wrong_operator("===", "==", "to compare, "),
            '=' if rest.starts_with("==") => self.token(TokenKind::EqEq, 2),
            '=' if next == Some('>') => self.wrong_operator("=>", ">=", ""),
            '=' if next == Some('<') => self.wrong_operator("=<", "<=", ""),
            '=' => {
                let start = self.pos;
                // Show the analyst's own condition with the fix when it is short enough to read.
                let fixed = format!(
                    "{}=={}",
                    self.slice(0, start),
                    self.slice(start + 1, self.text.len())
                );
                let fixed = fixed.trim();
                let help = if fixed.len() <= 80 && !fixed.contains(['\n', '`']) {
                    format!("to compare, write `==`: `{fixed}`")
                } else {
                    "to compare, write `==`, as in `russia_answer == 'refuse'`".to_string()
                };
                self.error(
                    start,
                    start + 1,
                    "`=` is not a comparison".to_string(),
                    "a single `=`",
                    Some(help),
                )
            }
            '!' if rest.starts_with("!==") => self.wrong_operator("!==", "!=", "to compare, "),
            '!' if next == Some('=') => self.token(TokenKind::Ne, 2),
            '!' => self.wrong_operator("!", "not", "to negate a condition, "),
            '<' if next == Some('=') => self.token(TokenKind::Le, 2),
            '<' if next == Some('>') => self.wrong_operator("<>", "!=", "to test inequality, "),
            '<' => self.token(TokenKind::Lt, 1),
            '>' if next == Some('=') => self.token(TokenKind::Ge, 2),
            '>' => self.token(TokenKind::Gt, 1),
            '&' if next == Some('&') => self.wrong_operator("&&", "and", ""),
            '&' => self.wrong_operator("&", "and", ""),
            '|' if next == Some('|') => self.wrong_operator("||", "or", ""),
            '|' => self.wrong_operator("|", "or", ""),
            '\'' | '"' => self.symbol(c),
            '0'..='9' => self.number(),
            '.' if next.is_some_and(|n| n.is_ascii_digit()) => self.number(),
            c if c.is_alphabetic() || c == '_' => self.word(),
            c => self.unexpected(c),
        }
    }

    /// A symbol in `quote`s; there are no escapes, so it ends at the next identical quote.
    fn symbol(&mut self, quote: char) -> Token<'a> {
        let start = self.pos;
        let body = start + 1;
        match self.rest().get(1..).and_then(|r| r.find(quote)) {
            Some(len) => {
                let text = self.slice(body, body + len);
                self.token(TokenKind::Symbol(text), len + 2)
            }
            None => {
                let other = if quote == '\'' { '"' } else { '\'' };
                let help = if self.rest().contains(other) {
                    "a symbol starts and ends with the same kind of quote, such as `'refuse'` or `\"refuse\"`"
                        .to_string()
                } else {
                    format!("add the closing `{quote}`, as in `{quote}refuse{quote}`")
                };
                self.error(
                    start,
                    body,
                    "unterminated symbol".to_string(),
                    &format!("this `{quote}` is never closed"),
                    Some(help),
                )
            }
        }
    }

    /// A number: `90`, `0.5`, `1e3`, `2.5e-3`. The whole run of number-like characters is
    /// taken, so `1.2.3` or `2x` is one bad token rather than a confusing sequence of good ones.
    fn number(&mut self) -> Token<'a> {
        let start = self.pos;
        let mut end = start;
        let mut prev = None;
        for c in self.rest().chars() {
            let exponent_sign = matches!(c, '+' | '-') && matches!(prev, Some('e' | 'E'));
            if c.is_alphanumeric() || c == '_' || c == '.' || exponent_sign {
                end += c.len_utf8();
                prev = Some(c);
            } else {
                break;
            }
        }
        let text = self.slice(start, end);
        if !is_number_syntax(text) {
            let help = if text.contains('_') {
                format!("write the number without `_`: `{}`", text.replace('_', ""))
            } else if text.starts_with('.') {
                format!("write a digit before the point: `0{text}`")
            } else if text.ends_with('.') {
                format!("write `{}` or `{text}0`", text.trim_end_matches('.'))
            } else if text.matches('.').count() > 1 {
                "a number has at most one decimal point, as in `0.5`".to_string()
            } else if text
                .chars()
                .any(|c| c.is_alphabetic() && c != 'e' && c != 'E')
            {
                "names start with a letter; numbers are written like `90`, `0.5` or `1e3`"
                    .to_string()
            } else {
                "numbers are written like `90`, `0.5` or `1e3`".to_string()
            };
            return self.error(
                start,
                end,
                format!("`{text}` is not a number"),
                "not a number",
                Some(help),
            );
        }
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => self.token(TokenKind::Number(value), end - start),
            _ => self.error(
                start,
                end,
                format!("`{text}` is too large a number"),
                "too large",
                Some("numbers must be below about 1.8e308".to_string()),
            ),
        }
    }

    /// An id or keyword. Words are taken generously (any letters) so a wrongly cased or
    /// non-ASCII id is reported as such, with the id it probably meant.
    fn word(&mut self) -> Token<'a> {
        let start = self.pos;
        let len = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        let word = self.slice(start, start + len);
        let keyword = match word {
            "and" => Some(TokenKind::And),
            "or" => Some(TokenKind::Or),
            "not" => Some(TokenKind::Not),
            "in" => Some(TokenKind::In),
            "true" => Some(TokenKind::True),
            "false" => Some(TokenKind::False),
            _ => None,
        };
        if let Some(kind) = keyword {
            return self.token(kind, len);
        }
        if is_id(word) {
            return self.token(TokenKind::Ident(word), len);
        }
        let lower = word.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "and" | "or" | "not" | "in" | "true" | "false"
        ) {
            return self.error(
                start,
                start + len,
                format!("`{word}` must be written in lowercase"),
                "keywords are lowercase",
                Some(format!("write `{lower}`")),
            );
        }
        let help = if !word.is_ascii() {
            "ids use only the letters `a` to `z`, digits and `_`, and start with a letter"
                .to_string()
        } else {
            let suggestion = lower.trim_start_matches(|c: char| c == '_' || c.is_ascii_digit());
            let why = if word.starts_with('_') {
                "ids start with a letter"
            } else {
                "ids are lowercase"
            };
            if is_id(suggestion) {
                format!("{why}: did you mean `{suggestion}`?")
            } else {
                "ids are lowercase letters, digits and `_`, starting with a letter".to_string()
            }
        };
        self.error(
            start,
            start + len,
            format!("`{word}` is not a valid id"),
            "not a valid id",
            Some(help),
        )
    }

    fn unexpected(&mut self, c: char) -> Token<'a> {
        let start = self.pos;
        let shown: String = c.escape_debug().collect();
        let help = match c {
            '‘' | '’' | '“' | '”' | '„' | '‚' | '«' | '»' | '`' | '´' => {
                Some(format!(
                    "quote symbols with straight quotes `'` or `\"`, not `{shown}`, as in `'refuse'`"
                ))
            }
            '%' => Some("write percentages as plain numbers, such as `45` or `0.45`".to_string()),
            '{' | '}' => Some("group with parentheses `(` and `)`".to_string()),
            '#' => Some(
                "comments cannot stand inside an expression; put them after the TOML value"
                    .to_string(),
            ),
            ';' => Some("join conditions with `and` or `or`".to_string()),
            _ => Some(
                "an expression is made of names, quoted symbols such as `'refuse'`, numbers, \
                 `and`, `or`, `not`, comparisons such as `==` or `<`, `in [...]`, `+ - * /` and \
                 parentheses"
                    .to_string(),
            ),
        };
        self.error(
            start,
            start + c.len_utf8(),
            format!("unexpected character `{shown}`"),
            "not part of an expression",
            help,
        )
    }
}

/// `[a-z][a-z0-9_]*`
pub(super) fn is_id(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `digits ('.' digits)? ([eE] [+-]? digits)?`
fn is_number_syntax(text: &str) -> bool {
    fn digits(s: &str) -> (bool, &str) {
        let rest = s.trim_start_matches(|c: char| c.is_ascii_digit());
        (rest.len() < s.len(), rest)
    }
    let (ok, mut rest) = digits(text);
    if !ok {
        return false;
    }
    if let Some(fraction) = rest.strip_prefix('.') {
        let (ok, after) = digits(fraction);
        if !ok {
            return false;
        }
        rest = after;
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let (ok, after) = digits(exponent);
        if !ok {
            return false;
        }
        rest = after;
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind<'_>> {
        tokenize(text, &StrMap::identity(text, 0))
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    /// The error token's message, primary span and help.
    fn error(text: &str) -> (String, (usize, usize), String) {
        let tokens = tokenize(text, &StrMap::identity(text, 0));
        let Some(Token {
            kind: TokenKind::Error(d),
            ..
        }) = tokens.last()
        else {
            panic!("no error in {text:?}: {tokens:?}")
        };
        let span = d.primary_span().unwrap();
        (
            d.message.clone(),
            (span.start, span.end),
            d.help.clone().unwrap_or_default(),
        )
    }

    #[test]
    fn operators_and_punctuation() {
        use TokenKind::*;
        assert_eq!(
            kinds("( ) [ ] , + - * / == != < <= > >="),
            vec![
                LParen, RParen, LBracket, RBracket, Comma, Plus, Minus, Star, Slash, EqEq, Ne, Lt,
                Le, Gt, Ge, Eof
            ]
        );
        assert_eq!(kinds("a<=b"), vec![Ident("a"), Le, Ident("b"), Eof]);
    }

    #[test]
    fn words() {
        use TokenKind::*;
        assert_eq!(
            kinds("and or not in true false x_1 android"),
            vec![
                And,
                Or,
                Not,
                In,
                True,
                False,
                Ident("x_1"),
                Ident("android"),
                Eof
            ]
        );
    }

    #[test]
    fn numbers() {
        use TokenKind::*;
        assert_eq!(
            kinds("90 0.5 1e3 2.5E-3 1e+2 007"),
            vec![
                Number(90.0),
                Number(0.5),
                Number(1e3),
                Number(2.5e-3),
                Number(100.0),
                Number(7.0),
                Eof
            ]
        );
        assert_eq!(kinds("1-2"), vec![Number(1.0), Minus, Number(2.0), Eof]);
        assert_eq!(kinds("-5"), vec![Minus, Number(5.0), Eof]);
    }

    #[test]
    fn bad_numbers() {
        let (message, span, help) = error("x == 1.2.3");
        assert_eq!(
            (message.as_str(), span),
            ("`1.2.3` is not a number", (5, 10))
        );
        assert!(help.contains("one decimal point"));
        assert_eq!(error("2x").0, "`2x` is not a number");
        assert!(error("1_000").2.contains("`1000`"));
        assert!(error(".5").2.contains("`0.5`"));
        assert!(error("5.").2.contains("`5`"));
        assert_eq!(error("1e").0, "`1e` is not a number");
        assert_eq!(error("1e999").0, "`1e999` is too large a number");
    }

    #[test]
    fn symbols() {
        use TokenKind::*;
        assert_eq!(
            kinds(r#"'refuse' "accept" 'it"s' '' 'a\'"#),
            vec![
                Symbol("refuse"),
                Symbol("accept"),
                Symbol("it\"s"),
                Symbol(""),
                Symbol("a\\"),
                Eof
            ]
        );
        assert_eq!(kinds("'é ü'"), vec![Symbol("é ü"), Eof]);
    }

    #[test]
    fn unterminated_symbol_points_at_the_opening_quote() {
        let (message, span, help) = error("a == 'refuse");
        assert_eq!((message.as_str(), span), ("unterminated symbol", (5, 6)));
        assert_eq!(help, "add the closing `'`, as in `'refuse'`");
        let (_, span, help) = error("a == 'refuse\"");
        assert_eq!(span, (5, 6));
        assert!(help.contains("same kind of quote"));
    }

    #[test]
    fn mistakes_from_other_languages() {
        let cases = [
            ("a && b", "`&&` is not an operator", (2, 4), "write `and`"),
            ("a & b", "`&` is not an operator", (2, 3), "write `and`"),
            ("a || b", "`||` is not an operator", (2, 4), "write `or`"),
            (
                "!a",
                "`!` is not an operator",
                (0, 1),
                "to negate a condition, write `not`",
            ),
            (
                "a = 'x'",
                "`=` is not a comparison",
                (2, 3),
                "to compare, write `==`: `a == 'x'`",
            ),
            (
                "a === 'x'",
                "`===` is not an operator",
                (2, 5),
                "to compare, write `==`",
            ),
            (
                "a !== 'x'",
                "`!==` is not an operator",
                (2, 5),
                "to compare, write `!=`",
            ),
            (
                "a <> 'x'",
                "`<>` is not an operator",
                (2, 4),
                "to test inequality, write `!=`",
            ),
            ("a => 1", "`=>` is not an operator", (2, 4), "write `>=`"),
            (
                "a AND b",
                "`AND` must be written in lowercase",
                (2, 5),
                "write `and`",
            ),
            (
                "a Or b",
                "`Or` must be written in lowercase",
                (2, 4),
                "write `or`",
            ),
            (
                "NOT a",
                "`NOT` must be written in lowercase",
                (0, 3),
                "write `not`",
            ),
            (
                "a == True",
                "`True` must be written in lowercase",
                (5, 9),
                "write `true`",
            ),
            (
                "Russia_Answer == 'x'",
                "`Russia_Answer` is not a valid id",
                (0, 13),
                "ids are lowercase: did you mean `russia_answer`?",
            ),
            (
                "_foo",
                "`_foo` is not a valid id",
                (0, 4),
                "ids start with a letter: did you mean `foo`?",
            ),
            (
                "a == ‘refuse’",
                "unexpected character `‘`",
                (5, 8),
                "quote symbols with straight quotes `'` or `\"`, not `‘`, as in `'refuse'`",
            ),
            (
                "a > 45%",
                "unexpected character `%`",
                (6, 7),
                "write percentages as plain numbers, such as `45` or `0.45`",
            ),
        ];
        for (text, message, span, help) in cases {
            assert_eq!(
                error(text),
                (message.to_string(), span, help.to_string()),
                "{text}"
            );
        }
        let (message, span, help) = error("café == 'x'");
        assert_eq!(
            (message.as_str(), span),
            ("`café` is not a valid id", (0, 5))
        );
        assert!(help.contains("`a` to `z`"));
        assert_eq!(
            error("_").2,
            "ids are lowercase letters, digits and `_`, starting with a letter"
        );
        assert_eq!(error("a\u{0}").0, "unexpected character `\\0`");
    }

    #[test]
    fn whitespace_of_any_kind_separates_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("\n\ta\r\n==\u{a0}'x'  "),
            vec![Ident("a"), EqEq, Symbol("x"), Eof]
        );
        assert_eq!(kinds(""), vec![Eof]);
    }

    #[test]
    fn token_offsets_are_bytes_of_the_decoded_text() {
        let text = "'é' == x";
        let tokens = tokenize(text, &StrMap::identity(text, 0));
        let offsets: Vec<_> = tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(offsets, vec![(0, 4), (5, 7), (8, 9), (9, 9)]);
    }
}
