//! Large Gambit games for the tests of `casus import` that need one slow to import: a
//! complete binary tree of perfect information, the two players moving in turn, whose
//! leaves pay one of three outcomes. Its scenario has one guarded decision per move, so
//! checking it (which evaluates it) takes seconds from about 2,000 moves up.

use std::fmt::Write as _;

/// The `.efg` text of the game of `depth` moves on every path (2^depth − 1 moves in all).
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
