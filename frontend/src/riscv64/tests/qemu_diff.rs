//! Differential tests against qemu-riscv64: random register-only instruction sequences (integer,
//! M, Zb*, F/D with static and dynamic rounding, CSR flag accesses) run once under qemu (which
//! dumps the registers and fflags with a write syscall) and once through this frontend and the
//! IR interpreter; every register and the accrued flags must match.

use std::process::Command;

use emu_ir::ExitReason;

use super::asm::run;

/// Integer registers the random code uses (all initialised by the preamble).
const XREGS: &[&str] = &[
    "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1", "t2", "t3", "s2", "s3",
];
/// Their numbers, in the same order.
const XNUMS: &[usize] = &[10, 11, 12, 13, 14, 15, 16, 17, 5, 6, 7, 28, 18, 19];
const FREGS: usize = 8;

/// Interesting bit patterns for initial values (doubles, boxed singles, unboxed junk).
const SPECIAL: &[u64] = &[
    0,
    1,
    u64::MAX,
    0x8000_0000_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x3ff0_0000_0000_0000, // 1.0
    0xbff8_0000_0000_0000, // -1.5
    0x7ff0_0000_0000_0000, // inf
    0xfff0_0000_0000_0000, // -inf
    0x7ff8_0000_0000_0000, // qNaN
    0x7ff4_0000_0000_0000, // sNaN
    0x0000_0000_0000_0001, // smallest subnormal
    0x7fef_ffff_ffff_ffff, // max
    0x41e0_0000_0000_0000, // 2^31
    0x43e0_0000_0000_0000, // 2^63
    0xc1e0_0000_0020_0000, // -2^31 - 1
    0x4004_0000_0000_0000, // 2.5
    0xffff_ffff_3f80_0000, // boxed 1.0f
    0xffff_ffff_bfc0_0000, // boxed -1.5f
    0xffff_ffff_7f80_0000, // boxed inf
    0xffff_ffff_7fa0_0000, // boxed sNaN
    0xffff_ffff_0000_0001, // boxed subnormal
    0xffff_ffff_4f00_0000, // boxed 2^31
    0xffff_fffe_3f80_0000, // badly boxed
    0x0000_0000_4020_0000, // unboxed 2.5f
    0xffff_ffff_8000_0000,
    0x0000_0000_ffff_ffff,
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn value(&mut self) -> u64 {
        if self.below(2) == 0 {
            *self.pick(SPECIAL)
        } else {
            self.next()
        }
    }
}

