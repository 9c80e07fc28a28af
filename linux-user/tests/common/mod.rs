//! Shared by the integration tests: finding the tools (skipping with a printed reason when one
//! is missing), temporary directories, building the C programs of `tests/guest/` for a guest
//! arch (or the host), and running them under emu-user or qemu-user.
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// The emu-user binary under test.
pub const EMU: &str = env!("CARGO_BIN_EXE_emu-user");

/// The tier settings programs are compared in: interpreter only, everything compiled, and the
/// default tiering.
pub const TIERS: &[&[&str]] = &[
    &["-tier1-threshold", "never"],
    &["-tier1-threshold", "0"],
    &[],
];

/// Whether `tool` cannot be run (printing that the test is skipped).
pub fn tool_missing(tool: &str) -> bool {
    let missing = Command::new(tool).arg("--version").output().is_err();
    if missing {
        eprintln!("skipped: {tool} not installed");
    }
    missing
}

/// Whether the cross compiler or qemu-user of `arch` is missing (printing why).
pub fn cross_tools_missing(arch: &str) -> bool {
    tool_missing(&gcc(arch)) || tool_missing(&format!("qemu-{arch}"))
}

/// The compiler for `arch` (`x86_64` is the host's).
pub fn gcc(arch: &str) -> String {
    format!("{arch}-linux-gnu-gcc")
}

/// A temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TempDir {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// A fresh temporary directory named after `tag` (unique per process and call).
pub fn temp_dir(tag: &str) -> TempDir {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("emu-test-{tag}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// Compile `tests/guest/NAME.c` (NAME may have a directory part) with `gcc -O2 FLAGS ... -lm`
/// into `exe`.
pub fn compile(gcc: &str, name: &str, flags: &[&str], exe: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guest")
        .join(format!("{name}.c"));
    let out = Command::new(gcc)
        .arg("-O2")
        .args(flags)
        .arg("-o")
        .arg(exe)
        .arg(&src)
        .arg("-lm")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{gcc} {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Build `tests/guest/NAME.c` statically for `arch` in a fresh directory; `None` (with the
/// reason printed) when the cross compiler or qemu is missing.
pub fn build_static(arch: &str, name: &str) -> Option<(TempDir, PathBuf)> {
    if cross_tools_missing(arch) {
        return None;
    }
    let dir = temp_dir(&format!("{arch}-{}", name.replace('/', "-")));
    let exe = dir.path().join(format!(
        "{}-{arch}",
        name.rsplit('/').next().unwrap_or(name)
    ));
    compile(&gcc(arch), name, &["-static"], &exe);
    Some((dir, exe))
}

/// Run `runner PRE... exe ARGS...`, in `dir` when given.
pub fn run(runner: &str, pre: &[&str], exe: &Path, args: &[&str], dir: Option<&Path>) -> Output {
    let mut cmd = Command::new(runner);
    cmd.args(pre).arg(exe).args(args);
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.output().unwrap()
}

/// A counting loop and an exit syscall, per arch (assembly for `gcc -nostdlib -static`).
fn loop_program(arch: &str) -> &'static str {
    match arch {
        "aarch64" => {
            ".global _start\n_start:\n mov x0, #5\n mov x1, #0\n1: add x1, x1, x0\n \
             subs x0, x0, #1\n b.ne 1b\n mov x8, #93\n mov x0, #0\n svc #0\n"
        }
        "x86_64" => {
            ".global _start\n_start:\n mov $5, %rax\n xor %rbx, %rbx\n1: add %rax, %rbx\n \
             dec %rax\n jnz 1b\n mov $60, %eax\n xor %edi, %edi\n syscall\n"
        }
        _ => {
            ".global _start\n_start:\n li a0, 5\n li a1, 0\n1: add a1, a1, a0\n \
             addi a0, a0, -1\n bnez a0, 1b\n li a7, 93\n li a0, 0\n ecall\n"
        }
    }
}

/// Build [`loop_program`] for `arch` in a fresh directory (the compiler must exist).
pub fn build_loop(arch: &str) -> (TempDir, PathBuf) {
    let dir = temp_dir(&format!("loop-{arch}"));
    let (src, exe) = (dir.path().join("loop.S"), dir.path().join("loop"));
    std::fs::write(&src, loop_program(arch)).unwrap();
    let built = Command::new(gcc(arch))
        .args(["-nostdlib", "-static", "-o"])
        .arg(&exe)
        .arg(&src)
        .status()
        .unwrap();
    assert!(built.success());
    (dir, exe)
}

/// The guest pcs of `[FLAGS/PC]`-style trace lines (qemu's has more fields after the pc).
pub fn traced_pcs(log: &str) -> Vec<u64> {
    log.lines()
        .filter(|l| l.starts_with("Trace "))
        .filter_map(|l| {
            let fields = l.split_once('[')?.1.split_once(']')?.0;
            u64::from_str_radix(fields.split('/').nth(1)?, 16).ok()
        })
        .collect()
}

/// `(address, encoding)` of the instructions objdump shows for function `name`.
pub fn objdump_function(exe: &std::path::Path, name: &str) -> Vec<(u64, String)> {
    let out = Command::new("aarch64-linux-gnu-objdump")
        .args(["-d", &format!("--disassemble={name}")])
        .arg(exe)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (addr, rest) = l.trim().split_once(":\t")?;
            let word = rest.split_whitespace().next()?;
            Some((u64::from_str_radix(addr, 16).ok()?, word.to_string()))
        })
        .collect()
}
