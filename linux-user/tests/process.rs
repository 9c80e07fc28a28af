//! End-to-end tests of processes: `guest/process.c` (fork, vfork, wait statuses, waitid,
//! pipes, exec failures and host programs, dup/fcntl, sessions), built statically for riscv64
//! and aarch64, must print the same and exit the same under emu-user (in every tier setting)
//! as under `qemu-<arch>`, the oracle. Exec of guest programs (`process exec`) cannot be
//! checked against qemu-user, which without binfmt_misc fails it with `ENOEXEC`; its output is
//! compared with the text a real machine prints, and `guest/exec_signals.c` (signal state
//! kept across exec) with the same source built for and run on the host. Skipped, with a
//! printed reason, when the cross compiler or qemu is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{build_static, TempDir, EMU, TIERS};

/// Build `tests/guest/process.c` for `arch`; `None` (with the reason printed) when the tools
/// are missing.
fn build(arch: &str) -> Option<(TempDir, PathBuf)> {
    build_static(arch, "process")
}

fn run(cmd: &str, pre: &[&str], exe: &Path, args: &[&str]) -> Output {
    common::run(cmd, pre, exe, args, None)
}

fn check_against_qemu(arch: &str) {
    let Some((_dir, exe)) = build(arch) else {
        return;
    };
    let want = run(&format!("qemu-{arch}"), &[], &exe, &[]);
    assert!(want.status.success(), "qemu-{arch}: {want:?}");
    for tier in TIERS {
        let got = run(EMU, tier, &exe, &[]);
        assert_eq!(
            String::from_utf8_lossy(&got.stdout),
            String::from_utf8_lossy(&want.stdout),
            "{arch} {tier:?}: stdout (stderr: {})",
            String::from_utf8_lossy(&got.stderr)
        );
        assert_eq!(got.status.code(), want.status.code(), "{arch} {tier:?}");
    }
}

/// What a real machine (or qemu-user with binfmt_misc) prints for `process exec`.
const EXEC_EXPECTED: &str = "\
child: exe process-ARCH, argc=3 [renamed] [child] [a b] EMU_T=yes
exec /proc/self/exe: exited 5
child: exe process-ARCH, argc=4 [<path>] [child] [<path>] [x] EMU_T=-
exec script: exited 5
child: exe process-ARCH, argc=2 [self] [child] EMU_T=-
vfork+exec: exited 5
";

fn check_exec(arch: &str) {
    let Some((_dir, exe)) = build(arch) else {
        return;
    };
    let want = EXEC_EXPECTED.replace("ARCH", arch);
    for tier in TIERS {
        let got = run(EMU, tier, &exe, &["exec"]);
        assert_eq!(
            String::from_utf8_lossy(&got.stdout),
            want,
            "{arch} {tier:?} (stderr: {})",
            String::from_utf8_lossy(&got.stderr)
        );
        assert_eq!(got.status.code(), Some(0), "{arch} {tier:?}");
    }
}

#[test]
fn riscv64_processes_match_qemu() {
    check_against_qemu("riscv64");
}

#[test]
fn aarch64_processes_match_qemu() {
    check_against_qemu("aarch64");
}

#[test]
fn riscv64_exec_of_guest_programs() {
    check_exec("riscv64");
}

#[test]
fn aarch64_exec_of_guest_programs() {
    check_exec("aarch64");
}

/// Signal state across exec (`guest/exec_signals.c`): qemu-user cannot exec a guest program
/// without binfmt_misc, so the oracle is the host kernel running the same source built natively.
fn check_exec_signals(arch: &str) {
    let Some((_dir, exe)) = build_static(arch, "exec_signals") else {
        return;
    };
    let Some((_native_dir, native)) = build_static("x86_64", "exec_signals") else {
        return;
    };
    let want = Command::new(&native).output().unwrap();
    assert_eq!(want.status.code(), Some(0), "native run");
    for tier in TIERS {
        let got = run(EMU, tier, &exe, &[]);
        assert_eq!(
            String::from_utf8_lossy(&got.stdout),
            String::from_utf8_lossy(&want.stdout),
            "{arch} {tier:?} (stderr: {})",
            String::from_utf8_lossy(&got.stderr)
        );
        assert_eq!(got.status.code(), Some(0), "{arch} {tier:?}");
    }
}

#[test]
fn riscv64_exec_keeps_signal_state() {
    check_exec_signals("riscv64");
}

#[test]
fn aarch64_exec_keeps_signal_state() {
    check_exec_signals("aarch64");
}
