//! Printing a mismatch: the disassembled instructions, the input state, and the reference and
//! emu output states side by side with the differing fields marked `*`.

use crate::layout::{hex, u64_at, SCRATCH};
use crate::program::SCRATCH_ADDR;
use crate::session::{Case, Loc, Outcome, Session};

/// The case's instructions, one per line, with the generator's name.
pub fn disassembly(s: &Session, case: &Case) -> String {
    let mut out = String::new();
    let mut addr = 0u64;
    for insn in &case.insns {
        let text = match emu_disas::disassemble(s.arch.disas_arch(), &insn.bytes, addr) {
            Ok(v) if v.len() == 1 && v[0].mnemonic != ".byte" => v
                .iter()
                .map(|i| format!("{} {}", i.mnemonic, i.op_str))
                .collect::<Vec<_>>()
                .join("; "),
            _ => "(capstone does not know it)".to_string(),
        };
        let bytes: String = insn.bytes.iter().map(|b| format!("{b:02x}")).collect();
        out += &format!("    {bytes:<24} {text:<40} [{}]\n", insn.name);
        addr += insn.bytes.len() as u64;
    }
    out
}

/// The input state (non-zero registers; the scratch window as qwords).
pub fn input_state(s: &Session, case: &Case) -> String {
    let layout = s.arch.layout();
    let mut out = String::new();
    for (i, f) in layout.fields.iter().enumerate() {
        let v = layout.get(&case.input, i);
        if v.iter().any(|&b| b != 0) {
            out += &format!("    {:<8} {}\n", f.name, hex(v));
        }
    }
    let scratch = layout.scratch(&case.input);
    if scratch.iter().any(|&b| b != 0) {
        for q in (0..SCRATCH).step_by(32) {
            let words: Vec<String> = (q..q + 32)
                .step_by(8)
                .map(|o| format!("{:016x}", u64_at(scratch, o)))
                .collect();
            out += &format!(
                "    mem[{:#x}] {}\n",
                SCRATCH_ADDR + q as u64,
                words.join(" ")
            );
        }
    } else {
        out += "    (scratch window all zero)\n";
    }
    out
}

/// Both outputs side by side; rows that differ start with `*`.
pub fn outputs(s: &Session, case: &Case, r: &Outcome, e: &Outcome) -> String {
    let (r, e) = match (r, e) {
        (Ok(r), Ok(e)) => (r, e),
        (r, e) => {
            return format!(
                "  * reference: {}\n  * emu:       {}\n",
                summary(r),
                summary(e)
            )
        }
    };
    let layout = s.arch.layout();
    let diffs = s.diff(case, r, e);
    let mut out = format!("    {:<10} {:<34} {}\n", "", "reference", "emu");
    let row = |marked: bool, name: &str, a: String, b: String| {
        let mark = if marked { "*" } else { " " };
        format!("  {mark} {name:<10} {a:<34} {b}\n")
    };
    out += &row(
        diffs.contains(&Loc::Signal),
        "signal",
        r.sig.to_string(),
        e.sig.to_string(),
    );
    for (i, f) in layout.fields.iter().enumerate() {
        let (a, b) = (layout.get(&r.out, i), layout.get(&e.out, i));
        let marked = diffs.contains(&Loc::Field(i));
        if marked || a.iter().chain(b).any(|&x| x != 0) {
            out += &row(marked, &f.name, hex(a), hex(b));
        }
    }
    let (sa, sb) = (layout.scratch(&r.out), layout.scratch(&e.out));
    for q in (0..SCRATCH).step_by(8) {
        if diffs.contains(&Loc::Mem(q)) {
            let name = format!("mem[{:#x}]", SCRATCH_ADDR + q as u64);
            out += &row(true, &name, hex(&sa[q..q + 8]), hex(&sb[q..q + 8]));
        }
    }
    out
}

fn summary(o: &Outcome) -> String {
    match o {
        Ok(r) => format!("completed (signal {})", r.sig),
        Err(e) => e.clone(),
    }
}

/// The names of the differing fields (for one-line reports).
pub fn diff_names(s: &Session, case: &Case, r: &Outcome, e: &Outcome) -> String {
    let (Ok(r), Ok(e)) = (r, e) else {
        return "run failed".to_string();
    };
    let layout = s.arch.layout();
    s.diff(case, r, e)
        .iter()
        .map(|l| match *l {
            Loc::Signal => format!("signal({}/{})", r.sig, e.sig),
            Loc::Field(i) => layout.fields[i].name.clone(),
            Loc::Mem(q) => format!("mem[{:#x}]", SCRATCH_ADDR + q as u64),
        })
        .collect::<Vec<_>>()
        .join(",")
}
