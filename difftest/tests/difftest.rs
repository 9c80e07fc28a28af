//! End-to-end checks of emu-difftest: a short fixed-seed run per arch must find no mismatch
//! (the reference is qemu-user or the host CPU, never emu itself), and a deliberately
//! corrupted emu must be caught. Runs are skipped, with the reason printed, when the
//! reference or emu-user is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn difftest() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_emu-difftest"))
}

/// emu-user next to the difftest binary (built by `cargo build -p emu-linux-user`).
fn emu_user() -> Option<PathBuf> {
    let p = difftest().parent()?.join("emu-user");
    if p.is_file() {
        Some(p)
    } else {
        eprintln!(
            "skipped: {} missing (cargo build -p emu-linux-user)",
            p.display()
        );
        None
    }
}

fn on_path(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()));
    if !found {
        eprintln!("skipped: reference {name} not installed");
    }
    found
}

fn run(args: &[&str]) -> Output {
    Command::new(difftest())
        .args(args)
        .output()
        .expect("run emu-difftest")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_string()
}

/// A 300-case run of `arch` at both tiers finds no mismatch.
fn clean_run(arch: &str, extra: &[&str]) {
    let mut args = vec!["--arch", arch, "--iterations", "300", "--seed", "1"];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(
        last_line(&out),
        "300 cases, 0 mismatches",
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success());
}

#[test]
fn riscv64_matches_qemu() {
    if emu_user().is_some() && on_path("qemu-riscv64") {
        clean_run("riscv64", &[]);
    }
}

#[test]
fn aarch64_matches_qemu() {
    if emu_user().is_some() && on_path("qemu-aarch64") {
        clean_run("aarch64", &[]);
    }
}

#[test]
fn x86_64_matches_the_host() {
    if !cfg!(target_arch = "x86_64") {
        eprintln!("skipped: the x86_64 reference is the host CPU and this host is not x86_64");
        return;
    }
    if emu_user().is_some() {
        clean_run("x86_64", &[]);
    }
}

/// A wrapper that runs emu-user and flips one byte of what the program prints.
fn corrupting_wrapper(dir: &Path, emu: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("corrupt-emu.sh");
    let script = format!(
        "#!/bin/sh\n\"{}\" \"$@\" | perl -0777 -pe 'substr($_, 1000, 1) ^= \"\\x01\" if length > 1000'\n",
        emu.display()
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_corrupted_emu_is_caught() {
    let Some(emu) = emu_user() else { return };
    if !on_path("qemu-riscv64") || !on_path("perl") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("difftest-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wrapper = corrupting_wrapper(&dir, &emu);
    let out = run(&[
        "--arch",
        "riscv64",
        "--iterations",
        "1",
        "--tier",
        "0",
        "--emu",
        wrapper.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("  * ")),
        "no marked field:\n{text}"
    );
    assert_eq!(last_line(&out), "1 cases, 1 mismatches", "{text}");
}

#[test]
fn a_missing_reference_is_a_setup_error() {
    let out = run(&["--arch", "riscv64", "--reference", "/nonexistent/qemu"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}
