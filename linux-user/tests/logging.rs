//! `-d` logging checked against independent oracles: the `in_asm` listing of `main` in a static
//! aarch64 program has the encodings `objdump -d` shows for those addresses, and the
//! `-d exec -one-insn-per-tb` trace of a small loop visits the same guest pcs, in the same
//! order, as `qemu-ARCH -singlestep -d exec,nochain`. Skipped, with a printed reason, when a
//! tool is missing.

mod common;

use std::process::Command;

use common::{
    build_loop, build_static, cross_tools_missing, objdump_function, temp_dir, tool_missing,
    traced_pcs, EMU,
};

/// The `-D` log of `emu-user OPTIONS exe`.
fn emu_log(options: &[&str], exe: &std::path::Path) -> String {
    let dir = temp_dir("log");
    let log = dir.path().join("log");
    Command::new(EMU)
        .args(options)
        .arg("-D")
        .arg(&log)
        .arg(exe)
        .output()
        .unwrap();
    std::fs::read_to_string(&log).unwrap()
}

#[test]
fn in_asm_shows_the_guest_instructions_objdump_sees() {
    if tool_missing("aarch64-linux-gnu-objdump") {
        return;
    }
    let Some((_dir, exe)) = build_static("aarch64", "hello") else {
        return;
    };
    let log = emu_log(&["-d", "in_asm"], &exe);
    let block = log
        .split("----------------\n")
        .find(|b| b.starts_with("IN: main\n"))
        .unwrap_or_else(|| panic!("no block at main in:\n{log}"));
    let listed: Vec<(u64, String)> = block
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (addr, rest) = l.split_once(":  ")?;
            let addr = u64::from_str_radix(addr.trim_start_matches("0x"), 16).ok()?;
            Some((addr, rest.split_whitespace().next()?.to_string()))
        })
        .collect();
    let objdump = objdump_function(&exe, "main");
    assert!(!listed.is_empty());
    assert_eq!(listed, objdump[..listed.len()], "{block}");
}

fn exec_trace_matches_qemu(arch: &str) {
    if cross_tools_missing(arch) {
        return;
    }
    let (dir, exe) = build_loop(arch);
    let qemu_log = dir.path().join("qemu.log");
    Command::new(format!("qemu-{arch}"))
        .args(["-singlestep", "-d", "exec,nochain", "-D"])
        .arg(&qemu_log)
        .arg(&exe)
        .status()
        .unwrap();
    let want = traced_pcs(&std::fs::read_to_string(&qemu_log).unwrap());
    assert!(want.len() > 15, "{want:x?}");
    for tier in common::TIERS {
        let mut options = vec!["-d", "exec", "-one-insn-per-tb"];
        options.extend_from_slice(tier);
        let got = traced_pcs(&emu_log(&options, &exe));
        assert_eq!(got, want, "{arch} {tier:?}");
    }
}

#[test]
fn aarch64_exec_trace_matches_qemu() {
    exec_trace_matches_qemu("aarch64");
}

#[test]
fn riscv64_exec_trace_matches_qemu() {
    exec_trace_matches_qemu("riscv64");
}
