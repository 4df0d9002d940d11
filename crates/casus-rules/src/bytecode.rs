//! Compiled expressions: a flat instruction list over slots, run on a small reusable stack.
//!
//! Compiling once means evaluation never looks a name up or walks a syntax tree of strings;
//! the hot loop is a `match` over a few opcodes.

use casus_core::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use casus_core::names::{NameRef, Names};

use crate::value::{Symbols, Val};

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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Code {
    ops: Vec<Op>,
    /// Slots the expression reads; drives the dependency analysis.
    pub(crate) reads: Vec<u32>,
}

/// Where a name's value lives at run time.
pub(crate) struct SlotMap<'a> {
    pub(crate) names: &'a Names,
    pub(crate) decision_slot: &'a dyn Fn(usize) -> u32,
    pub(crate) fact_slot: &'a dyn Fn(usize) -> u32,
}

impl Code {
    /// Compiles a checked expression. Names that do not resolve (impossible after a clean
    /// check) compile to `Unset`, so compiling never fails.
    pub(crate) fn compile(expr: &Expr, slots: &SlotMap<'_>, symbols: &mut Symbols) -> Code {
        let mut code = Code::default();
        code.emit(expr, slots, symbols);
        code.reads.sort_unstable();
        code.reads.dedup();
        code
    }

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

    /// Runs the code on `slots`; `stack` is scratch space reused across calls.
    pub(crate) fn run(&self, slots: &[Val], stack: &mut Vec<Val>) -> Val {
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
