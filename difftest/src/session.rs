//! A test session: the arch, the reference and emu runners, and a work directory. Owns
//! running sets of cases (one batch program, falling back to one program per case when a
//! batch run fails) and comparing a case's reference and emu records field by field.

use std::path::PathBuf;

use crate::arch::{undefined_flags_after, ArchSpec, GenInsn};
use crate::layout::{u64_at, Kind, SCRATCH};
use crate::program::{self, ProgramCase};
use crate::runner::{parse_records, write_program, Record, Runner};

/// One test case: instructions and the input state block.
#[derive(Clone, Debug)]
pub struct Case {
    pub insns: Vec<GenInsn>,
    pub input: Vec<u8>,
}

impl Case {
    /// The concatenated instruction bytes.
    pub fn code(&self) -> Vec<u8> {
        self.insns
            .iter()
            .flat_map(|i| i.bytes.iter().copied())
            .collect()
    }

    /// Flag bits left undefined at the end of the case.
    pub fn undef_flags(&self) -> u64 {
        undefined_flags_after(&self.insns).unwrap_or(u64::MAX)
    }

    /// Whether `arch`'s reference is an oracle for this case's sequence.
    pub fn is_valid(&self, arch: &dyn ArchSpec) -> bool {
        crate::arch::valid_sequence(arch, &self.insns)
    }
}

/// What a runner produced for one case.
pub type Outcome = Result<Record, String>;

/// A place in the recorded state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    Signal,
    Field(usize),
    /// The scratch qword at this byte offset of the window.
    Mem(usize),
}

pub struct Session {
    pub arch: Box<dyn ArchSpec>,
    pub reference: Runner,
    pub workdir: PathBuf,
    /// Bits of 8-byte fields not compared (`--mask`), by field index.
    pub ignored: Vec<(usize, u64)>,
    counter: std::cell::Cell<u64>,
}

impl Session {
    pub fn new(arch: Box<dyn ArchSpec>, reference: Runner, workdir: PathBuf) -> Self {
        Session {
            arch,
            reference,
            workdir,
            ignored: Vec::new(),
            counter: std::cell::Cell::new(0),
        }
    }

    /// The ELF image running `cases`, and its expected output length.
    pub fn program(&self, cases: &[Case]) -> program::Program {
        let codes: Vec<Vec<u8>> = cases.iter().map(Case::code).collect();
        let pcs: Vec<ProgramCase> = cases
            .iter()
            .zip(&codes)
            .map(|(c, code)| ProgramCase {
                code: code.clone(),
                input: &c.input,
            })
            .collect();
        program::build(self.arch.as_ref(), &pcs)
    }

    /// Runs `cases` under `runner`: one batch, or one program per case if the batch fails.
    pub fn run(&self, runner: &Runner, cases: &[Case]) -> Vec<Outcome> {
        match self.run_batch(runner, cases) {
            Ok(recs) => recs.into_iter().map(Ok).collect(),
            Err(e) if cases.len() == 1 => vec![Err(e)],
            Err(_) => cases
                .iter()
                .map(|c| match self.run_batch(runner, std::slice::from_ref(c)) {
                    Ok(mut r) => Ok(r.remove(0)),
                    Err(e) => Err(e),
                })
                .collect(),
        }
    }

    fn run_batch(&self, runner: &Runner, cases: &[Case]) -> Result<Vec<Record>, String> {
        let prog = self.program(cases);
        let n = self.counter.get();
        self.counter.set(n + 1);
        let name = format!("{}-{n}.elf", self.arch.name());
        let path = write_program(&self.workdir, &name, &prog.elf)
            .map_err(|e| format!("cannot write {name}: {e}"))?;
        let result = runner.run(&path, prog.output_len);
        let _ = std::fs::remove_file(&path);
        let bytes = result.map_err(|e| format!("{}: {e}", runner.label))?;
        Ok(parse_records(self.arch.layout(), &bytes))
    }

    /// Where the reference and emu records of `case` differ.
    pub fn diff(&self, case: &Case, a: &Record, b: &Record) -> Vec<Loc> {
        let layout = self.arch.layout();
        let mut out = Vec::new();
        if a.sig != b.sig {
            // The faulting side recorded nothing else.
            return vec![Loc::Signal];
        }
        for (i, f) in layout.fields.iter().enumerate() {
            let (x, y) = (layout.get(&a.out, i), layout.get(&b.out, i));
            let differs = if f.size == 8 {
                let mut mask = f.cmp_mask;
                if f.kind == Kind::Flags {
                    mask &= !case.undef_flags();
                }
                for &(_, bits) in self.ignored.iter().filter(|(j, _)| *j == i) {
                    mask &= !bits;
                }
                (u64_at(x, 0) ^ u64_at(y, 0)) & mask != 0
            } else {
                x != y
            };
            if differs {
                out.push(Loc::Field(i));
            }
        }
        let (sa, sb) = (layout.scratch(&a.out), layout.scratch(&b.out));
        for q in (0..SCRATCH).step_by(8) {
            if sa[q..q + 8] != sb[q..q + 8] {
                out.push(Loc::Mem(q));
            }
        }
        out
    }

    /// Whether `case` gives different results under the reference and `emu`.
    pub fn mismatches(&self, case: &Case, r: &Outcome, e: &Outcome) -> bool {
        match (r, e) {
            (Ok(r), Ok(e)) => !self.diff(case, r, e).is_empty(),
            (Ok(_), Err(_)) => true,
            _ => false,
        }
    }

    /// Runs `cases` under the reference and `emu` and tells which mismatch.
    pub fn check(&self, emu: &Runner, cases: &[Case]) -> Vec<(bool, Outcome, Outcome)> {
        let r = self.run(&self.reference, cases);
        let e = self.run(emu, cases);
        cases
            .iter()
            .zip(r.into_iter().zip(e))
            .map(|(c, (r, e))| (self.mismatches(c, &r, &e), r, e))
            .collect()
    }

    /// Saves `case`'s one-case program as `name` in `dir`.
    pub fn keep(&self, dir: &std::path::Path, name: &str, case: &Case) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        write_program(dir, name, &self.program(std::slice::from_ref(case)).elf)
    }
}
