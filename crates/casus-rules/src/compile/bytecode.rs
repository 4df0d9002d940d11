//! Compiled expressions: a flat instruction list over slots, run on a small reusable stack.
//!
//! Compiling once means evaluation never looks a name up or walks a syntax tree of strings;
//! the hot loop is a `match` over a few opcodes.

use std::sync::Arc;

use casus_core::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use casus_core::names::{NameRef, Names};

use crate::compile::value::{Symbols, Val};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    Load(u32),
    Const(Val),
    Not,
    Neg,
    Arith(BinaryOp),
    Eq,
    Ne,
    Cmp(BinaryOp),
    /// If the top is false, jump (keeping it); else pop it and go on. Short-circuits `and`.
    JumpIfFalse(u32),
    /// If the top is true, jump (keeping it); else pop it and go on. Short-circuits `or`.
    JumpIfTrue(u32),
}

/// A compiled expression.
///
/// Immutable once compiled, and shared between clones: analyses clone a program for every
/// table or rule they vary, and a clone of its code costs a few reference counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Code {
    ops: Arc<[Op]>,
    /// Slots the expression reads; drives the dependency analysis.
    pub(crate) reads: Arc<[u32]>,
    /// The same condition as a small tree of comparisons of one slot with a constant, when it
    /// has that shape (almost every rule does); it runs without a stack. `None` for
    /// expressions with arithmetic or comparisons of two names, which run on `ops`.
    fast: Option<Fast>,
}

/// A condition made of comparisons of one slot with a constant.
///
/// INVARIANT: `Fast::eval` is truthy exactly when running the `ops` of the same expression
/// gives a truthy value; `fast_agrees_with_the_stack_machine` below checks it.
#[derive(Clone, Debug, PartialEq)]
enum Fast {
    Const(bool),
    /// A bare name: holds when the slot is `true`.
    Truthy(u32),
    Eq(u32, Val),
    Ne(u32, Val),
    /// `slot op constant` on numbers; false when the slot is not a number.
    Cmp(u32, BinaryOp, f64),
    In(u32, Arc<[Val]>),
    Not(Arc<Fast>),
    And(Arc<[Fast]>),
    Or(Arc<[Fast]>),
    /// An `and` of `slot == value` (`true`) and `slot != value` (`false`) tests, the most
    /// common rule shape, checked in one flat loop.
    AllEq(Arc<[(u32, Val, bool)]>),
    /// The same when every value is a symbol: compares symbol ids only.
    AllSym(Arc<[(u32, u32, bool)]>),
}

impl Fast {
    /// Adds to `out` every constant `slot` is compared with; false if `slot` is read in any
    /// other way (as a bare name).
    fn constants(&self, slot: u32, out: &mut Vec<f64>) -> bool {
        let mut number = |v: &Val| {
            if let Val::Num(k) = v {
                out.push(*k);
            }
        };
        match self {
            Fast::Const(_) => true,
            Fast::Truthy(s) => *s != slot,
            Fast::Eq(s, v) | Fast::Ne(s, v) => {
                if *s == slot {
                    number(v);
                }
                true
            }
            Fast::Cmp(s, _, k) => {
                if *s == slot {
                    out.push(*k);
                }
                true
            }
            Fast::In(s, items) => {
                if *s == slot {
                    items.iter().for_each(number);
                }
                true
            }
            Fast::Not(inner) => inner.constants(slot, out),
            Fast::And(parts) | Fast::Or(parts) => parts.iter().all(|p| p.constants(slot, out)),
            Fast::AllEq(tests) => {
                for (s, v, _) in tests.iter() {
                    if *s == slot {
                        number(v);
                    }
                }
                true
            }
            Fast::AllSym(_) => true,
        }
    }

    /// Whether the condition is false whenever `slot` is unset, whatever the other slots hold.
    /// Conservative: `false` when unsure (a negation, a shape it does not look into).
    fn false_while_unset(&self, slot: u32) -> bool {
        let unset_is = |v: &Val| Val::Unset.equals(*v);
        match self {
            Fast::Const(b) => !*b,
            Fast::Truthy(s) | Fast::Cmp(s, _, _) => *s == slot,
            Fast::Eq(s, v) => *s == slot && !unset_is(v),
            Fast::In(s, items) => *s == slot && !items.iter().any(unset_is),
            Fast::Ne(..) | Fast::Not(_) => false,
            Fast::And(parts) => parts.iter().any(|p| p.false_while_unset(slot)),
            Fast::Or(parts) => !parts.is_empty() && parts.iter().all(|p| p.false_while_unset(slot)),
            Fast::AllEq(tests) => tests
                .iter()
                .any(|(s, v, equal)| *s == slot && *equal && !unset_is(v)),
            Fast::AllSym(tests) => tests.iter().any(|&(s, _, equal)| s == slot && equal),
        }
    }

