//! Inputs built to be slow, for the tests that every command honours `--timeout` and shows
//! its spinner while it works: a scenario whose evaluation takes far longer than any limit
//! of a test, and a Gambit game whose import does.

use std::fmt::Write as _;

/// A scenario of `n` chance events whose `add`s all reach the outcome, so no two of the 2^n
/// paths merge and the first evaluation alone takes seconds from about 20 events up.
pub(crate) fn wide(n: u32) -> String {
    let mut text = String::from(
        "[scenario]\ntitle = \"wide\"\n\n[actors]\nme = \"Me\"\n\n[facts]\nx = { type = \"number\", default = 0 }\n\n",
    );
    for i in 0..n {
        let _ = write!(
            text,
            "[decisions.d{i}]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\nlikelihood = {{ a = \"likely\", b = \"unlikely\" }}\n\n"
        );
    }
    for i in 0..n {
        let _ = write!(
            text,
            "[rules.r{i}]\nwhen = \"d{i} == 'a'\"\nadd = {{ x = {} }}\nbecause = \"each one counts\"\n\n",
            1u64 << i
        );
    }
    let _ = write!(
        text,
        "[outcomes.high]\nwhen = \"x > {}\"\npayoff = {{ me = 1 }}\n\n[outcomes.low]\npayoff = {{ me = 0 }}\n",
        1u64 << (n - 1)
    );
    text
}

/// A complete binary game tree of perfect information, `depth` moves on every path
/// (2^depth − 1 moves in all), the two players moving in turn, the leaves paying one of three
/// outcomes, as `.efg` text. Its scenario has one guarded decision per move, so `casus import`,
/// which checks (and so evaluates) it, takes seconds from about 1,000 moves up (20 s for
/// 1,023 in a debug build).
pub(crate) fn binary_game(depth: u32) -> String {
    let mut text = String::from("EFG 2 R \"binary\" { \"P1\" \"P2\" }\n\"\"\n\n");
    let mut infosets = [0u32; 2];
    let mut leaves = 0u32;
    // Depth-first, left before right, as the format lists nodes: a stack of depths to visit.
    let mut stack = vec![0];
    while let Some(d) = stack.pop() {
        if d == depth {
            leaves += 1;
            let k = leaves % 3 + 1;
            let _ = writeln!(text, "t \"\" {k} \"o{k}\" {{ {k}, -{k} }}");
            continue;
        }
        let player = (d % 2) as usize;
        infosets[player] += 1;
        let _ = writeln!(
            text,
            "p \"\" {} {} \"\" {{ \"L\" \"R\" }} 0",
            player + 1,
            infosets[player]
        );
        stack.extend([d + 1, d + 1]);
    }
    text
}
