//! End-to-end tests of the `emu-user` binary: static riscv64 programs from `tests/guest/`,
//! built with `riscv64-linux-gnu-gcc -O2 -static`, must give the same stdout and exit status as
//! under `qemu-riscv64` (the oracle). Skipped, with a message, when either tool is missing.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{build_static, EMU};

/// SIGPIPE's number on Linux.
const SIGPIPE: i32 = 13;

/// Build `tests/guest/<name>.c` for riscv64 into a fresh temp dir (one per call: tests run in
/// parallel and may build the same program); `None` when the tools are missing.
fn build(name: &str) -> Option<(common::TempDir, std::path::PathBuf)> {
    build_static("riscv64", name)
}

fn run(runner: &str, pre: &[&str], exe: &Path, args: &[&str], dir: &Path) -> Output {
    common::run(runner, pre, exe, args, Some(dir))
}

/// Same stdout and same exit status (code or signal) as qemu-riscv64.
fn assert_same_as_qemu(name: &str, emu_opts: &[&str], args: &[&str]) {
    let Some((dir, exe)) = build(name) else {
        return;
    };
    let emu = run(EMU, emu_opts, &exe, args, dir.path());
    let qemu = run("qemu-riscv64", &[], &exe, args, dir.path());
    assert_eq!(
        String::from_utf8_lossy(&emu.stdout),
        String::from_utf8_lossy(&qemu.stdout),
        "stdout of {name} {args:?}; emu stderr: {}",
        String::from_utf8_lossy(&emu.stderr)
    );
    assert_eq!(emu.status, qemu.status, "status of {name} {args:?}");
}

#[test]
fn hello_world_matches_qemu() {
    assert_same_as_qemu("hello", &[], &["one", "two words"]);
}

#[test]
fn hello_world_interpreted_and_always_compiled() {
    assert_same_as_qemu("hello", &["-tier1-threshold", "never"], &[]);
    assert_same_as_qemu("hello", &["-tier1-threshold", "0"], &[]);
}

#[test]
fn libc_runtime_matches_qemu() {
    assert_same_as_qemu("runtime", &[], &[]);
}

#[test]
fn self_modifying_code_matches_qemu() {
    assert_same_as_qemu("smc", &[], &[]);
    assert_same_as_qemu("smc", &["-tier1-threshold", "0"], &[]);
}

#[test]
fn fatal_signals_match_qemu() {
    for what in ["segv", "abort", "ill", "ebreak"] {
        assert_same_as_qemu("fatal", &[], &[what]);
    }
}

#[test]
fn environment_and_argv0_options() {
    let Some((_dir, exe)) = build("hello") else {
        return;
    };
    let out = Command::new(EMU)
        .args(["-E", "EMU_TEST_VAR=set by -E", "-0", "renamed"])
        .arg(&exe)
        .arg("-E")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("EMU_TEST_VAR=set by -E\n"), "{stdout}");
    assert!(stdout.contains("argv[0]=renamed\nargv[1]=-E\n"), "{stdout}");
    let out = Command::new(EMU)
        .env("EMU_TEST_VAR", "x")
        .args(["-U", "EMU_TEST_VAR"])
        .arg(&exe)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("EMU_TEST_VAR=(unset)\n"));
}

#[test]
fn bad_programs_give_one_line_and_status_1() {
    let tmp = common::temp_dir("bad-programs");
    let dir = tmp.path();
    let text = dir.join("text");
    std::fs::write(&text, "not an ELF\n").unwrap();
    let truncated = dir.join("truncated");
    std::fs::write(&truncated, b"\x7fELF\x02\x01\x01").unwrap();
    let cases = [
        (dir.join("missing"), "No such file or directory"),
        (text, "Invalid ELF image"),
        (truncated, "malformed ELF"),
    ];
    for (path, want) in cases {
        let out = Command::new(EMU).arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("emu-user: {}: ", path.display())),
            "{stderr}"
        );
        assert!(stderr.contains(want), "{stderr}");
    }
}

/// Status of `runner pre.. exe` when its stdout pipe is closed after the first bytes.
fn status_with_closed_stdout(runner: &str, pre: &[&str], exe: &Path) -> std::process::ExitStatus {
    use std::io::Read;
    let mut child = Command::new(runner)
        .args(pre)
        .arg(exe)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    out.read_exact(&mut first).unwrap();
    drop(out);
    child.wait().unwrap()
}

#[test]
fn broken_pipe_kills_like_qemu() {
    use std::os::unix::process::ExitStatusExt;
    let Some((_dir, exe)) = build("many_lines") else {
        return;
    };
    let emu = status_with_closed_stdout(EMU, &[], &exe);
    let qemu = status_with_closed_stdout("qemu-riscv64", &[], &exe);
    assert_eq!(emu.signal(), Some(SIGPIPE));
    assert_eq!(emu, qemu);
}