    fn eval(&self, slots: &[Val]) -> bool {
        let at = |slot: u32| slots.get(slot as usize).copied().unwrap_or(Val::Unset);
        match self {
            Fast::Const(b) => *b,
            Fast::Truthy(s) => at(*s).truthy(),
            Fast::Eq(s, v) => at(*s).equals(*v),
            Fast::Ne(s, v) => !at(*s).equals(*v),
            Fast::Cmp(s, op, k) => at(*s).num().is_some_and(|a| match op {
                BinaryOp::Lt => a < *k,
                BinaryOp::Le => a <= *k,
                BinaryOp::Gt => a > *k,
                _ => a >= *k,
            }),
            Fast::In(s, items) => {
                let v = at(*s);
                items.iter().any(|i| v.equals(*i))
            }
            Fast::Not(inner) => !inner.eval(slots),
            Fast::And(parts) => parts.iter().all(|p| p.eval(slots)),
            Fast::AllEq(tests) => tests.iter().all(|&(s, v, equal)| at(s).equals(v) == equal),
            Fast::AllSym(tests) => tests
                .iter()
                .all(|&(s, sym, equal)| matches!(at(s), Val::Sym(x) if x == sym) == equal),
            Fast::Or(parts) => parts.iter().any(|p| p.eval(slots)),
        }
    }

    /// The fast form of `expr`, if it has one.
    fn build(expr: &Expr, slots: &SlotMap<'_>, symbols: &mut Symbols) -> Option<Fast> {
        let slot_of = |e: &Expr| match &e.kind {
            ExprKind::Name(name) => match slots.names.get(name) {
                Some((NameRef::Decision(i), _)) => Some((slots.decision_slot)(i)),
                Some((NameRef::Fact(i), _)) => Some((slots.fact_slot)(i)),
                None => None,
            },
            _ => None,
        };
        let constant = |e: &Expr, symbols: &mut Symbols| match &e.kind {
            ExprKind::Bool(b) => Some(Val::Bool(*b)),
            ExprKind::Number(n) => Some(Val::Num(*n)),
            ExprKind::Symbol(s) => Some(Val::Sym(symbols.intern(s))),
            _ => None,
        };
        match &expr.kind {
            ExprKind::Bool(b) => Some(Fast::Const(*b)),
            ExprKind::Name(_) => slot_of(expr).map(Fast::Truthy),
            ExprKind::Unary(UnaryOp::Not, inner) => {
                Some(Fast::Not(Arc::new(Fast::build(inner, slots, symbols)?)))
            }
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), _, _) => {
                // Flatten chains of the same operator into one list.
                let mut parts = Vec::new();
                let mut stack = vec![expr];
                while let Some(e) = stack.pop() {
                    match &e.kind {
                        ExprKind::Binary(o, l, r) if o == op => {
                            stack.push(r);
                            stack.push(l);
                        }
                        _ => parts.push(Fast::build(e, slots, symbols)?),
                    }
                }
                let tests: Option<Vec<(u32, Val, bool)>> = parts
                    .iter()
                    .map(|p| match p {
                        Fast::Eq(s, v) => Some((*s, *v, true)),
                        Fast::Ne(s, v) => Some((*s, *v, false)),
                        _ => None,
                    })
                    .collect();
                let symbols: Option<Vec<(u32, u32, bool)>> = tests.as_ref().and_then(|tests| {
                    tests
                        .iter()
                        .map(|&(s, v, equal)| match v {
                            Val::Sym(id) => Some((s, id, equal)),
                            _ => None,
                        })
                        .collect()
                });
                Some(if *op == BinaryOp::And {
                    match (symbols, tests) {
                        (Some(symbols), _) => Fast::AllSym(symbols.into()),
                        (None, Some(tests)) => Fast::AllEq(tests.into()),
                        (None, None) => Fast::And(parts.into()),
                    }
                } else {
                    Fast::Or(parts.into())
                })
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let (slot, value, flipped) = match (slot_of(lhs), slot_of(rhs)) {
                    (Some(s), None) => (s, constant(rhs, symbols)?, false),
                    (None, Some(s)) => (s, constant(lhs, symbols)?, true),
                    _ => return None,
                };
                match op {
                    BinaryOp::Eq => Some(Fast::Eq(slot, value)),
                    BinaryOp::Ne => Some(Fast::Ne(slot, value)),
                    BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                        let Val::Num(k) = value else {
                            return Some(Fast::Const(false));
                        };
                        let op = if flipped {
                            match op {
                                BinaryOp::Lt => BinaryOp::Gt,
                                BinaryOp::Le => BinaryOp::Ge,
                                BinaryOp::Gt => BinaryOp::Lt,
                                _ => BinaryOp::Le,
                            }
                        } else {
                            *op
                        };
                        Some(Fast::Cmp(slot, op, k))
                    }
                    _ => None,
                }
            }
            ExprKind::In(lhs, items) => {
                let slot = slot_of(lhs)?;
                let values = items
                    .iter()
                    .map(|i| constant(i, symbols))
                    .collect::<Option<Vec<_>>>()?;
                Some(Fast::In(slot, values.into()))
            }
            _ => None,
        }
    }
}