/// Instruction templates (ctzw is left out: qemu 7.2 counts into the upper word when the low
/// word is zero, against the spec; exec.rs checks it against the spec instead): `X` an integer register, `F` a float register, `R` a rounding mode
/// suffix (static or dynamic), `I` a 12-bit immediate, `S` a 6-bit and `W` a 5-bit shift.
const TEMPLATES: &[&str] = &[
    "add X, X, X",
    "sub X, X, X",
    "sll X, X, X",
    "slt X, X, X",
    "sltu X, X, X",
    "xor X, X, X",
    "srl X, X, X",
    "sra X, X, X",
    "or X, X, X",
    "and X, X, X",
    "addw X, X, X",
    "subw X, X, X",
    "sllw X, X, X",
    "srlw X, X, X",
    "sraw X, X, X",
    "addi X, X, I",
    "slti X, X, I",
    "sltiu X, X, I",
    "xori X, X, I",
    "andi X, X, I",
    "slli X, X, S",
    "srai X, X, S",
    "addiw X, X, I",
    "slliw X, X, W",
    "sraiw X, X, W",
    "srliw X, X, W",
    "mul X, X, X",
    "mulh X, X, X",
    "mulhsu X, X, X",
    "mulhu X, X, X",
    "div X, X, X",
    "divu X, X, X",
    "rem X, X, X",
    "remu X, X, X",
    "mulw X, X, X",
    "divw X, X, X",
    "divuw X, X, X",
    "remw X, X, X",
    "remuw X, X, X",
    "sh1add X, X, X",
    "sh3add.uw X, X, X",
    "add.uw X, X, X",
    "slli.uw X, X, S",
    "andn X, X, X",
    "orn X, X, X",
    "xnor X, X, X",
    "clz X, X",
    "ctz X, X",
    "cpop X, X",
    "clzw X, X",
    "cpopw X, X",
    "max X, X, X",
    "maxu X, X, X",
    "min X, X, X",
    "minu X, X, X",
    "sext.b X, X",
    "sext.h X, X",
    "zext.h X, X",
    "rol X, X, X",
    "ror X, X, X",
    "rolw X, X, X",
    "rorw X, X, X",
    "rori X, X, S",
    "roriw X, X, W",
    "orc.b X, X",
    "rev8 X, X",
    "bclr X, X, X",
    "bext X, X, X",
    "binv X, X, X",
    "bset X, X, X",
    "bclri X, X, S",
    "bexti X, X, S",
    "binvi X, X, S",
    "bseti X, X, S",
    "fadd.s F, F, F, R",
    "fsub.s F, F, F, R",
    "fmul.s F, F, F, R",
    "fdiv.s F, F, F, R",
    "fsqrt.s F, F, R",
    "fadd.d F, F, F, R",
    "fsub.d F, F, F, R",
    "fmul.d F, F, F, R",
    "fdiv.d F, F, F, R",
    "fsqrt.d F, F, R",
    "fmadd.s F, F, F, F, R",
    "fmsub.s F, F, F, F, R",
    "fnmsub.s F, F, F, F, R",
    "fnmadd.s F, F, F, F, R",
    "fmadd.d F, F, F, F, R",
    "fmsub.d F, F, F, F, R",
    "fnmsub.d F, F, F, F, R",
    "fnmadd.d F, F, F, F, R",
    "fsgnj.s F, F, F",
    "fsgnjn.s F, F, F",
    "fsgnjx.s F, F, F",
    "fsgnj.d F, F, F",
    "fsgnjn.d F, F, F",
    "fsgnjx.d F, F, F",
    "fmin.s F, F, F",
    "fmax.s F, F, F",
    "fmin.d F, F, F",
    "fmax.d F, F, F",
    "fcvt.s.d F, F, R",
    "fcvt.d.s F, F",
    "feq.s X, F, F",
    "flt.s X, F, F",
    "fle.s X, F, F",
    "feq.d X, F, F",
    "flt.d X, F, F",
    "fle.d X, F, F",
    "fclass.s X, F",
    "fclass.d X, F",
    "fcvt.w.s X, F, R",
    "fcvt.wu.s X, F, R",
    "fcvt.l.s X, F, R",
    "fcvt.lu.s X, F, R",
    "fcvt.w.d X, F, R",
    "fcvt.wu.d X, F, R",
    "fcvt.l.d X, F, R",
    "fcvt.lu.d X, F, R",
    "fcvt.s.w F, X, R",
    "fcvt.s.wu F, X, R",
    "fcvt.s.l F, X, R",
    "fcvt.s.lu F, X, R",
    "fcvt.d.w F, X",
    "fcvt.d.wu F, X",
    "fcvt.d.l F, X, R",
    "fcvt.d.lu F, X, R",
    "fmv.x.w X, F",
    "fmv.x.d X, F",
    "fmv.w.x F, X",
    "fmv.d.x F, X",
    "csrrs X, fflags, zero",
    "csrrw X, fflags, X",
    "csrrci X, fflags, 3",
    "csrrs X, frm, zero",
    // Memory, on the 256-byte scratch area at t5 (offsets M are multiples of 8).
    "ld X, M(t5)",
    "lw X, M(t5)",
    "lwu X, M(t5)",
    "lh X, M(t5)",
    "lhu X, M(t5)",
    "lb X, M(t5)",
    "lbu X, M(t5)",
    "sd X, M(t5)",
    "sw X, M(t5)",
    "sh X, M(t5)",
    "sb X, M(t5)",
    "fld F, M(t5)",
    "flw F, M(t5)",
    "fsd F, M(t5)",
    "fsw F, M(t5)",
    "amoadd.w X, X, (t5)",
    "amoswap.d X, X, (t5)",
    "amomaxu.w X, X, (t5)",
    "amomin.d X, X, (t5)",
    "amoxor.w X, X, (t5)",
    "amoor.d X, X, (t5)",
    "lr.w X, (t5); sc.w X, X, (t5)",
    "lr.d X, (t5); sc.d X, X, (t5)",
    "sc.d X, X, (t5)",
];

/// Branches over one random instruction (one line, `;`-separated, so prefixes stay valid).
const BRANCHES: &[&str] = &[
    "beq X, X, 1f",
    "bne X, X, 1f",
    "blt X, X, 1f",
    "bge X, X, 1f",
    "bltu X, X, 1f",
    "bgeu X, X, 1f",
    "beqz X, 1f",
    "bnez X, 1f",
];

/// Data the random code addresses through t5 (appended to the body by both runners).
const SCRATCH: &str = "\n.data\n.balign 8\nscratch: .space 256\n.text\n";

fn instantiate(template: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    for ch in template.chars() {
        match ch {
            'X' => out.push_str(rng.pick::<&str>(XREGS)),
            'F' => out.push_str(&format!("f{}", rng.below(FREGS))),
            'R' => out.push_str(rng.pick::<&str>(&["rne", "rtz", "rdn", "rup", "rmm", "dyn"])),
            'I' => out.push_str(&format!("{}", rng.below(4096) as i64 - 2048)),
            'S' => out.push_str(&format!("{}", rng.below(64))),
            'W' => out.push_str(&format!("{}", rng.below(32))),
            'M' => out.push_str(&format!("{}", 8 * rng.below(32))),
            c => out.push(c),
        }
    }
    out
}

