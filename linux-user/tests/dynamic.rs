//! End-to-end tests of dynamically linked programs: C programs built with the cross compiler
//! WITHOUT `-static` (PIE and `-no-pie`, `dlopen`, a shared library of our own) run through
//! their ELF interpreter from the cross toolchain's sysroot (`-L`, `QEMU_LD_PREFIX`, or the
//! interpreter run directly), and must give the same stdout and exit status
//! as `qemu-<arch> -L` (the oracle) in every tier setting. Skipped, with a printed reason, when
//! the compiler, the sysroot or qemu is missing (and for aarch64 while its frontend cannot run
//! a static hello world like qemu does).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{temp_dir, tool_missing, EMU, TIERS};

/// One guest architecture's tools.
struct Guest {
    gcc: &'static str,
    qemu: &'static str,
    sysroot: &'static str,
    /// The interpreter, relative to the sysroot.
    ld_so: &'static str,
}

const RISCV64: Guest = Guest {
    gcc: "riscv64-linux-gnu-gcc",
    qemu: "qemu-riscv64",
    sysroot: "/usr/riscv64-linux-gnu",
    ld_so: "lib/ld-linux-riscv64-lp64d.so.1",
};

const AARCH64: Guest = Guest {
    gcc: "aarch64-linux-gnu-gcc",
    qemu: "qemu-aarch64",
    sysroot: "/usr/aarch64-linux-gnu",
    ld_so: "lib/ld-linux-aarch64.so.1",
};

impl Guest {
    /// Whether compiler, sysroot and qemu are all there (prints why not).
    fn available(&self) -> bool {
        if tool_missing(self.gcc) || tool_missing(self.qemu) {
            return false;
        }
        if !self.interpreter().exists() {
            eprintln!("skipped: no {}", self.interpreter().display());
            return false;
        }
        true
    }

    fn interpreter(&self) -> PathBuf {
        Path::new(self.sysroot).join(self.ld_so)
    }

    /// Build `tests/guest/<name>.c` with `flags` into `dir`.
    fn build(&self, dir: &Path, name: &str, flags: &[&str]) -> PathBuf {
        let exe = dir.join(format!("{name}{}", flags.concat()));
        common::compile(self.gcc, name, flags, &exe);
        exe
    }

    /// For aarch64: whether the frontend runs a static hello world as qemu does.
    fn frontend_ready(&self) -> bool {
        let dir = temp_dir(&format!("{}-ready", self.qemu));
        let exe = self.build(&dir.0, "hello", &["-static"]);
        let emu = run(EMU, &[], &exe, &[], &dir.0);
        let qemu = run(self.qemu, &[], &exe, &[], &dir.0);
        let ready = emu.stdout == qemu.stdout && emu.status == qemu.status;
        if !ready {
            eprintln!(
                "skipped: emu-user does not run static {} programs yet",
                self.qemu
            );
        }
        ready
    }

    /// Run `exe args` under emu-user in every tier and under qemu, with `-L`; same stdout
    /// and status.
    fn assert_same_as_qemu(&self, exe: &Path, args: &[&str], dir: &Path) {
        let qemu = run(self.qemu, &["-L", self.sysroot], exe, args, dir);
        for tier in TIERS {
            let mut opts = tier.to_vec();
            opts.extend(["-L", self.sysroot]);
            let emu = run(EMU, &opts, exe, args, dir);
            assert_same(&emu, &qemu, &format!("{} {args:?} {tier:?}", exe.display()));
        }
    }
}

fn run(runner: &str, pre: &[&str], exe: &Path, args: &[&str], dir: &Path) -> Output {
    Command::new(runner)
        .args(pre)
        .arg(exe)
        .args(args)
        .current_dir(dir)
        .env_remove("QEMU_LD_PREFIX")
        .env_remove("EMU_LD_PREFIX")
        .output()
        .unwrap()
}

fn assert_same(emu: &Output, qemu: &Output, what: &str) {
    assert_eq!(
        String::from_utf8_lossy(&emu.stdout),
        String::from_utf8_lossy(&qemu.stdout),
        "stdout of {what}; emu stderr: {}",
        String::from_utf8_lossy(&emu.stderr)
    );
    assert_eq!(emu.status, qemu.status, "status of {what}");
}

/// PIE and non-PIE builds of the test programs, plus run-time loading of libm.
fn programs_match_qemu(guest: &Guest, tag: &str) {
    let dir = temp_dir(tag);
    for (name, args) in [
        ("hello", &["one", "two words"][..]),
        ("runtime", &[]),
        ("dlopen", &[]),
        ("procfs", &["x", "y z"]),
    ] {
        for flags in [&[][..], &["-no-pie"]] {
            let exe = guest.build(&dir.0, name, flags);
            guest.assert_same_as_qemu(&exe, args, &dir.0);
        }
    }
}

