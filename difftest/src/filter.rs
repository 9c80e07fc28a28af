//! Name-based skipping: instructions the reference gets wrong, extensions emu-user does not
//! implement, and `--exclude`; builds case sequences from the generator through it and
//! prints what it skipped (never silently).

use std::collections::BTreeMap;

use crate::arch::{self, ArchSpec, GenInsn};
use crate::rng::Rng;
use crate::session::Session;

/// Skips instructions by name: the arch's known reference bugs and `--exclude`.
pub struct Filter<'a> {
    pub arch: &'a dyn ArchSpec,
    pub exclude: &'a [String],
    /// Times each skip rule fired.
    pub hits: BTreeMap<String, u64>,
}

impl Filter<'_> {
    /// The rule skipping `g`, if any.
    fn rule(&self, g: &GenInsn) -> Option<String> {
        let named = |n: &str| g.name == n || g.mnemonic == n;
        self.arch
            .known_reference_bugs()
            .iter()
            .chain(self.arch.not_implemented())
            .map(|b| b.name.to_string())
            .chain(self.exclude.iter().cloned())
            .find(|n| named(n))
    }

    /// `n` instructions, none reading a flag an earlier one left undefined.
    pub fn sequence(&mut self, rng: &mut Rng, n: usize) -> Vec<GenInsn> {
        let mut insns = Vec::with_capacity(n);
        while insns.len() < n {
            insns.push(self.generate(rng));
            if !arch::valid_sequence(self.arch, &insns) {
                insns.pop();
            }
        }
        insns
    }

    fn generate(&mut self, rng: &mut Rng) -> GenInsn {
        loop {
            let g = self.arch.generate(rng);
            match self.rule(&g) {
                Some(rule) => *self.hits.entry(rule).or_default() += 1,
                None => return g,
            }
        }
    }
}

/// Prints the `skipped by name` and `not compared` summary lines.
pub fn print_skips(s: &Session, filter: &Filter) {
    let known = s.arch.known_reference_bugs();
    let unimpl = s.arch.not_implemented();
    if known.is_empty() && unimpl.is_empty() && filter.exclude.is_empty() && s.ignored.is_empty() {
        return;
    }
    let hits = |name: &str| filter.hits.get(name).copied().unwrap_or(0);
    let mut parts = Vec::new();
    for b in known {
        let n = hits(b.name);
        parts.push(format!("{} ({n}x, reference bug: {})", b.name, b.reason));
    }
    for b in unimpl {
        let n = hits(b.name);
        parts.push(format!("{} ({n}x, not implemented: {})", b.name, b.reason));
    }
    for x in filter.exclude {
        parts.push(format!("{x} ({}x, --exclude)", hits(x)));
    }
    for &(i, bits) in &s.ignored {
        let name = &s.arch.layout().fields[i].name;
        println!("not compared: {name} bits {bits:#x} (--mask)");
    }
    if !parts.is_empty() {
        println!("skipped by name: {}", parts.join("; "));
    }
}
