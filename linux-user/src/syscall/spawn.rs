//! Creating processes and replacing the program: `clone` without `CLONE_VM` (fork) and
//! `vfork`-style clones via host `fork()`, and `execve`/`execveat`.
//!
//! Fork keeps the emulator consistent in the child: the log is flushed first, the engine's
//! locks are held across the fork and its compile thread restarted in the child
//! ([`emu_backend::Engine::fork_with`]). A vfork is a plain fork, as in qemu-user (the guest
//! cannot tell, except through memory writes a vfork child must not make).
//!
//! Exec re-executes emu-user itself (`/proc/self/exe` of the host process) with the same
//! emulator options when the target is an ELF of a guest arch emu-user runs, or a `#!` script
//! whose interpreter is one (as qemu-user behaves with its binfmt_misc handler registered).
//! Anything else (host programs, scripts for host interpreters) goes to the host `execve`
//! unchanged, as qemu-user does. Lookup errors (`ENOENT`, `EACCES`, ...) are found before
//! the emulator is replaced, so the guest sees them as the kernel would report them.

use std::ffi::{CString, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;

use std::sync::Arc;

use emu_backend::Engine;

use super::Process;
use crate::arch;
use crate::errno::{Errno, SysResult};

/// What the syscall layer needs to know about the emulator itself.
#[derive(Default, Clone)]
pub struct Emulator {
    /// Options for a re-executed emu-user (`-L`, `-d`, `-D`, `-strace`, `-tier1-threshold`).
    pub options: Vec<OsString>,
    /// The engine, whose locks and compile thread need care around a fork.
    pub engine: Option<Arc<Engine>>,
    /// A stack pointer `clone` asks for in the child; the run loop moves it into the CPU.
    pub child_sp: Option<u64>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("options", &self.options)
            .finish()
    }
}

impl Emulator {
    /// The command-line options that recreate this emulator's settings.
    pub fn options_for(cfg: &crate::runner::RunConfig) -> Vec<OsString> {
        let mut o: Vec<OsString> = Vec::new();
        if let Some(root) = &cfg.sysroot {
            o.extend(["-L".into(), root.as_os_str().to_owned()]);
        }
        let items = cfg.log.items();
        if !items.is_empty() {
            o.extend(["-d".into(), items.into()]);
        }
        if let Some(filter) = &cfg.dfilter {
            o.extend(["-dfilter".into(), filter.into()]);
        }
        if let Some(f) = &cfg.log_file {
            o.extend(["-D".into(), f.as_os_str().to_owned(), "--log-append".into()]);
        }
        if cfg.log.strace {
            o.push("-strace".into());
        }
        if cfg.one_insn_per_tb {
            o.push("-one-insn-per-tb".into());
        }
        let threshold = match cfg.tier1_threshold {
            u32::MAX => "never".to_string(),
            n => n.to_string(),
        };
        o.extend(["-tier1-threshold".into(), threshold.into()]);
        o
    }
}

/// After a syscall: apply the CPU changes it left for the run loop (a forked child's stack).
pub fn apply_to_cpu(p: &mut Process, cpu: &mut dyn crate::guest_cpu::GuestCpu) {
    if let Some(sp) = p.emulator.child_sp.take() {
        cpu.set_stack_pointer(sp);
    }
}

pub(crate) mod clone_flags {
    pub const CSIGNAL: u64 = 0xff;
    pub const VM: u64 = 0x100;
    pub const FS: u64 = 0x200;
    pub const FILES: u64 = 0x400;
    pub const SIGHAND: u64 = 0x800;
    pub const VFORK: u64 = 0x4000;
    pub const THREAD: u64 = 0x10000;
    pub const SYSVSEM: u64 = 0x40000;
    pub const SETTLS: u64 = 0x80000;
    pub const PARENT_SETTID: u64 = 0x0010_0000;
    pub const CHILD_CLEARTID: u64 = 0x0020_0000;
    pub const CHILD_SETTID: u64 = 0x0100_0000;
}

fn log_unimp(p: &mut Process, what: &str) {
    if p.log_options.unimp {
        let _ = writeln!(p.log, "emu-user: {what}");
    }
}

