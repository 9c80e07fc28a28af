//! Out-of-line helper functions callable from IR (`Inst::Call`), and the global registry that
//! lets the text parser find a helper by name.
//!
//! Calling convention: `extern "C" fn(env: *mut u8, a0: u64, ..., an: u64) -> u64` with
//! `args.len()` arguments after `env` (at most [`MAX_HELPER_ARGS`]). `env` is the CPU state
//! (starting with a [`crate::CpuHeader`]).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::Type;

/// Most arguments (after `env`) a helper may take.
pub const MAX_HELPER_ARGS: usize = 6;

/// What a helper may do besides computing its result. Backends keep guest registers in host
/// registers inside a block; they must write them back before a helper that reads state and
/// reload after one that writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HelperEffects {
    pub reads_state: bool,
    pub writes_state: bool,
    /// Touches guest memory (orders against loads and stores).
    pub memory: bool,
}

impl HelperEffects {
    /// A pure function of its arguments.
    pub const PURE: HelperEffects = HelperEffects {
        reads_state: false,
        writes_state: false,
        memory: false,
    };
    /// May read and write any guest state and memory.
    pub const ALL: HelperEffects = HelperEffects {
        reads_state: true,
        writes_state: true,
        memory: true,
    };
}

/// A helper's description. Define each as a `static` and reference it from `Inst::Call`.
#[derive(Debug)]
pub struct Helper {
    /// Unique name, used by the text format.
    pub name: &'static str,
    /// Address of the `extern "C"` function.
    pub func: HelperFn,
    /// Number of u64 arguments after `env`.
    pub nargs: usize,
    /// Type of the result, if any.
    pub ret: Option<Type>,
    pub effects: HelperEffects,
}

/// A helper's function pointer, whatever its arity.
#[derive(Clone, Copy, Debug)]
pub enum HelperFn {
    A0(extern "C" fn(*mut u8) -> u64),
    A1(extern "C" fn(*mut u8, u64) -> u64),
    A2(extern "C" fn(*mut u8, u64, u64) -> u64),
    A3(extern "C" fn(*mut u8, u64, u64, u64) -> u64),
    A4(extern "C" fn(*mut u8, u64, u64, u64, u64) -> u64),
    A5(extern "C" fn(*mut u8, u64, u64, u64, u64, u64) -> u64),
    A6(extern "C" fn(*mut u8, u64, u64, u64, u64, u64, u64) -> u64),
}

impl HelperFn {
    /// The function's address, for generated code.
    pub fn addr(self) -> usize {
        match self {
            HelperFn::A0(f) => f as usize,
            HelperFn::A1(f) => f as usize,
            HelperFn::A2(f) => f as usize,
            HelperFn::A3(f) => f as usize,
            HelperFn::A4(f) => f as usize,
            HelperFn::A5(f) => f as usize,
            HelperFn::A6(f) => f as usize,
        }
    }

    /// Number of arguments after `env`.
    pub fn arity(self) -> usize {
        match self {
            HelperFn::A0(_) => 0,
            HelperFn::A1(_) => 1,
            HelperFn::A2(_) => 2,
            HelperFn::A3(_) => 3,
            HelperFn::A4(_) => 4,
            HelperFn::A5(_) => 5,
            HelperFn::A6(_) => 6,
        }
    }

    /// Call it (used by the interpreter). `args.len()` must equal the arity.
    pub fn call(self, env: *mut u8, a: &[u64]) -> u64 {
        let g = |i: usize| a.get(i).copied().unwrap_or(0);
        match self {
            HelperFn::A0(f) => f(env),
            HelperFn::A1(f) => f(env, g(0)),
            HelperFn::A2(f) => f(env, g(0), g(1)),
            HelperFn::A3(f) => f(env, g(0), g(1), g(2)),
            HelperFn::A4(f) => f(env, g(0), g(1), g(2), g(3)),
            HelperFn::A5(f) => f(env, g(0), g(1), g(2), g(3), g(4)),
            HelperFn::A6(f) => f(env, g(0), g(1), g(2), g(3), g(4), g(5)),
        }
    }
}

fn registry() -> &'static Mutex<HashMap<&'static str, &'static Helper>> {
    static REGISTRY: OnceLock<Mutex<HashMap<&'static str, &'static Helper>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Make `helper` findable by name (idempotent). Frontends register their helpers when created.
pub fn register(helper: &'static Helper) {
    let mut map = registry().lock().unwrap_or_else(|e| e.into_inner());
    map.insert(helper.name, helper);
}

/// Register many helpers.
pub fn register_all(helpers: &[&'static Helper]) {
    for h in helpers {
        register(h);
    }
}

/// Find a registered helper by name.
pub fn lookup(name: &str) -> Option<&'static Helper> {
    let map = registry().lock().unwrap_or_else(|e| e.into_inner());
    map.get(name).copied()
}

impl PartialEq for Helper {
    /// Helpers are identified by name.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