/// Where a name's value lives at run time.
pub(crate) struct SlotMap<'a> {
    pub(crate) names: &'a Names,
    pub(crate) decision_slot: &'a dyn Fn(usize) -> u32,
    pub(crate) fact_slot: &'a dyn Fn(usize) -> u32,
}

/// The instructions and reads of an expression, as they are emitted.
#[derive(Default)]
struct Emitter {
    ops: Vec<Op>,
    reads: Vec<u32>,
}

impl Emitter {
    fn emit(&mut self, expr: &Expr, slots: &SlotMap<'_>, symbols: &mut Symbols) {
        match &expr.kind {
            ExprKind::Bool(b) => self.ops.push(Op::Const(Val::Bool(*b))),
            ExprKind::Number(n) => self.ops.push(Op::Const(Val::Num(*n))),
            ExprKind::Symbol(s) => self.ops.push(Op::Const(Val::Sym(symbols.intern(s)))),
            ExprKind::Name(name) => match slots.names.get(name) {
                Some((NameRef::Decision(i), _)) => self.load((slots.decision_slot)(i)),
                Some((NameRef::Fact(i), _)) => self.load((slots.fact_slot)(i)),
                None => self.ops.push(Op::Const(Val::Unset)),
            },
            ExprKind::Unary(op, operand) => {
                self.emit(operand, slots, symbols);
                self.ops.push(match op {
                    UnaryOp::Not => Op::Not,
                    UnaryOp::Neg => Op::Neg,
                });
            }
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), lhs, rhs) => {
                self.emit(lhs, slots, symbols);
                let jump = self.ops.len();
                self.ops.push(Op::Const(Val::Unset)); // patched below
                self.emit(rhs, slots, symbols);
                let target = self.target();
                self.ops[jump] = if *op == BinaryOp::And {
                    Op::JumpIfFalse(target)
                } else {
                    Op::JumpIfTrue(target)
                };
            }
            ExprKind::Binary(op, lhs, rhs) => {
                self.emit(lhs, slots, symbols);
                self.emit(rhs, slots, symbols);
                self.ops.push(match op {
                    BinaryOp::Eq => Op::Eq,
                    BinaryOp::Ne => Op::Ne,
                    BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => Op::Cmp(*op),
                    _ => Op::Arith(*op),
                });
            }
            ExprKind::In(lhs, items) => {
                // `x in [a, b]` runs as `x == a or x == b`.
                if items.is_empty() {
                    self.ops.push(Op::Const(Val::Bool(false)));
                    return;
                }
                let mut jumps = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    self.emit(lhs, slots, symbols);
                    self.emit(item, slots, symbols);
                    self.ops.push(Op::Eq);
                    if i + 1 < items.len() {
                        jumps.push(self.ops.len());
                        self.ops.push(Op::Const(Val::Unset));
                    }
                }
                let target = self.target();
                for j in jumps {
                    self.ops[j] = Op::JumpIfTrue(target);
                }
            }
        }
    }

    fn load(&mut self, slot: u32) {
        self.reads.push(slot);
        self.ops.push(Op::Load(slot));
    }

    fn target(&self) -> u32 {
        u32::try_from(self.ops.len()).unwrap_or(u32::MAX)
    }
}

impl Code {
    /// Whether `other` is this code: a clone of it, or the same compile. Codes are never
    /// changed once compiled (see `crate::search::memo`), so sharing the instructions is
    /// being the same code.
    pub(crate) fn same(&self, other: &Code) -> bool {
        Arc::ptr_eq(&self.ops, &other.ops)
    }

    /// The address [`Code::same`] compares, for hashing.
    pub(crate) fn identity(&self) -> usize {
        Arc::as_ptr(&self.ops).cast::<Op>() as usize
    }