/// `clone(flags, newsp, parent_tid, tls, child_tid)` (the argument order of arm64 and
/// riscv64). Without `CLONE_VM`, or with `CLONE_VM|CLONE_VFORK`, it is a fork.
pub fn clone(p: &mut Process, a: [u64; 6]) -> SysResult {
    use clone_flags::*;
    let [flags, newsp, ptid, _tls, ctid, _] = a;
    let flags = if flags & (VM | VFORK) == VM | VFORK {
        flags & !(VM | VFORK)
    } else {
        flags
    };
    if flags & VM != 0 {
        // Threads are created by the run loop (`crate::threads`), which has the CPU; other
        // CLONE_VM combinations (a shared address space in another process) are not emulated.
        log_unimp(p, "clone: CLONE_VM without CLONE_THREAD is not supported");
        return Err(Errno::EINVAL);
    }
    if flags & SETTLS != 0 {
        log_unimp(p, "clone: CLONE_SETTLS in a fork is not supported");
        return Err(Errno::ENOSYS);
    }
    if flags & !(CSIGNAL | PARENT_SETTID | CHILD_CLEARTID | CHILD_SETTID) != 0 {
        return Err(Errno::EINVAL);
    }
    p.flush_log();
    let pid = match p.emulator.engine.clone() {
        Some(engine) => engine.fork_with(host_fork),
        None => host_fork(),
    };
    if pid < 0 {
        return Err(Errno(-pid as i32));
    }
    let tid = if pid == 0 {
        // SAFETY: gettid cannot fail.
        unsafe { libc::gettid() as u64 }
    } else {
        pid as u64
    };
    // The kernel writes the tid words without reporting a failure to the caller.
    if flags & PARENT_SETTID != 0 {
        let _ = p.space.write_u32(ptid, tid as u32);
    }
    if pid == 0 {
        crate::threads::forget_other_threads();
        p.signals.clear_pending();
        crate::signals::forget_host_pending();
        if flags & CHILD_SETTID != 0 {
            let _ = p.space.write_u32(ctid, tid as u32);
        }
        if newsp != 0 {
            p.emulator.child_sp = Some(newsp);
        }
    }
    Ok(if pid == 0 { 0 } else { tid })
}

/// Host `fork()`: the child's pid, 0 in the child, or `-errno`.
fn host_fork() -> i64 {
    // SAFETY: the emulator's shared state is made fork-safe by the caller (engine locks held,
    // log flushed); glibc's fork resets its own locks (malloc) in the child.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        -(Errno::last().0 as i64)
    } else {
        pid as i64
    }
}

/// Longest path accepted from the guest (PATH_MAX).
const PATH_MAX: usize = 4096;
/// Most bytes of argument and environment strings together (the kernel's default limit is a
/// quarter of the stack rlimit; this is a fixed generous bound).
const ARG_MAX: usize = 2 << 20;
/// `AT_FDCWD` and `AT_EMPTY_PATH`.
const AT_FDCWD: i32 = -100;
const AT_EMPTY_PATH: u64 = 0x1000;
/// Bytes of a file the kernel looks at to recognize it (BINPRM_BUF_SIZE).
const HEADER_SIZE: usize = 256;

pub fn execve(p: &mut Process, a: [u64; 6]) -> SysResult {
    exec_at(p, AT_FDCWD, a[0], a[1], a[2], 0)
}

pub fn execveat(p: &mut Process, a: [u64; 6]) -> SysResult {
    exec_at(p, a[0] as i32, a[1], a[2], a[3], a[4])
}

/// The host path of the exec target: `/proc/self/exe` and the sysroot as for `open`,
/// directory descriptors through `/proc/self/fd`.
fn target_path(p: &Process, dirfd: i32, addr: u64, flags: u64) -> Result<Vec<u8>, Errno> {
    let raw = p.space.read_cstring(addr, PATH_MAX)?;
    if raw.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        return Ok(format!("/proc/self/fd/{dirfd}").into_bytes());
    }
    if raw[0] == b'/' || dirfd == AT_FDCWD {
        return Ok(p.path(addr)?.into_bytes());
    }
    let mut path = format!("/proc/self/fd/{dirfd}/").into_bytes();
    path.extend_from_slice(&raw);
    Ok(path)
}