/// A random program body: register initialisation, then `len` random instructions.
fn random_body(seed: u64, len: usize) -> String {
    let mut rng = Rng(seed | 1);
    let mut lines = Vec::new();
    for r in XREGS {
        lines.push(format!("li {r}, {:#x}", rng.value()));
    }
    for f in 0..FREGS {
        lines.push(format!("li t4, {:#x}", rng.value()));
        lines.push(format!("fmv.d.x f{f}, t4"));
    }
    lines.push(format!("fsrmi {}", rng.below(5)));
    lines.push("fsflags zero".to_string());
    lines.push("la t5, scratch".to_string());
    for _ in 0..len {
        let template = *rng.pick(TEMPLATES);
        let insn = instantiate(template, &mut rng);
        if rng.below(8) == 0 {
            let branch = instantiate(rng.pick::<&str>(BRANCHES), &mut rng);
            lines.push(format!("{branch}; {insn}; 1:"));
        } else {
            lines.push(insn);
        }
    }
    lines.join("\n")
}

/// What a run ends with: the used integer registers, f0..f7, fflags.
type State = (Vec<u64>, Vec<u64>, u64);

/// The qemu side: the body, then code that writes x1..x31, f0..f31, fflags to stdout.
fn qemu_state(body: &str) -> Option<State> {
    let mut src = format!(".globl _start\n.text\n_start:\n{body}{SCRATCH}la t6, dump\n");
    for x in 1..31 {
        src.push_str(&format!("sd x{x}, {}(t6)\n", 8 * x));
    }
    for f in 0..32 {
        src.push_str(&format!("fsd f{f}, {}(t6)\n", 256 + 8 * f));
    }
    src.push_str(
        "frflags t0\nsd t0, 512(t6)\nli a7, 64\nli a0, 1\nmv a1, t6\nli a2, 520\necall\n\
         li a7, 93\nli a0, 0\necall\n.data\n.balign 8\ndump: .space 520\n",
    );
    let dir = std::env::temp_dir();
    let stem = dir.join(format!(
        "emu-frontend-qemu-{}-{}",
        std::process::id(),
        body.len()
    ));
    let (s, o, elf) = (
        stem.with_extension("s"),
        stem.with_extension("o"),
        stem.with_extension("elf"),
    );
    std::fs::write(&s, src).ok()?;
    let ok = Command::new("riscv64-linux-gnu-as")
        .args([
            "-march=rv64gc_zba_zbb_zbs_zicsr_zifencei",
            "-mno-relax",
            "-o",
        ])
        .arg(&o)
        .arg(&s)
        .status()
        .ok()?
        .success()
        && Command::new("riscv64-linux-gnu-ld")
            .args(["-static", "--no-relax", "-o"])
            .arg(&elf)
            .arg(&o)
            .status()
            .ok()?
            .success();
    assert!(ok, "could not build the qemu test program");
    let out = Command::new("qemu-riscv64")
        .args(["-cpu", "rv64,zba=true,zbb=true,zbs=true"])
        .arg(&elf)
        .output();
    for p in [&s, &o, &elf] {
        let _ = std::fs::remove_file(p);
    }
    let Ok(out) = out else {
        eprintln!("qemu-riscv64 not available: skipping");
        return None;
    };
    assert_eq!(
        out.stdout.len(),
        520,
        "qemu run failed ({}): {}\n{body}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let word =
        |i: usize| u64::from_le_bytes(out.stdout[8 * i..8 * i + 8].try_into().unwrap_or([0; 8]));
    let xs = XNUMS.iter().map(|&x| word(x)).collect();
    let fs = (0..FREGS).map(|f| word(32 + f)).collect();
    Some((xs, fs, word(64)))
}

#[test]
fn random_programs_match_qemu() {
    for seed in 1..=64u64 {
        let body = random_body(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15), 200);
        let Some(want) = qemu_state(&body) else {
            return;
        };
        let Some(r) = run(&format!("{body}\nebreak{SCRATCH}"), |_| {}) else {
            return;
        };
        assert_eq!(r.exit, ExitReason::Breakpoint, "seed {seed}");
        let got: State = (
            XNUMS.iter().map(|&x| r.cpu.x[x]).collect(),
            r.cpu.f[..FREGS].to_vec(),
            r.cpu.fflags,
        );
        if got != want {
            // Narrow down to the first differing instruction for the message.
            let lines: Vec<&str> = body.lines().collect();
            let mut first_bad = lines.len();
            for n in (XREGS.len() + 2 * FREGS + 3..lines.len()).rev() {
                let prefix = lines[..n].join("\n");
                let (Some(q), Some(e)) = (
                    qemu_state(&prefix),
                    run(&format!("{prefix}\nebreak{SCRATCH}"), |_| {}),
                ) else {
                    return;
                };
                let ours: State = (
                    XNUMS.iter().map(|&x| e.cpu.x[x]).collect(),
                    e.cpu.f[..FREGS].to_vec(),
                    e.cpu.fflags,
                );
                if ours == q {
                    first_bad = n;
                    break;
                }
            }
            panic!(
                "seed {seed}: state differs from qemu; first bad instruction: {:?}\nqemu {want:x?}\nours {got:x?}",
                lines.get(first_bad)
            );
        }
    }
}
