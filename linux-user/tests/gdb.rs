//! `emu-user -g PORT` driven by `gdb-multiarch` (the oracles are gdb itself, objdump, and the
//! program's output and exit status under qemu-user): break at `main`, read `pc`, step one
//! instruction, continue to the normal exit, in every tier; and the `-d exec
//! -one-insn-per-tb` trace of a short program visits the pcs gdb sees single-stepping it, on
//! every guest arch. Skipped, with a printed reason, when gdb-multiarch or a cross compiler
//! is missing.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{build_loop, build_static, tool_missing, traced_pcs, EMU, TIERS};

const GDB: &str = "gdb-multiarch";

/// A TCP port nobody listens on right now.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `emu-user OPTIONS -g PORT exe`, its stdout piped.
fn start_emu(options: &[&str], port: u16, exe: &Path) -> Child {
    Command::new(EMU)
        .args(options)
        .args(["-g", &port.to_string()])
        .arg(exe)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Run gdb in batch mode on `exe`, connected to `port`, with the commands of `script`; its
/// stdout and stderr.
fn run_gdb(exe: &Path, port: u16, script: &str) -> String {
    let dir = common::temp_dir("gdb");
    let file = dir.path().join("script.gdb");
    let header = format!(
        "set pagination off\nset confirm off\nset tcp connect-timeout 20\n\
         target remote 127.0.0.1:{port}\n"
    );
    std::fs::write(&file, header + script).unwrap();
    let out = Command::new(GDB)
        .args(["-q", "-nx", "-batch", "-x"])
        .arg(&file)
        .arg(exe)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Wait for emu-user to end; its stdout.
fn finish(mut emu: Child) -> String {
    let mut out = String::new();
    emu.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    emu.wait().unwrap();
    out
}

/// The hex numbers gdb printed for `p/x $pc` lines (`$N = 0x...`).
fn printed_values(gdb: &str) -> Vec<u64> {
    gdb.lines()
        .filter_map(|l| l.strip_prefix('$')?.split_once(" = 0x"))
        .filter_map(|(_, v)| u64::from_str_radix(v.trim(), 16).ok())
        .collect()
}

#[test]
fn gdb_breaks_at_main_steps_and_sees_the_exit_in_every_tier() {
    if tool_missing(GDB) || tool_missing("aarch64-linux-gnu-objdump") {
        return;
    }
    let Some((_dir, exe)) = build_static("aarch64", "hello") else {
        return;
    };
    let qemu = common::run("qemu-aarch64", &[], &exe, &[], None);
    let expected = String::from_utf8_lossy(&qemu.stdout).into_owned();
    let exit_line = match qemu.status.code() {
        Some(0) => "exited normally".to_string(),
        Some(code) => format!("exited with code {code:02o}"),
        None => panic!("qemu: {:?}", qemu.status),
    };
    let main: Vec<u64> = common::objdump_function(&exe, "main")
        .into_iter()
        .map(|(addr, _)| addr)
        .collect();
    for tier in TIERS {
        let port = free_port();
        let emu = start_emu(tier, port, &exe);
        let log = run_gdb(
            &exe,
            port,
            "break main\ncontinue\np/x $pc\nstepi\np/x $pc\ncontinue\n",
        );
        let out = finish(emu);
        let bp = log
            .lines()
            .find_map(|l| l.strip_prefix("Breakpoint 1 at 0x"))
            .and_then(|a| u64::from_str_radix(a.trim(), 16).ok())
            .unwrap_or_else(|| panic!("no breakpoint set ({tier:?}):\n{log}"));
        assert!(log.contains("\nBreakpoint 1, "), "{tier:?}:\n{log}");
        let at = main
            .iter()
            .position(|&a| a == bp)
            .expect("breakpoint in main");
        assert_eq!(
            printed_values(&log),
            [bp, main[at + 1]],
            "pc at the breakpoint, then after one step ({tier:?}):\n{log}"
        );
        assert!(log.contains(&exit_line), "{exit_line} ({tier:?}):\n{log}");
        assert_eq!(out, expected, "{tier:?}");
    }
}

/// The pcs gdb sees when single-stepping `exe` from its first instruction to its exit.
fn stepped_pcs(exe: &Path, tier: &[&str]) -> Vec<u64> {
    let port = free_port();
    let emu = start_emu(tier, port, exe);
    let log = run_gdb(
        exe,
        port,
        "set $n = 0\nwhile $n < 1000\n  p/x $pc\n  stepi\n  set $n = $n + 1\nend\n",
    );
    finish(emu);
    assert!(log.contains("exited normally"), "{tier:?}:\n{log}");
    printed_values(&log)
}

fn exec_trace_matches_gdb_stepping(arch: &str) {
    if tool_missing(GDB) || tool_missing(&common::gcc(arch)) {
        return;
    }
    let (dir, exe) = build_loop(arch);
    for tier in TIERS {
        let log = dir.path().join("exec.log");
        let mut options = vec!["-d", "exec", "-one-insn-per-tb", "-D"];
        options.push(log.to_str().unwrap());
        options.extend_from_slice(tier);
        let status = Command::new(EMU).args(&options).arg(&exe).status().unwrap();
        assert!(status.success());
        let traced = traced_pcs(&std::fs::read_to_string(&log).unwrap());
        assert!(traced.len() > 15, "{traced:x?}");
        assert_eq!(stepped_pcs(&exe, tier), traced, "{arch} {tier:?}");
    }
}

#[test]
fn aarch64_exec_trace_matches_gdb_stepping() {
    exec_trace_matches_gdb_stepping("aarch64");
}

#[test]
fn riscv64_exec_trace_matches_gdb_stepping() {
    exec_trace_matches_gdb_stepping("riscv64");
}

#[test]
fn x86_64_exec_trace_matches_gdb_stepping() {
    exec_trace_matches_gdb_stepping("x86_64");
}

/// Start `qemu-ARCH -g PORT exe`.
fn start_qemu(arch: &str, port: u16, exe: &Path) -> Child {
    Command::new(format!("qemu-{arch}"))
        .args(["-g", &port.to_string()])
        .arg(exe)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// gdb's `$N = ...` lines.
fn printed_lines(gdb: &str) -> Vec<&str> {
    gdb.lines().filter(|l| l.starts_with('$')).collect()
}

/// At a breakpoint after the guest set its FP rounding mode, raised inexact and passed a
/// double, gdb reads the same FP control, status and argument registers from emu-user as from
/// qemu-user.
fn fp_registers_match_qemu(arch: &str, registers: &[&str]) {
    if tool_missing(GDB) {
        return;
    }
    let Some((_dir, exe)) = build_static(arch, "gdb_regs") else {
        return;
    };
    let mut script = "break probe\ncontinue\n".to_string();
    for r in registers {
        script += &format!("p/x {r}\n");
    }
    script += "continue\n";
    let port = free_port();
    let qemu = start_qemu(arch, port, &exe);
    let want = run_gdb(&exe, port, &script);
    finish(qemu);
    assert_eq!(printed_lines(&want).len(), registers.len(), "qemu:\n{want}");
    for tier in TIERS {
        let port = free_port();
        let emu = start_emu(tier, port, &exe);
        let got = run_gdb(&exe, port, &script);
        finish(emu);
        assert_eq!(
            printed_lines(&got),
            printed_lines(&want),
            "{arch} {tier:?}:\n{got}"
        );
    }
}

#[test]
fn aarch64_fp_registers_match_qemu() {
    fp_registers_match_qemu("aarch64", &["$fpcr", "$fpsr", "$v0.d.u[0]", "$d0"]);
}

#[test]
fn riscv64_fp_registers_match_qemu() {
    fp_registers_match_qemu("riscv64", &["$fcsr", "$frm", "$fflags", "$fa0"]);
}

#[test]
fn x86_64_fp_registers_match_qemu() {
    fp_registers_match_qemu("x86_64", &["$mxcsr", "$xmm0.v2_int64[0]", "$fctrl"]);
}

/// gdb sees a handled and a fatal signal as it does under qemu-user: the same stops, at the
/// same pcs, and the same end; the program prints the same.
fn signals_reach_gdb_as_with_qemu(arch: &str) {
    if tool_missing(GDB) {
        return;
    }
    let Some((_dir, exe)) = build_static(arch, "gdb_signals") else {
        return;
    };
    let script = "continue\ncontinue\np/x $pc\ncontinue\n";
    let port = free_port();
    let qemu = start_qemu(arch, port, &exe);
    let want = run_gdb(&exe, port, script);
    let want_out = finish(qemu);
    assert!(
        want.contains("SIGUSR1") && want.contains("SIGSEGV"),
        "qemu:\n{want}"
    );
    for tier in TIERS {
        let port = free_port();
        let emu = start_emu(tier, port, &exe);
        let got = run_gdb(&exe, port, script);
        assert_eq!(finish(emu), want_out, "{arch} {tier:?}");
        assert_eq!(got, want, "{arch} {tier:?}");
    }
}

#[test]
fn aarch64_signals_reach_gdb_as_with_qemu() {
    signals_reach_gdb_as_with_qemu("aarch64");
}

#[test]
fn riscv64_signals_reach_gdb_as_with_qemu() {
    signals_reach_gdb_as_with_qemu("riscv64");
}

#[test]
fn x86_64_signals_reach_gdb_as_with_qemu() {
    signals_reach_gdb_as_with_qemu("x86_64");
}
