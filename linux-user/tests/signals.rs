//! Guest signal delivery, checked against qemu-user: the C programs in `tests/guest/signals/`
//! are built for riscv64 and aarch64 (`-O2 -static`) and must give the same stdout and exit
//! status (code or signal) under `emu-user` — with the IR interpreter only, with every block
//! compiled, and with the default tiering — as under `qemu-riscv64` / `qemu-aarch64`. Skipped,
//! with a message, when a cross compiler or qemu is missing.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Output};

use common::{build_static, EMU, TIERS};

const ARCHES: &[&str] = &["riscv64", "aarch64"];

/// Build `tests/guest/signals/<name>.c` for `arch`; `None` when the tools are missing.
fn build(arch: &str, name: &str) -> Option<(common::TempDir, std::path::PathBuf)> {
    build_static(arch, &format!("signals/{name}"))
}

fn run(runner: &str, pre: &[&str], exe: &Path) -> Output {
    common::run(runner, pre, exe, &[], None)
}

/// (exit code, terminating signal) of a run.
fn status(o: &Output) -> (Option<i32>, Option<i32>) {
    (o.status.code(), o.status.signal())
}

fn same_as_qemu(name: &str) {
    for arch in ARCHES {
        let Some((_dir, exe)) = build(arch, name) else {
            continue;
        };
        let qemu = run(&format!("qemu-{arch}"), &[], &exe);
        for tier in TIERS {
            let emu = run(EMU, tier, &exe);
            assert_eq!(
                String::from_utf8_lossy(&emu.stdout),
                String::from_utf8_lossy(&qemu.stdout),
                "{name} on {arch} with {tier:?}; emu stderr: {}",
                String::from_utf8_lossy(&emu.stderr)
            );
            assert_eq!(
                status(&emu),
                status(&qemu),
                "{name} on {arch} with {tier:?}"
            );
        }
    }
}

#[test]
fn handlers_masks_and_flags() {
    same_as_qemu("sig_basic");
}

#[test]
fn timers_restarts_and_alternate_stacks() {
    same_as_qemu("sig_async");
}

#[test]
fn fp_state_survives_handlers() {
    same_as_qemu("sig_fpregs");
}

#[test]
fn faults_become_guest_signals() {
    same_as_qemu("sig_fault");
}

/// Run `exe` (with `args`) under `runner`, send it SIGINT once it printed its first line, and
/// return its whole stdout and status.
fn interrupt(
    runner: &str,
    pre: &[&str],
    exe: &Path,
    args: &[&str],
) -> (String, (Option<i32>, Option<i32>)) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = Command::new(runner)
        .args(pre)
        .arg(exe)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    out.read_line(&mut text).unwrap();
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    out.read_to_string(&mut text).unwrap();
    let st = child.wait().unwrap();
    (text, (st.code(), st.signal()))
}

/// Ctrl-C: a guest with a SIGINT handler runs it; one without dies of SIGINT (a shell shows
/// status 130), as under qemu.
#[test]
fn sigint_from_outside() {
    for arch in ARCHES {
        let Some((_dir, exe)) = build(arch, "sig_interrupt") else {
            continue;
        };
        for args in [&["handler"][..], &[]] {
            let want = interrupt(&format!("qemu-{arch}"), &[], &exe, args);
            for tier in TIERS {
                let got = interrupt(EMU, tier, &exe, args);
                assert_eq!(got, want, "{arch} {args:?} {tier:?}");
            }
        }
        let (_, without) = interrupt(EMU, &[], &exe, &[]);
        assert_eq!(
            without,
            (None, Some(libc::SIGINT)),
            "{arch}: default action"
        );
    }
}