    /// Compiles a checked expression. Names that do not resolve (impossible after a clean
    /// check) compile to `Unset`, so compiling never fails.
    pub(crate) fn compile(expr: &Expr, slots: &SlotMap<'_>, symbols: &mut Symbols) -> Code {
        let mut emitter = Emitter::default();
        emitter.emit(expr, slots, symbols);
        emitter.reads.sort_unstable();
        emitter.reads.dedup();
        Code {
            ops: emitter.ops.into(),
            reads: emitter.reads.into(),
            fast: Fast::build(expr, slots, symbols),
        }
    }

    /// Adds to `out` every number `slot` is compared with in this expression. Returns false
    /// when the expression uses `slot` in any other way (arithmetic, a comparison with another
    /// name), so its value cannot be summarised by where it lies among those numbers.
    pub(crate) fn constants(&self, slot: u32, out: &mut Vec<f64>) -> bool {
        if !self.reads.contains(&slot) {
            return true;
        }
        self.fast.as_ref().is_some_and(|f| f.constants(slot, out))
    }

    /// Whether the condition holds on `slots`; `stack` is scratch space for expressions that
    /// have no fast form.
    #[inline]
    /// Whether the condition is false whenever `slot` is unset (a decision not yet taken), as
    /// far as its fast form shows; `false` when it has none.
    pub(crate) fn false_while_unset(&self, slot: u32) -> bool {
        self.fast
            .as_ref()
            .is_some_and(|f| f.false_while_unset(slot))
    }

    pub(crate) fn holds(&self, slots: &[Val], stack: &mut Vec<Val>) -> bool {
        match &self.fast {
            Some(fast) => fast.eval(slots),
            None => self.run_ops(slots, stack).truthy(),
        }
    }

    /// Runs the code on `slots`; `stack` is scratch space reused across calls. Conditions
    /// come back as `true` or `false`.
    pub(crate) fn run(&self, slots: &[Val], stack: &mut Vec<Val>) -> Val {
        match &self.fast {
            Some(fast) => Val::Bool(fast.eval(slots)),
            None => self.run_ops(slots, stack),
        }
    }

    fn run_ops(&self, slots: &[Val], stack: &mut Vec<Val>) -> Val {
        stack.clear();
        let mut pc = 0;
        while let Some(op) = self.ops.get(pc) {
            pc += 1;
            match *op {
                Op::Load(slot) => {
                    stack.push(slots.get(slot as usize).copied().unwrap_or(Val::Unset))
                }
                Op::Const(v) => stack.push(v),
                Op::Not => {
                    let v = pop(stack);
                    stack.push(Val::Bool(!v.truthy()));
                }
                Op::Neg => {
                    let v = pop(stack);
                    stack.push(v.num().map_or(Val::Unset, |n| Val::Num(-n)));
                }
                Op::Arith(op) => {
                    let (b, a) = (pop(stack), pop(stack));
                    let value = match (a.num(), b.num()) {
                        (Some(a), Some(b)) => Val::Num(match op {
                            BinaryOp::Add => a + b,
                            BinaryOp::Sub => a - b,
                            BinaryOp::Mul => a * b,
                            _ => a / b,
                        }),
                        _ => Val::Unset,
                    };
                    stack.push(value);
                }
                Op::Eq => {
                    let (b, a) = (pop(stack), pop(stack));
                    stack.push(Val::Bool(a.equals(b)));
                }
                Op::Ne => {
                    let (b, a) = (pop(stack), pop(stack));
                    stack.push(Val::Bool(!a.equals(b)));
                }
                Op::Cmp(op) => {
                    let (b, a) = (pop(stack), pop(stack));
                    let holds = match (a.num(), b.num()) {
                        (Some(a), Some(b)) => match op {
                            BinaryOp::Lt => a < b,
                            BinaryOp::Le => a <= b,
                            BinaryOp::Gt => a > b,
                            _ => a >= b,
                        },
                        _ => false,
                    };
                    stack.push(Val::Bool(holds));
                }
                Op::JumpIfFalse(target) => {
                    if stack.last().is_some_and(|v| !v.truthy()) {
                        pc = target as usize;
                    } else {
                        stack.pop();
                    }
                }
                Op::JumpIfTrue(target) => {
                    if stack.last().is_some_and(|v| v.truthy()) {
                        pc = target as usize;
                    } else {
                        stack.pop();
                    }
                }
            }
        }
        pop(stack)
    }
}

fn pop(stack: &mut Vec<Val>) -> Val {
    stack.pop().unwrap_or(Val::Unset)
}