/// A guest `char *[]` (NULL-terminated; a NULL array is empty).
fn read_strings(p: &Process, mut addr: u64, total: &mut usize) -> Result<Vec<Vec<u8>>, Errno> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    loop {
        let s = p.space.read_u64(addr)?;
        if s == 0 {
            return Ok(out);
        }
        let bytes = p.space.read_cstring(s, ARG_MAX)?;
        *total += bytes.len() + 1 + 8;
        if *total > ARG_MAX {
            return Err(Errno(libc::E2BIG));
        }
        out.push(bytes);
        addr = addr.checked_add(8).ok_or(Errno::EFAULT)?;
    }
}

/// How an exec target is run.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// A guest program: re-execute emu-user on `program` with guest argv `argv`.
    Guest {
        program: Vec<u8>,
        argv: Vec<Vec<u8>>,
    },
    /// Anything else: the host's `execve` on the path.
    Host,
}

/// Open `path` as exec would and read its first bytes; the errno exec would report.
fn read_header(path: &[u8]) -> Result<Vec<u8>, Errno> {
    let c = CString::new(path).map_err(|_| Errno::ENOENT)?;
    // SAFETY: `c` is a valid NUL-terminated path.
    if unsafe { libc::access(c.as_ptr(), libc::X_OK) } != 0 {
        return Err(Errno::last());
    }
    let meta = std::fs::metadata(std::ffi::OsStr::from_bytes(path))
        .map_err(|e| Errno(e.raw_os_error().unwrap_or(libc::EACCES)))?;
    if !meta.is_file() {
        return Err(Errno(libc::EACCES));
    }
    use std::io::Read;
    let mut f = std::fs::File::open(std::ffi::OsStr::from_bytes(path))
        .map_err(|e| Errno(e.raw_os_error().unwrap_or(libc::EACCES)))?;
    let mut buf = Vec::with_capacity(HEADER_SIZE);
    Read::by_ref(&mut f)
        .take(HEADER_SIZE as u64)
        .read_to_end(&mut buf)
        .map_err(|e| Errno(e.raw_os_error().unwrap_or(libc::EIO)))?;
    Ok(buf)
}

/// Whether `header` starts a 64-bit little-endian ELF for a guest arch emu-user runs.
fn is_guest_elf(header: &[u8]) -> bool {
    const EI_CLASS_64: u8 = 2;
    const EI_DATA_LE: u8 = 1;
    if header.len() < 20 || &header[..4] != b"\x7fELF" {
        return false;
    }
    if header[4] != EI_CLASS_64 || header[5] != EI_DATA_LE {
        return false;
    }
    let machine = u16::from_le_bytes([header[18], header[19]]);
    // The host's own programs run natively (as with binfmt_misc, which skips the host arch).
    arch::by_elf_machine(machine).is_some_and(|a| a.supported && a.name != std::env::consts::ARCH)
}

/// The interpreter and optional argument of a `#!` line, as the kernel splits it.
fn parse_shebang(header: &[u8]) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    let line = header.strip_prefix(b"#!")?;
    let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
    let is_space = |b: &u8| *b == b' ' || *b == b'\t';
    let start = line.iter().position(|b| !is_space(b))?;
    let line = &line[start..];
    let end = line.iter().rposition(|b| !is_space(b))? + 1;
    let line = &line[..end];
    match line.iter().position(is_space) {
        None => Some((line.to_vec(), None)),
        Some(i) => {
            let rest = &line[i..];
            let arg_start = rest.iter().position(|b| !is_space(b)).unwrap_or(0);
            Some((line[..i].to_vec(), Some(rest[arg_start..].to_vec())))
        }
    }
}

