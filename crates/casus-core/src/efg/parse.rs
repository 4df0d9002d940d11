//! The `.efg` reader: Gambit's tokens and grammar, without recursion (a deep game cannot
//! overflow the stack) and with a limit on the number of nodes.

use std::collections::HashMap;

use super::{EfgError, EfgLimits, Game, Infoset, Node, NodeKind, Number, Outcome};
use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(String),
    Text(String),
    Symbol(String),
    LBrace,
    RBrace,
    Comma,
    Eof,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Number(n) => format!("the number `{n}`"),
            Token::Text(t) => format!("the label \"{}\"", short(t)),
            Token::Symbol(s) => format!("`{}`", short(s)),
            Token::LBrace => "`{`".to_owned(),
            Token::RBrace => "`}`".to_owned(),
            Token::Comma => "`,`".to_owned(),
            Token::Eof => "the end of the file".to_owned(),
        }
    }
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    fn peek_byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// The next token and its span.
    fn next(&mut self) -> Result<(Token, Span), EfgError> {
        while self.peek_byte().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(b) = self.peek_byte() else {
            return Ok((Token::Eof, Span::new(start, start)));
        };
        let token = match b {
            b'{' => {
                self.pos += 1;
                Token::LBrace
            }
            b'}' => {
                self.pos += 1;
                Token::RBrace
            }
            b',' => {
                self.pos += 1;
                Token::Comma
            }
            b'"' => Token::Text(self.string(start)?),
            b'0'..=b'9' | b'-' | b'+' | b'.' => Token::Number(self.number()),
            _ => {
                while self.peek_byte().is_some_and(|b| !b.is_ascii_whitespace()) {
                    self.pos += 1;
                }
                // Symbols end at ASCII whitespace, so the slice is on character boundaries.
                Token::Symbol(
                    self.text
                        .get(start..self.pos)
                        .unwrap_or_default()
                        .to_owned(),
                )
            }
        };
        Ok((token, Span::new(start, self.pos)))
    }

    /// A quoted label. As in Gambit, `\"` is a quote and any other backslash is kept.
    fn string(&mut self, start: usize) -> Result<String, EfgError> {
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.text[self.pos..].char_indices();
        let mut last_slash = false;
        loop {
            let Some((i, c)) = chars.next() else {
                return Err(EfgError::new(
                    "the label is not closed: the file ends inside it",
                    Span::new(start, start + 1),
                )
                .help("add the closing `\"`"));
            };
            if c == '"' && !last_slash {
                self.pos += i + 1;
                return Ok(out);
            }
            if last_slash {
                if c != '"' {
                    out.push('\\');
                }
                out.push(c);
            } else if c != '\\' {
                out.push(c);
            }
            last_slash = c == '\\';
        }
    }

    /// A number token: digits with a sign, a fraction, an exponent or a `/`. Its validity is
    /// checked by the parser, which can say what was expected.
    fn number(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        let digits = |lexer: &mut Self| {
            while lexer.peek_byte().is_some_and(|b| b.is_ascii_digit()) {
                lexer.pos += 1;
            }
        };
        digits(self);
        match self.peek_byte() {
            Some(b'.') => {
                self.pos += 1;
                digits(self);
                self.exponent();
            }
            Some(b'/') => {
                self.pos += 1;
                digits(self);
            }
            _ => self.exponent(),
        }
        self.text[start..self.pos].to_owned()
    }

    fn exponent(&mut self) {
        if matches!(self.peek_byte(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek_byte(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            while self.peek_byte().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    token: Token,
    span: Span,
    game: Game,
    /// `(player or 0 for chance, number)` → index into `game.infosets`.
    infoset_index: HashMap<(usize, u64), usize>,
    outcome_index: HashMap<u64, usize>,
    limits: EfgLimits,
}

/// Reads a game file. The first problem ends the reading: after a malformed node the rest of
/// a tree cannot be placed, so later messages would only mislead.
pub fn parse(text: &str, limits: EfgLimits) -> Result<Game, EfgError> {
    let mut parser = Parser {
        lexer: Lexer { text, pos: 0 },
        token: Token::Eof,
        span: Span::default(),
        game: Game {
            title: String::new(),
            comment: String::new(),
            players: Vec::new(),
            nodes: Vec::new(),
            infosets: Vec::new(),
            outcomes: Vec::new(),
        },
        infoset_index: HashMap::new(),
        outcome_index: HashMap::new(),
        limits,
    };
    parser.advance()?;
    parser.header()?;
    parser.tree()?;
    if parser.token != Token::Eof {
        return Err(EfgError::new(
            format!("unexpected {} after the last node of the tree", parser.token.describe()),
            parser.span,
        )
        .help("every node's children follow it directly; remove the extra text or check the action counts above"));
    }
    Ok(parser.game)
}

impl Parser<'_> {
    fn advance(&mut self) -> Result<(), EfgError> {
        let (token, span) = self.lexer.next()?;
        self.token = token;
        self.span = span;
        Ok(())
    }

    fn unexpected(&self, expected: &str) -> EfgError {
        EfgError::new(
            format!("expected {expected}, found {}", self.token.describe()),
            self.span,
        )
    }

    fn expect_symbol(&mut self, expected: &str, what: &str) -> Result<(), EfgError> {
        match &self.token {
            Token::Symbol(s) if s == expected => self.advance(),
            _ => Err(self.unexpected(what)),
        }
    }

    fn text(&mut self, what: &str) -> Result<String, EfgError> {
        match &self.token {
            Token::Text(t) => {
                let t = t.clone();
                self.advance()?;
                Ok(t)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn brace(&mut self, open: bool) -> Result<(), EfgError> {
        match (&self.token, open) {
            (Token::LBrace, true) | (Token::RBrace, false) => self.advance(),
            _ => Err(self.unexpected(if open { "`{`" } else { "`}`" })),
        }
    }

    fn number(&mut self, what: &str) -> Result<Number, EfgError> {
        let Token::Number(text) = &self.token else {
            return Err(self.unexpected(what));
        };
        let Some(number) = Number::parse(text) else {
            return Err(
                EfgError::new(format!("`{text}` is not a number"), self.span)
                    .help("write numbers as `3`, `-0.25`, `1.5e-3` or `2/3`"),
            );
        };
        self.advance()?;
        Ok(number)
    }

    fn index(&mut self, what: &str) -> Result<(u64, Span), EfgError> {
        let span = self.span;
        let Token::Number(text) = &self.token else {
            return Err(self.unexpected(what));
        };
        let Ok(n) = text.parse::<u64>() else {
            return Err(EfgError::new(
                format!("{what} must be a whole number, not `{text}`"),
                span,
            ));
        };
        self.advance()?;
        Ok((n, span))
    }

    fn header(&mut self) -> Result<(), EfgError> {
        match &self.token {
            Token::Symbol(s) if s == "NFG" => {
                return Err(EfgError::new(
                    "this is a strategic-form game (`.nfg`), not an extensive-form one",
                    self.span,
                )
                .help("casus imports extensive-form games (`.efg`): the game tree is what a scenario describes"));
            }
            _ => self.expect_symbol("EFG", "`EFG` at the start of the file")?,
        }
        match &self.token {
            Token::Number(n) if n == "2" => self.advance()?,
            _ => {
                return Err(self
                    .unexpected("the version `2`")
                    .help("casus reads the extensive-form format that Gambit writes: `EFG 2 R`"));
            }
        }
        match &self.token {
            Token::Symbol(s) if s == "R" || s == "D" => self.advance()?,
            _ => return Err(self.unexpected("the number type `R` or `D`")),
        }
        self.game.title = self.text("the game's title in quotes")?;
        self.brace(true)?;
        while let Token::Text(name) = &self.token {
            self.game.players.push(name.clone());
            self.advance()?;
        }
        self.brace(false)?;
        if let Token::Text(comment) = &self.token {
            self.game.comment = comment.clone();
            self.advance()?;
        }
        Ok(())
    }

    /// The nodes, in pre-order; a stack of "children still to read" replaces recursion.
    fn tree(&mut self) -> Result<(), EfgError> {
        let mut pending: Vec<(usize, usize)> = Vec::new();
        loop {
            let index = self.node()?;
            if let Some((parent, remaining)) = pending.last_mut() {
                self.game.nodes[*parent].children.push(index);
                *remaining -= 1;
                if *remaining == 0 {
                    pending.pop();
                }
            }
            let children = match self.game.nodes[index].kind {
                NodeKind::Terminal => 0,
                NodeKind::Chance { infoset } | NodeKind::Personal { infoset, .. } => {
                    self.game.infosets[infoset].actions.len()
                }
            };
            if children > 0 {
                pending.push((index, children));
            }
            if pending.is_empty() {
                return Ok(());
            }
        }
    }

    fn node(&mut self) -> Result<usize, EfgError> {
        if self.game.nodes.len() >= self.limits.max_nodes {
            return Err(EfgError::new(
                format!("the game has more than {} nodes", self.limits.max_nodes),
                self.span,
            )
            .help("a game this large is better solved in Gambit itself"));
        }
        let start = self.span;
        let kind = match &self.token {
            Token::Symbol(s) if s == "c" || s == "p" || s == "t" => s.clone(),
            Token::Eof => {
                return Err(self.unexpected("another node").help(
                    "the file ends before every action has a node; check the action counts",
                ));
            }
            _ => {
                return Err(self.unexpected("a node: `p` (player), `c` (chance) or `t` (terminal)"));
            }
        };
        self.advance()?;
        let label = self.text("the node's label in quotes")?;
        let index = self.game.nodes.len();
        let kind = match kind.as_str() {
            "c" => NodeKind::Chance {
                infoset: self.infoset(None, index)?,
            },
            "p" => {
                let (player, span) = self.index("the player's number")?;
                let in_range = usize::try_from(player)
                    .ok()
                    .filter(|p| (1..=self.game.players.len()).contains(p));
                let Some(player) = in_range else {
                    return Err(EfgError::new(
                        format!(
                            "player {player} does not exist: the game has {} players",
                            self.game.players.len()
                        ),
                        span,
                    )
                    .help("players are numbered from 1 in the order of the header"));
                };
                NodeKind::Personal {
                    player: player - 1,
                    infoset: self.infoset(Some(player - 1), index)?,
                }
            }
            _ => NodeKind::Terminal,
        };
        let outcome = self.outcome()?;
        self.game.nodes.push(Node {
            label,
            kind,
            outcome,
            children: Vec::new(),
            span: Span::new(start.start, self.span.start).clamp_to(self.lexer.text),
        });
        Ok(index)
    }

    /// The information set of a chance (`player` = `None`) or personal node: its number, then
    /// its label and actions when given (a first appearance, or a repeat that must match).
    fn infoset(&mut self, player: Option<usize>, node: usize) -> Result<usize, EfgError> {
        let (number, number_span) = self.index("the information set's number")?;
        let key = (player.map_or(0, |p| p + 1), number);
        let existing = self.infoset_index.get(&key).copied();
        if !matches!(self.token, Token::Text(_)) {
            let Some(existing) = existing else {
                return Err(EfgError::new(
                    format!("information set {number} is used before it is defined"),
                    number_span,
                )
                .help("the first node of an information set gives its label and actions"));
            };
            self.game.infosets[existing].nodes.push(node);
            return Ok(existing);
        }
        let label = self.text("the information set's label")?;
        let start = self.span;
        self.brace(true)?;
        let mut actions = Vec::new();
        let mut probabilities = Vec::new();
        loop {
            actions.push(self.text("an action's label in quotes")?);
            if player.is_none() {
                let p = self.number("the action's probability")?;
                if !(0.0..=1.0).contains(&p.value) {
                    return Err(EfgError::new(
                        format!("the probability `{}` is not between 0 and 1", p.text),
                        self.span,
                    ));
                }
                probabilities.push(p);
            }
            if self.token == Token::RBrace {
                break;
            }
        }
        self.brace(false)?;
        let span = start.cover(self.span);
        if player.is_none() {
            let total: f64 = probabilities.iter().map(|p| p.value).sum();
            if (total - 1.0).abs() > 1e-9 {
                return Err(EfgError::new(
                    format!(
                        "the probabilities of chance information set {number} add up to {total}, not 1"
                    ),
                    span,
                ));
            }
        }
        if let Some(existing) = existing {
            let first = &self.game.infosets[existing];
            if first.label != label
                || first.actions != actions
                || first.probabilities != probabilities
            {
                return Err(EfgError::new(
                    format!("information set {number} does not match its first definition"),
                    span,
                )
                .help("every node of an information set repeats the same label, actions and probabilities, or gives none"));
            }
            self.game.infosets[existing].nodes.push(node);
            return Ok(existing);
        }
        let index = self.game.infosets.len();
        self.game.infosets.push(Infoset {
            player,
            number,
            label,
            actions,
            probabilities,
            nodes: vec![node],
        });
        self.infoset_index.insert(key, index);
        Ok(index)
    }

    fn outcome(&mut self) -> Result<Option<usize>, EfgError> {
        let (number, span) = self.index("the outcome's number (0 for none)")?;
        if !matches!(self.token, Token::Text(_)) {
            if number == 0 {
                return Ok(None);
            }
            return match self.outcome_index.get(&number) {
                Some(&index) => Ok(Some(index)),
                None => Err(EfgError::new(
                    format!("outcome {number} is used before it is defined"),
                    span,
                )
                .help("the first use of an outcome gives its label and payoffs")),
            };
        }
        if number == 0 {
            return Err(
                EfgError::new("outcome 0 means no outcome and cannot have payoffs", span)
                    .help("number the outcome from 1"),
            );
        }
        let label = self.text("the outcome's label")?;
        let start = self.span;
        self.brace(true)?;
        let mut payoffs = Vec::new();
        while matches!(self.token, Token::Number(_)) {
            payoffs.push(self.number("a payoff")?);
            if self.token == Token::Comma {
                self.advance()?;
            }
        }
        self.brace(false)?;
        let span = start.cover(self.span);
        if payoffs.len() != self.game.players.len() {
            return Err(EfgError::new(
                format!(
                    "outcome {number} has {} payoffs, but the game has {} players",
                    payoffs.len(),
                    self.game.players.len()
                ),
                span,
            )
            .help("give one payoff per player, in the order of the header"));
        }
        if let Some(&index) = self.outcome_index.get(&number) {
            let first = &self.game.outcomes[index];
            let same = first.label == label
                && first
                    .payoffs
                    .iter()
                    .zip(&payoffs)
                    .all(|(a, b)| a.text == b.text);
            if !same {
                return Err(EfgError::new(
                    format!("outcome {number} does not match its first definition"),
                    span,
                )
                .help("every use of an outcome repeats the same label and payoffs, or gives only its number"));
            }
            return Ok(Some(index));
        }
        let index = self.game.outcomes.len();
        self.game.outcomes.push(Outcome {
            number,
            label,
            payoffs,
        });
        self.outcome_index.insert(number, index);
        Ok(Some(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::efg::Rational;

    const CENT: &str = "EFG 2 R \"Centipede\" { \"Player 1\" \"Player 2\" }\n\"\"\n\n\
        p \"\" 1 1 \"(1,1)\" { \"TAKE\" \"PASS\" } 0\n\
        t \"\" 1 \"Outcome 1\" { 0.80, 0.20 }\n\
        p \"\" 2 1 \"(2,1)\" { \"TAKE\" \"PASS\" } 0\n\
        t \"\" 2 \"Outcome 2\" { 0.40, 1.60 }\n\
        t \"\" 3 \"Outcome 3\" { 3.20, 0.80 }\n";

    fn error(text: &str) -> String {
        parse(text, EfgLimits::default()).unwrap_err().message
    }

    #[test]
    fn reads_a_small_game_in_pre_order() {
        let game = parse(CENT, EfgLimits::default()).unwrap();
        assert_eq!(game.title, "Centipede");
        assert_eq!(game.players, ["Player 1", "Player 2"]);
        assert_eq!(game.nodes.len(), 5);
        assert_eq!(game.nodes[0].children, [1, 2]);
        assert_eq!(game.nodes[2].children, [3, 4]);
        assert_eq!(game.infosets[1].actions, ["TAKE", "PASS"]);
        assert_eq!(game.outcomes[2].payoffs[0].text, "3.20");
        assert_eq!(game.outcomes[2].payoffs[0].exact, Rational::parse("16/5"));
    }

    #[test]
    fn labels_unescape_quotes_and_keep_other_backslashes() {
        let text = "EFG 2 R \"a \\\"b\\\" c\\d\" { \"P\" }\nt \"\" 0\n";
        let game = parse(text, EfgLimits::default()).unwrap();
        assert_eq!(game.title, "a \"b\" c\\d");
    }

    #[test]
    fn chance_probabilities_must_add_up_to_one() {
        let text =
            "EFG 2 R \"\" { \"P\" } c \"\" 1 \"\" { \"a\" 1/3 \"b\" 1/3 } 0 t \"\" 0 t \"\" 0";
        assert_eq!(
            error(text),
            "the probabilities of chance information set 1 add up to 0.6666666666666666, not 1"
        );
    }

    #[test]
    fn malformed_files_say_what_was_expected() {
        assert_eq!(
            error(""),
            "expected `EFG` at the start of the file, found the end of the file"
        );
        assert_eq!(
            error("NFG 1 R \"\" { \"P\" } { \"a\" }"),
            "this is a strategic-form game (`.nfg`), not an extensive-form one"
        );
        assert_eq!(
            error("EFG 2 R \"\" { \"P\" } p \"\" 1 1 \"\" { \"a\" \"b\" } 0 t \"\" 0"),
            "expected another node, found the end of the file"
        );
        assert_eq!(
            error("EFG 2 R \"\" { \"P\" } p \"\" 3 1 \"\" { \"a\" } 0 t \"\" 0"),
            "player 3 does not exist: the game has 1 players"
        );
        assert_eq!(
            error("EFG 2 R \"\" { \"P\" } t \"\" 1 \"o\" { 1, 2 }"),
            "outcome 1 has 2 payoffs, but the game has 1 players"
        );
        assert_eq!(
            error("EFG 2 R \"\" { \"P\" } t \"\" 0 t \"\" 0"),
            "unexpected `t` after the last node of the tree"
        );
        assert_eq!(
            error("EFG 2 R \"open"),
            "the label is not closed: the file ends inside it"
        );
    }

    #[test]
    fn a_repeated_outcome_must_match_its_definition() {
        let text = "EFG 2 R \"\" { \"P\" } p \"\" 1 1 \"\" { \"a\" \"b\" } 0 \
                    t \"\" 1 \"o\" { 1 } t \"\" 1 \"o\" { 2 }";
        assert_eq!(error(text), "outcome 1 does not match its first definition");
    }

    #[test]
    fn deep_games_do_not_overflow_the_stack() {
        let mut text = String::from("EFG 2 R \"\" { \"P\" }\n");
        for _ in 0..50_000 {
            text.push_str("p \"\" 1 1 \"\" { \"a\" } 0\n");
        }
        text.push_str("t \"\" 0\n");
        let game = parse(&text, EfgLimits::default()).unwrap();
        assert_eq!(game.nodes.len(), 50_001);
        assert_eq!(game.infosets.len(), 1);
        assert!(matches!(
            parse(&text, EfgLimits { max_nodes: 10 }),
            Err(EfgError { .. })
        ));
    }
}