#[cfg(test)]
mod tests {
    use casus_core::SourceFile;
    use casus_core::limits::Limits;

    use super::*;
    use crate::search::walk::EvalLimits;

    /// Every expression shape, as rule conditions over two decisions and three derived facts.
    const CONDITIONS: &[&str] = &[
        "a == 'x'",
        "a != 'y'",
        "'x' == a",
        "a == 'x' and b != 'z'",
        "a == 'x' or b == 'y'",
        "not (a == 'x' and b == 'y')",
        "a in ['x', 'z']",
        "flag",
        "not flag",
        "flag and a == 'y'",
        "n >= 2",
        "2 < n",
        "n <= 1 or flag",
        "n == 1",
        "level != 'mid' and (a == 'x' or not flag)",
        "n + 1 > 2",
        "a == b",
        "true",
        "false or n < 3",
        "a == 'x' or (a == 'z' and b == 'y')",
    ];

    fn program() -> crate::Program {
        let mut text = String::from(
            "[scenario]\ntitle = \"t\"\n[actors]\np = \"P\"\n[facts]\n\
             flag = { type = \"bool\", default = false }\nn = { type = \"number\", default = 0 }\n\
             level = { type = [\"low\", \"mid\"], default = \"low\" }\n\
             out = { type = \"bool\", default = false }\n\
             [decisions.a]\nactor = \"p\"\noptions = [\"x\", \"y\", \"z\"]\n\
             [decisions.b]\nactor = \"p\"\noptions = [\"x\", \"y\", \"z\"]\n",
        );
        for (i, c) in CONDITIONS.iter().enumerate() {
            text.push_str(&format!(
                "[rules.r{i}]\nwhen = \"{c}\"\nthen = {{ out = true }}\n"
            ));
        }
        text.push_str("[outcomes.o]\ntitle = \"o\"\n");
        let checked = crate::check_source(
            &SourceFile::new("t.toml", text.as_str()),
            &Limits::default(),
            &EvalLimits::default(),
        );
        assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
        checked.program.unwrap()
    }

    #[test]
    fn fast_agrees_with_the_stack_machine() {
        let program = program();
        let sym = |s: &str| Val::Sym(program.symbols.get(s).unwrap());
        let decision = [Val::Unset, sym("x"), sym("y"), sym("z")];
        let mut stack = Vec::new();
        let mut fast_count = 0;
        for rule in &program.rules {
            fast_count += usize::from(rule.when.fast.is_some());
            for a in decision {
                for b in decision {
                    for flag in [false, true] {
                        for n in [0.0, 1.0, 2.0, 2.5, 3.0] {
                            for level in ["low", "mid"] {
                                let mut slots = program.initial.clone();
                                slots[0] = a;
                                slots[1] = b;
                                slots[2] = Val::Bool(flag);
                                slots[3] = Val::Num(n);
                                slots[4] = sym(level);
                                let expected = rule.when.run_ops(&slots, &mut stack).truthy();
                                assert_eq!(
                                    rule.when.holds(&slots, &mut stack),
                                    expected,
                                    "rule {} on {slots:?}",
                                    rule.index
                                );
                            }
                        }
                    }
                }
            }
        }
        // Only the arithmetic and the name-to-name comparison run on the stack machine.
        assert_eq!(fast_count, CONDITIONS.len() - 2);
    }

    /// A condition said to be false while a decision is unset is false on every assignment
    /// of the other slots with that decision unset; and the claim is made for some conditions
    /// (so the check cannot pass by never claiming anything).
    #[test]
    fn false_while_unset_is_never_wrong() {
        let program = program();
        let sym = |s: &str| Val::Sym(program.symbols.get(s).unwrap());
        let decision = [Val::Unset, sym("x"), sym("y"), sym("z")];
        let mut stack = Vec::new();
        let mut claims = 0;
        for rule in &program.rules {
            for slot in [0u32, 1] {
                if !rule.when.false_while_unset(slot) {
                    continue;
                }
                claims += 1;
                for other in decision {
                    for flag in [false, true] {
                        for n in [0.0, 1.0, 2.0, 2.5, 3.0] {
                            let mut slots = program.initial.clone();
                            slots[slot as usize] = Val::Unset;
                            slots[1 - slot as usize] = other;
                            slots[2] = Val::Bool(flag);
                            slots[3] = Val::Num(n);
                            assert!(
                                !rule.when.run_ops(&slots, &mut stack).truthy(),
                                "rule {} holds on {slots:?}",
                                rule.index
                            );
                        }
                    }
                }
            }
        }
        assert!(claims >= 5, "only {claims} claims");
    }
}