/// Decide how to run `path` (host path) given as `guest_path` with `argv`.
fn plan(p: &Process, path: &[u8], guest_path: &[u8], argv: &[Vec<u8>]) -> Result<Plan, Errno> {
    let header = read_header(path)?;
    if is_guest_elf(&header) {
        return Ok(Plan::Guest {
            program: path.to_vec(),
            argv: argv.to_vec(),
        });
    }
    let Some((interp, arg)) = parse_shebang(&header) else {
        return Ok(Plan::Host);
    };
    let host_interp = crate::sysroot::resolve(p.sysroot.as_deref(), &interp);
    match read_header(&host_interp) {
        Ok(h) if is_guest_elf(&h) => {
            let mut new_argv = vec![interp];
            new_argv.extend(arg);
            new_argv.push(guest_path.to_vec());
            new_argv.extend(argv.iter().skip(1).cloned());
            Ok(Plan::Guest {
                program: host_interp,
                argv: new_argv,
            })
        }
        // A missing interpreter is the script's ENOENT, as the kernel reports it.
        Err(e) if e == Errno::ENOENT => Err(e),
        _ => Ok(Plan::Host),
    }
}

fn cstrings<I: IntoIterator<Item = Vec<u8>>>(items: I) -> Result<Vec<CString>, Errno> {
    items
        .into_iter()
        .map(|s| CString::new(s).map_err(|_| Errno::EINVAL))
        .collect()
}

