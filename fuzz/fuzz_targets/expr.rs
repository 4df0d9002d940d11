//! The expression lexer and parser on arbitrary text, with the default limits and tiny ones.
#![no_main]

use casus_core::expr::{ExprLimits, parse_expr};
use casus_core::toml_str::StrMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let map = StrMap::identity(text, 0);
    let _ = parse_expr(text, &map, ExprLimits::default());
    let tiny = ExprLimits {
        max_depth: 3,
        max_len: 64,
    };
    let _ = parse_expr(text, &map, tiny);
});