#[test]
fn riscv64_dynamic_programs_match_qemu() {
    if RISCV64.available() {
        programs_match_qemu(&RISCV64, "rv");
    }
}

#[test]
fn aarch64_dynamic_programs_match_qemu() {
    if AARCH64.available() && AARCH64.frontend_ready() {
        programs_match_qemu(&AARCH64, "a64");
    }
}

/// A program linked against a shared library of our own (`libfoo.so`, next to it, found
/// through `-rpath $ORIGIN`).
fn own_library(g: &Guest, tag: &str) {
    let dir = temp_dir(tag);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guest");
    let exe = dir.0.join("uselib");
    let gcc = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(g.gcc).arg("-O2").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let lib = dir.0.join("libfoo.so");
    let lib_src = src.join("libfoo.c");
    gcc(&[
        "-fPIC".as_ref(),
        "-shared".as_ref(),
        "-o".as_ref(),
        lib.as_ref(),
        lib_src.as_ref(),
    ]);
    let main_src = src.join("uselib.c");
    let rpath = "-Wl,-rpath,$ORIGIN".as_ref();
    gcc(&[
        "-o".as_ref(),
        exe.as_ref(),
        main_src.as_ref(),
        "-L".as_ref(),
        dir.0.as_ref(),
        rpath,
        "-lfoo".as_ref(),
    ]);
    g.assert_same_as_qemu(&exe, &[], &dir.0);
}

#[test]
fn riscv64_own_shared_library_matches_qemu() {
    if RISCV64.available() {
        own_library(&RISCV64, "rv-lib");
    }
}

#[test]
fn aarch64_own_shared_library_matches_qemu() {
    if AARCH64.available() && AARCH64.frontend_ready() {
        own_library(&AARCH64, "a64-lib");
    }
}

/// `emu-user -L ROOT ROOT/lib/ld.so --library-path ROOT/lib prog args`, as with qemu.
fn interpreter_run_directly(g: &Guest, tag: &str) {
    let dir = temp_dir(tag);
    let prog = g.build(&dir.0, "hello", &[]);
    let libs = format!("{}/lib", g.sysroot);
    let prog_s = prog.to_str().unwrap();
    let args = ["--library-path", &libs, prog_s, "an arg"];
    g.assert_same_as_qemu(&g.interpreter(), &args, &dir.0);
}

#[test]
fn riscv64_interpreter_run_directly_matches_qemu() {
    if RISCV64.available() {
        interpreter_run_directly(&RISCV64, "rv-ldso");
    }
}

#[test]
fn aarch64_interpreter_run_directly_matches_qemu() {
    if AARCH64.available() && AARCH64.frontend_ready() {
        interpreter_run_directly(&AARCH64, "a64-ldso");
    }
}

/// `QEMU_LD_PREFIX` stands in for `-L`; `-L` wins over it.
#[test]
fn sysroot_from_the_environment() {
    let g = &RISCV64;
    if !g.available() {
        return;
    }
    let dir = temp_dir("env");
    let exe = g.build(&dir.0, "hello", &[]);
    let qemu = run(g.qemu, &["-L", g.sysroot], &exe, &[], &dir.0);
    for (var, value, opts) in [
        ("QEMU_LD_PREFIX", g.sysroot, &[][..]),
        ("EMU_LD_PREFIX", g.sysroot, &[]),
        ("QEMU_LD_PREFIX", "/nonexistent", &["-L", g.sysroot]),
    ] {
        let emu = Command::new(EMU)
            .args(opts)
            .arg(&exe)
            .current_dir(&dir.0)
            .env_remove("QEMU_LD_PREFIX")
            .env_remove("EMU_LD_PREFIX")
            .env(var, value)
            .output()
            .unwrap();
        assert_same(&emu, &qemu, &format!("{var}={value} {opts:?}"));
    }
}

/// Without a sysroot the interpreter is not found: one line naming it, status 1.
#[test]
fn missing_interpreter_is_one_clear_line() {
    let g = &RISCV64;
    if Command::new(g.gcc).arg("--version").output().is_err() {
        eprintln!("skipped: {} not installed", g.gcc);
        return;
    }
    if Path::new("/").join(g.ld_so).exists() {
        eprintln!("skipped: the host has /{}", g.ld_so);
        return;
    }
    let dir = temp_dir("nointerp");
    let exe = g.build(&dir.0, "hello", &[]);
    let out = run(EMU, &[], &exe, &[], &dir.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("emu-user: {}: ", exe.display())),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("/{}", g.ld_so)), "{stderr}");
    assert!(stderr.contains("No such file or directory"), "{stderr}");
}