/// The host `execve`; returns only on failure.
fn host_execve(path: &[u8], argv: Vec<Vec<u8>>, envp: Vec<Vec<u8>>) -> Errno {
    let build = || -> Result<_, Errno> {
        Ok((
            CString::new(path).map_err(|_| Errno::ENOENT)?,
            cstrings(argv)?,
            cstrings(envp)?,
        ))
    };
    let (path, argv, envp) = match build() {
        Ok(t) => t,
        Err(e) => return e,
    };
    let ptrs = |v: &[CString]| -> Vec<*const libc::c_char> {
        v.iter()
            .map(|s| s.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect()
    };
    let (argv_p, envp_p) = (ptrs(&argv), ptrs(&envp));
    // SAFETY: NUL-terminated strings and NULL-terminated pointer arrays that outlive the call.
    unsafe { libc::execve(path.as_ptr(), argv_p.as_ptr(), envp_p.as_ptr()) };
    Errno::last()
}

fn exec_at(p: &mut Process, dirfd: i32, path: u64, argv: u64, envp: u64, flags: u64) -> SysResult {
    let guest_path = p.space.read_cstring(path, PATH_MAX)?;
    let host_path = target_path(p, dirfd, path, flags)?;
    let mut total = 0;
    let argv = read_strings(p, argv, &mut total)?;
    let envp = read_strings(p, envp, &mut total)?;
    let plan = plan(p, &host_path, &guest_path, &argv)?;
    p.flush_log();
    crate::signals::prepare_exec(&p.signals);
    let err = match plan {
        Plan::Host => host_execve(&host_path, argv, envp),
        Plan::Guest { program, argv } => {
            let mut args: Vec<Vec<u8>> = vec![b"emu-user".to_vec()];
            args.extend(p.emulator.options.iter().map(|o| o.as_bytes().to_vec()));
            args.push(b"-0".to_vec());
            args.push(argv.first().cloned().unwrap_or_default());
            args.push(b"--".to_vec());
            args.push(program);
            args.extend(argv.into_iter().skip(1));
            host_execve(b"/proc/self/exe", args, envp)
        }
    };
    crate::signals::exec_failed(&mut p.signals);
    Err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::GuestArch;
    use crate::memory::{map_flags, AddressSpace, Layout};

    fn process() -> Process {
        let space = AddressSpace::new(Layout::default()).unwrap();
        Process::new(
            space,
            arch::info(GuestArch::Riscv64),
            std::path::PathBuf::from("/bin/true"),
        )
    }

    /// A scratch guest page holding `path` (NUL-terminated).
    fn guest_string(p: &mut Process, path: &[u8]) -> u64 {
        let flags = (map_flags::PRIVATE | map_flags::ANONYMOUS) as u64;
        let buf = p.dispatch(222, [0, 0x1000, 3, flags, u64::MAX, 0]);
        p.space.write_bytes(buf, path).unwrap();
        p.space.write_bytes(buf + path.len() as u64, &[0]).unwrap();
        buf
    }

    #[test]
    fn fork_child_status_and_tid_word() {
        let mut p = process();
        let word = guest_string(&mut p, b"\0\0\0\0");
        let flags = libc::SIGCHLD as u64 | clone_flags::CHILD_SETTID;
        let pid = p.dispatch(220, [flags, 0, 0, 0, word, 0]);
        if pid == 0 {
            let tid = p.space.read_bytes(word, 4).unwrap();
            // SAFETY: gettid cannot fail.
            let ok =
                u32::from_le_bytes(tid.try_into().unwrap()) == unsafe { libc::gettid() } as u32;
            // SAFETY: ending the forked test child without running the harness's cleanup.
            unsafe { libc::_exit(if ok { 42 } else { 1 }) }
        }
        assert!((pid as i64) > 0, "{}", pid as i64);
        let mut st = 0;
        // SAFETY: waiting for our own child into a local.
        assert_eq!(unsafe { libc::waitpid(pid as i32, &mut st, 0) }, pid as i32);
        assert!(
            libc::WIFEXITED(st) && libc::WEXITSTATUS(st) == 42,
            "{st:#x}"
        );
    }

    #[test]
    fn shared_memory_clones_and_bad_flags_are_einval() {
        let mut p = process();
        // glibc's pthread_create flags: only the run loop, which has the CPU, makes threads.
        let thread = 0x3d0f00;
        assert_eq!(
            p.dispatch(220, [thread, 0, 0, 0, 0, 0]) as i64,
            -(libc::EINVAL as i64)
        );
        let new_ns = 0x2000_0000 | libc::SIGCHLD as u64; // CLONE_NEWUTS
        assert_eq!(
            p.dispatch(220, [new_ns, 0, 0, 0, 0, 0]) as i64,
            -(libc::EINVAL as i64)
        );
    }

    #[test]
    fn exec_errors_come_before_the_exec() {
        let mut p = process();
        for (path, errno) in [
            (&b"/nonexistent/emu-prog"[..], libc::ENOENT),
            (b"/tmp", libc::EACCES),
            (b"", libc::ENOENT),
        ] {
            let addr = guest_string(&mut p, path);
            let r = p.dispatch(221, [addr, 0, 0, 0, 0, 0]) as i64;
            assert_eq!(r, -(errno as i64), "{}", String::from_utf8_lossy(path));
        }
        assert_eq!(
            p.dispatch(221, [0xdead_0000, 0, 0, 0, 0, 0]) as i64,
            -(libc::EFAULT as i64)
        );
    }

    #[test]
    fn shebang_lines() {
        assert_eq!(
            parse_shebang(b"#!/bin/sh\necho"),
            Some((b"/bin/sh".to_vec(), None))
        );
        assert_eq!(
            parse_shebang(b"#! /usr/bin/env  python3 -u \n"),
            Some((b"/usr/bin/env".to_vec(), Some(b"python3 -u".to_vec())))
        );
        assert_eq!(parse_shebang(b"#!   \n"), None);
        assert_eq!(parse_shebang(b"\x7fELF"), None);
    }

    #[test]
    fn guest_elf_headers() {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[18] = 183;
        assert!(is_guest_elf(&h), "aarch64");
        h[18] = 243;
        assert!(is_guest_elf(&h), "riscv64");
        h[18] = 62;
        assert!(!is_guest_elf(&h), "x86_64 runs on the host");
        assert!(!is_guest_elf(b"#!/bin/sh"));
    }

    #[test]
    fn options_round_trip() {
        let mut log = super::super::LogOptions {
            strace: true,
            ..Default::default()
        };
        log.enable("unimp,in_asm").unwrap();
        let cfg = crate::runner::RunConfig {
            program: "/bin/true".into(),
            argv: Vec::new(),
            envp: Vec::new(),
            tier1_threshold: u32::MAX,
            log,
            log_file: None,
            log_append: false,
            sysroot: Some("/r".into()),
            dfilter: Some("0x1000..0x2000".into()),
            one_insn_per_tb: true,
            gdb_port: Some(1234),
        };
        let o = Emulator::options_for(&cfg);
        let o: Vec<_> = o.iter().map(|s| s.to_str().unwrap()).collect();
        assert_eq!(
            o,
            [
                "-L",
                "/r",
                "-d",
                "in_asm,unimp",
                "-dfilter",
                "0x1000..0x2000",
                "-strace",
                "-one-insn-per-tb",
                "-tier1-threshold",
                "never"
            ]
        );
    }
}
