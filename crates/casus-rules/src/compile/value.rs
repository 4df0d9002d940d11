//! Run-time values: small, `Copy`, with symbols interned.

/// A value in a slot during evaluation.
///
/// `Unset` is the value of a decision not (yet) taken. It equals only itself, so `x == 'a'` is
/// false and `x != 'a'` is true for a skipped decision, as format v1 says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// A decision not taken (yet).
    Unset,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// An interned symbol: an index into [`Symbols`].
    Sym(u32),
}

impl Val {
    /// A word for hashing: slots have one type each, so encodings never collide within a slot.
    pub(crate) fn bits(self) -> u64 {
        match self {
            Val::Unset => u64::MAX,
            Val::Bool(b) => u64::from(b),
            Val::Num(n) => n.to_bits(),
            Val::Sym(s) => u64::from(s),
        }
    }

    /// Whether two values are equal under format v1's rules.
    pub(crate) fn equals(self, other: Val) -> bool {
        match (self, other) {
            (Val::Unset, Val::Unset) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Num(a), Val::Num(b)) => a == b,
            (Val::Sym(a), Val::Sym(b)) => a == b,
            _ => false,
        }
    }

    pub(crate) fn truthy(self) -> bool {
        matches!(self, Val::Bool(true))
    }

    pub(crate) fn num(self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(n),
            _ => None,
        }
    }
}

/// The interned symbols of one scenario.
///
/// Shared between clones until one of them interns a new symbol: analyses clone a program for
/// every table or rule they vary, and none of them adds a symbol, so a clone costs a pointer.
#[derive(Clone, Default)]
pub struct Symbols(std::sync::Arc<Interned>);

#[derive(Clone, Default)]
struct Interned {
    names: Vec<String>,
    index: std::collections::HashMap<String, u32>,
}

impl Symbols {
    /// The id of `name`, interning it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.0.index.get(name) {
            return id;
        }
        let interned = std::sync::Arc::make_mut(&mut self.0);
        let id = u32::try_from(interned.names.len()).unwrap_or(u32::MAX);
        interned.names.push(name.to_owned());
        interned.index.insert(name.to_owned(), id);
        id
    }

    /// The id of `name`, if interned.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.0.index.get(name).copied()
    }

    /// The text of symbol `id`.
    pub fn name(&self, id: u32) -> &str {
        self.0.names.get(id as usize).map_or("?", String::as_str)
    }
}

/// The names in id order: the index is a function of them, and a hash map would print in an
/// order that changes from run to run.
impl std::fmt::Debug for Symbols {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Symbols").field(&self.0.names).finish()
    }
}
