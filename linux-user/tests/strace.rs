//! `emu-user -strace` against `qemu-ARCH -strace` (qemu 7.2, the oracle) on the same static
//! program, `tests/guest/strace_calls.c`: after its marker call, the lines of the syscalls in
//! [`COMPARED`] must be identical once pids are dropped and addresses (hex numbers >= 0x10000,
//! which legitimately differ between the two emulators) are masked. Skipped, with a message,
//! when qemu or the cross compiler is missing.

mod common;

use std::path::Path;
use std::process::Command;

use common::{build_static, EMU};

/// The syscalls whose lines are compared (all the program makes after its marker).
const COMPARED: &[&str] = &[
    "close",
    "openat",
    "write",
    "lseek",
    "fcntl",
    "dup3",
    "faccessat",
    "newfstatat",
    "mkdirat",
    "unlinkat",
    "mmap",
    "mprotect",
    "madvise",
    "munmap",
    "rt_sigaction",
    "rt_sigprocmask",
    "kill",
    "clock_getres",
    "clock_gettime",
    "futex",
    "execve",
    "exit_group",
    // A signal delivered to a handler and its return (normalized by `normalize_signal_lines`).
    "---",
    "rt_sigreturn",
];

/// The program's first call: the comparison starts at this line.
const MARKER: &str = "close(-42) = -1 errno=9 (Bad file descriptor)";

/// The `-strace` log (stderr) of `runner [pre] exe scratch`.
fn strace_log(runner: &str, pre: &[&str], exe: &Path, scratch: &Path) -> String {
    let out = Command::new(runner)
        .args(pre)
        .arg("-strace")
        .arg(exe)
        .arg(scratch)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Replace every hex number >= 0x10000 by `ADDR`.
/// The sender's pid in a `--- SIG {...} ---` line and `rt_sigreturn`'s arguments (whatever
/// the handler left in the registers) differ between runs: keep the rest.
fn normalize_signal_lines(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("rt_sigreturn(") {
        let result = rest.rsplit_once(") = ").map_or("", |(_, r)| r);
        return format!("rt_sigreturn(...) = {result}");
    }
    match line.find("si_pid=") {
        Some(at) if line.starts_with("--- ") => {
            let digits = line[at + 7..]
                .chars()
                .take_while(char::is_ascii_digit)
                .count();
            format!("{}si_pid=PID{}", &line[..at], &line[at + 7 + digits..])
        }
        _ => line.to_string(),
    }
}

fn mask_addresses(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        let digits = rest[at + 2..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - at - 2);
        let hex = &rest[at + 2..at + 2 + digits];
        match u64::from_str_radix(hex, 16) {
            Ok(v) if v >= 0x10000 => out.push_str("ADDR"),
            _ => out.push_str(&rest[at..at + 2 + digits]),
        }
        rest = &rest[at + 2 + digits..];
    }
    out.push_str(rest);
    out
}

/// The compared lines after the marker, without pids, addresses masked.
fn compared_lines(log: &str) -> Vec<String> {
    let lines: Vec<&str> = log
        .lines()
        .map(|l| {
            l.split_once(' ').map_or(l, |(pid, rest)| {
                if pid.chars().all(|c| c.is_ascii_digit()) {
                    rest
                } else {
                    l
                }
            })
        })
        .collect();
    let start = lines
        .iter()
        .position(|l| *l == MARKER)
        .unwrap_or(lines.len());
    lines[start..]
        .iter()
        .filter(|l| {
            let name = l.split(['(', ' ']).next().unwrap_or_default();
            COMPARED.contains(&name)
        })
        .map(|l| normalize_signal_lines(&mask_addresses(l)))
        .collect()
}

fn assert_same_strace_as_qemu(arch: &str) {
    let Some((dir, exe)) = build_static(arch, "strace_calls") else {
        return;
    };
    let scratch = dir.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let qemu = format!("qemu-{arch}");
    let want = compared_lines(&strace_log(&qemu, &[], &exe, &scratch));
    let got = compared_lines(&strace_log(EMU, &[], &exe, &scratch));
    assert!(want.len() > 30, "qemu's log is too short: {want:#?}");
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        assert_eq!(g, w, "line {i} of the compared {arch} syscalls");
    }
    assert_eq!(got.len(), want.len(), "emu: {got:#?}");
}

#[test]
fn aarch64_strace_matches_qemu() {
    assert_same_strace_as_qemu("aarch64");
}

#[test]
fn riscv64_strace_matches_qemu() {
    assert_same_strace_as_qemu("riscv64");
}

#[test]
fn masking() {
    assert_eq!(
        mask_addresses("mmap(0x0000005502a0c000,24576,0x18c000,0x7) = 0xffff"),
        "mmap(ADDR,24576,ADDR,0x7) = 0xffff"
    );
    assert_eq!(
        compared_lines(&format!(
            "9 brk(NULL) = 0x0\n9 {MARKER}\n9 write(1,0x498fa0,3) = 3\n9 exit_group(0)\n"
        )),
        [MARKER, "write(1,ADDR,3) = 3", "exit_group(0)"]
    );
}
