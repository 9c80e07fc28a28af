//! `-strace` lines in qemu-user 7.2's shape: `PID name(args)` before the call and
//! ` = result` after it, with arguments decoded as qemu decodes them (quoted strings,
//! `AT_FDCWD`, `O_*`/`PROT_*`/`MAP_*` flags, signal names, `NULL`, addresses in hex, errors as
//! `-1 errno=N (text)`).
//!
//! Table-driven: [`table`] gives each syscall an argument-kind list and a result kind,
//! [`render`] turns kinds into text, [`names`] holds the flag and enum names, [`mem`] decodes
//! guest memory (strings, structs) without ever faulting: unreadable pointers print in hex.
//! Syscalls missing from qemu's list print as `Unknown syscall N`; those it lists without a
//! printer use its generic form (six arguments in decimal).
//!
//! Known differences from qemu 7.2: non-UTF-8 bytes in strings print as U+FFFD; the structs
//! behind `TCSETS*`/`TIOCSWINSZ` (and the results of `TCGETS`/`TIOCGWINSZ`) are not decoded;
//! `AF_PACKET` socket addresses use the generic `sa_data` form.

mod mem;
mod names;
mod render;
mod table;

use super::Syscall;
use crate::arch::ArchInfo;
use crate::errno::{to_guest, SysResult};
use crate::memory::AddressSpace;
use render::{Ctx, Part};
use table::Call;

/// The line qemu prints when a signal is delivered to a handler:
/// `--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=1, si_uid=0} ---`.
pub fn signal_line(signo: u64, info: &[u8; 128]) -> String {
    format!(
        "--- {} {} ---",
        names::signal(signo),
        mem::siginfo_bytes(info)
    )
}

/// `rt_sigreturn`'s result as qemu shows it (its `-TARGET_QEMU_ESIGRETURN`).
pub const SIGRETURN_RESULT: &str = " = -1 errno=513 (Successful exit from sigreturn)";

/// The first half of a line, written before the call (so calls that never return, like
/// `exit_group`, are logged too). `space` is there to decode guest strings and structs.
/// `_row` (the emulator's own table row) is not used: names come from qemu's strace list,
/// which lacks some syscalls the emulator implements (`rseq`) and has many it does not.
pub fn call_line(
    pid: i32,
    nr: u64,
    _row: Option<&Syscall>,
    args: &[u64; 6],
    space: &AddressSpace,
    arch: &ArchInfo,
) -> String {
    let Some(entry) = table::lookup(arch.arch, nr) else {
        return format!("{pid} Unknown syscall {nr}\n");
    };
    let ctx = Ctx { args, space, arch };
    match entry.call {
        Call::Silent => String::new(),
        Call::Generic => {
            let args: Vec<String> = args.iter().map(|&a| (a as i64).to_string()).collect();
            format!("{pid} {}({})", entry.name, args.join(","))
        }
        Call::Args(kinds) => format!("{pid} {}", call_text(&ctx, entry.name, kinds)),
    }
}

/// `name(arg,arg)` from the argument kinds.
fn call_text(ctx: &Ctx, name: &str, kinds: &[table::Arg]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    for &kind in kinds {
        match render::arg(ctx, kind, i) {
            Part::Text(s) => parts.push(s),
            Part::Omit => {}
            Part::End(s) => {
                parts.push(s);
                return format!("{name}({}", parts.join(","));
            }
            Part::Abort => return String::new(),
        }
        i += kind.width();
    }
    format!("{name}({})", parts.join(","))
}

/// The second half, ending the line: ` = result` (` = -1 errno=N (text)` for errors). Empty
/// for calls whose first half already ended the line. `args` and `space` decode what the call
/// wrote (e.g. `clock_gettime`'s timespec).
pub fn result_line(
    nr: u64,
    result: SysResult,
    args: &[u64; 6],
    space: &AddressSpace,
    arch: &ArchInfo,
) -> String {
    let Some(entry) = table::lookup(arch.arch, nr) else {
        return String::new();
    };
    render::result(&Ctx { args, space, arch }, entry.ret, to_guest(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{self, GuestArch};
    use crate::errno::Errno;
    use crate::memory::{map_flags, Layout};

    const AT_FDCWD: u64 = -100i64 as u64;

    struct Guest {
        space: AddressSpace,
        buf: u64,
    }

    /// An address space with one read-write page of scratch memory.
    fn guest() -> Guest {
        let mut space = AddressSpace::new(Layout::default()).unwrap();
        let flags = map_flags::PRIVATE | map_flags::ANONYMOUS;
        let buf = space
            .mmap(0, 0x4000, 3, flags, crate::memory::Backing::Anonymous)
            .unwrap();
        Guest { space, buf }
    }

    impl Guest {
        /// Put `bytes` at `buf + off`; returns the guest address.
        fn put(&mut self, off: u64, bytes: &[u8]) -> u64 {
            self.space.write_bytes(self.buf + off, bytes).unwrap();
            self.buf + off
        }

        fn line(&self, arch: GuestArch, nr: u64, args: [u64; 6], result: SysResult) -> String {
            let arch = arch::info(arch);
            call_line(1234, nr, None, &args, &self.space, arch)
                + &result_line(nr, result, &args, &self.space, arch)
        }
    }

    use GuestArch::{Aarch64, Riscv64};

    #[test]
    fn paths_flags_and_errors() {
        let mut g = guest();
        let path = g.put(0, b"/etc/ld.so.cache\0");
        // qemu-aarch64: 1350 openat(AT_FDCWD,"/etc/ld.so.cache",O_RDONLY|O_CLOEXEC) = 3
        assert_eq!(
            g.line(Aarch64, 56, [AT_FDCWD, path, 0o2000000, 0, 0, 0], Ok(3)),
            "1234 openat(AT_FDCWD,\"/etc/ld.so.cache\",O_RDONLY|O_CLOEXEC) = 3\n"
        );
        // qemu-aarch64: openat(AT_FDCWD,"/nonexistent/x",O_WRONLY|O_CREAT|O_EXCL,0600)
        //   = -1 errno=2 (No such file or directory)
        assert_eq!(
            g.line(
                Aarch64,
                56,
                [AT_FDCWD, path, 0o301, 0o600, 0, 0],
                Err(Errno::ENOENT)
            ),
            "1234 openat(AT_FDCWD,\"/etc/ld.so.cache\",O_WRONLY|O_CREAT|O_EXCL,0600) \
             = -1 errno=2 (No such file or directory)\n"
        );
        // qemu-aarch64 (aarch64's O_DIRECTORY|O_NOFOLLOW, named as qemu 7.2 names them):
        //   openat(AT_FDCWD,"/nonexistent/x",O_RDWR|O_DIRECTORY|O_LARGEFILE|O_NONBLOCK|O_CLOEXEC)
        let flags = 2 | 0o40000 | 0o100000 | 0o4000 | 0o2000000;
        assert!(g
            .line(Aarch64, 56, [AT_FDCWD, path, flags, 0, 0, 0], Ok(3))
            .contains(",O_RDWR|O_DIRECTORY|O_LARGEFILE|O_NONBLOCK|O_CLOEXEC)"));
        // qemu-riscv64: the generic values: 0o200000 is O_DIRECTORY, 0o400000 O_NOFOLLOW.
        assert!(g
            .line(Riscv64, 56, [AT_FDCWD, path, 0o600000, 0, 0, 0], Ok(3))
            .contains(",O_RDONLY|O_DIRECTORY|O_NOFOLLOW)"));
        // qemu-aarch64: openat(AT_FDCWD,0x00000000dead0000,O_RDONLY) = -1 errno=14 (Bad address)
        assert_eq!(
            g.line(
                Aarch64,
                56,
                [AT_FDCWD, 0xdead_0000, 0, 0, 0, 0],
                Err(Errno::EFAULT)
            ),
            "1234 openat(AT_FDCWD,0x00000000dead0000,O_RDONLY) = -1 errno=14 (Bad address)\n"
        );
        // qemu-aarch64: faccessat(AT_FDCWD,"/etc/ld.so.preload",R_OK,AT_SYMLINK_NOFOLLOW|0x3eca0)
        assert!(g
            .line(Aarch64, 48, [AT_FDCWD, path, 4, 0x3eda0, 0, 0], Ok(0))
            .contains(",R_OK,AT_SYMLINK_NOFOLLOW|0x3eca0) = 0\n"));
        // qemu-aarch64: mknodat(AT_FDCWD,"/nonexistent/x",S_IFCHR|0600,makedev(1,3))
        assert!(g
            .line(Aarch64, 33, [AT_FDCWD, path, 0o20600, 0x103, 0, 0], Ok(0))
            .contains(",S_IFCHR|0600,makedev(1,3)) = 0"));
    }

    #[test]
    fn memory_calls() {
        let g = guest();
        let a = arch::info(Aarch64);
        // qemu-aarch64: mmap(NULL,8192,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0)
        //   = 0x000000550286e000
        let args = [0, 8192, 3, 0x22, u64::MAX, 0];
        assert_eq!(
            call_line(7, 222, None, &args, &g.space, a)
                + &result_line(222, Ok(0x55_0286_e000), &args, &g.space, a),
            "7 mmap(NULL,8192,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0) \
             = 0x000000550286e000\n"
        );
        // qemu-aarch64: mmap(0x0000005502a0c000,24576,PROT_READ|PROT_WRITE,
        //   MAP_PRIVATE|MAP_DENYWRITE|MAP_FIXED,3,0x18c000) = 0x0000005502a0c000
        assert_eq!(
            g.line(
                Aarch64,
                222,
                [0x55_02a0_c000, 24576, 3, 0x812, 3, 0x18c000],
                Ok(0x55_02a0_c000)
            ),
            "1234 mmap(0x0000005502a0c000,24576,PROT_READ|PROT_WRITE,\
             MAP_PRIVATE|MAP_DENYWRITE|MAP_FIXED,3,0x18c000) = 0x0000005502a0c000\n"
        );
        // qemu-aarch64: brk(NULL) = 0x0000000000498000
        assert_eq!(
            g.line(Aarch64, 214, [0; 6], Ok(0x498000)),
            "1234 brk(NULL) = 0x0000000000498000\n"
        );
        // qemu-aarch64: mprotect(0x000000000048c000,16384,PROT_READ) = 0
        assert_eq!(
            g.line(Aarch64, 226, [0x48c000, 16384, 1, 0, 0, 0], Ok(0)),
            "1234 mprotect(0x000000000048c000,16384,PROT_READ) = 0\n"
        );
        // qemu-aarch64: write(1,0x498fa0,39) = 39 (the buffer with %#x, 32 bits)
        assert_eq!(
            g.line(Aarch64, 64, [1, 0x55_0049_8fa0, 39, 0, 0, 0], Ok(39)),
            "1234 write(1,0x498fa0,39) = 39\n"
        );
    }

    #[test]
    fn signals_generic_and_unknown() {
        let g = guest();
        // qemu-aarch64: rt_sigaction(SIGUSR2,0x00000055008003a8,NULL) = 0
        assert_eq!(
            g.line(Aarch64, 134, [12, 0x55_0080_03a8, 0, 8, 0, 0], Ok(0)),
            "1234 rt_sigaction(SIGUSR2,0x00000055008003a8,NULL) = 0\n"
        );
        // qemu-aarch64: kill(999999,SIGUSR1) = -1 errno=3 (No such process)
        assert_eq!(
            g.line(Aarch64, 129, [999999, 10, 0, 0, 0, 0], Err(Errno::ESRCH)),
            "1234 kill(999999,SIGUSR1) = -1 errno=3 (No such process)\n"
        );
        // qemu-aarch64: rt_sigprocmask(UNKNOWN,0x00000000dead0000,NULL) = -1 errno=14 (Bad address)
        assert_eq!(
            g.line(
                Aarch64,
                135,
                [7, 0xdead_0000, 0, 8, 0, 0],
                Err(Errno::EFAULT)
            ),
            "1234 rt_sigprocmask(UNKNOWN,0x00000000dead0000,NULL) = -1 errno=14 (Bad address)\n"
        );
        // qemu-aarch64: set_robust_list(4817120,24,4817120,1,0,4817168)
        //   = -1 errno=38 (Function not implemented)
        assert_eq!(
            g.line(
                Aarch64,
                99,
                [4817120, 24, 4817120, 1, 0, 4817168],
                Err(Errno::ENOSYS)
            ),
            "1234 set_robust_list(4817120,24,4817120,1,0,4817168) \
             = -1 errno=38 (Function not implemented)\n"
        );
        // qemu-aarch64: Unknown syscall 293 (rseq; no result follows)
        assert_eq!(
            g.line(Aarch64, 293, [0; 6], Err(Errno::ENOSYS)),
            "1234 Unknown syscall 293\n"
        );
        // qemu-riscv64 does not log riscv_flush_icache; on aarch64 259 is unknown.
        assert_eq!(g.line(Riscv64, 259, [0; 6], Ok(0)), "");
        assert_eq!(
            g.line(Aarch64, 259, [0; 6], Ok(0)),
            "1234 Unknown syscall 259\n"
        );
        // exit_group: the line is ended by the exit path (qemu: "exit_group(0)\n").
        let a = arch::info(Aarch64);
        assert_eq!(
            call_line(1234, 94, None, &[0; 6], &g.space, a),
            "1234 exit_group(0)"
        );
    }

    #[test]
    fn structs_and_quirks() {
        let mut g = guest();
        let ts = g.put(0x100, &[5, 0, 0, 0, 0, 0, 0, 0, 0xe8, 3, 0, 0, 0, 0, 0, 0]);
        // qemu-aarch64: clock_gettime(CLOCK_MONOTONIC,0x00000055008004e8)
        //   = 0 ({tv_sec = 11511,tv_nsec = 767238301})
        assert_eq!(
            g.line(Aarch64, 113, [1, ts, 0, 0, 0, 0], Ok(0)),
            format!("1234 clock_gettime(CLOCK_MONOTONIC,0x{ts:016x}) = 0 ({{tv_sec = 5,tv_nsec = 1000}})\n")
        );
        // qemu-aarch64: futex(0x0000000000490050,FUTEX_CLOCK_REALTIME|FUTEX_WAIT_BITSET,2,
        //   {tv_sec = 5,tv_nsec = 1000},NULL,0) = -1 errno=11 (Resource temporarily unavailable)
        assert_eq!(
            g.line(Aarch64, 98, [0x490050, 0x109, 2, ts, 0, u64::MAX], Err(Errno::EAGAIN)),
            "1234 futex(0x0000000000490050,FUTEX_CLOCK_REALTIME|FUTEX_WAIT_BITSET,2,\
             {tv_sec = 5,tv_nsec = 1000},NULL,0) = -1 errno=11 (Resource temporarily unavailable)\n"
        );
        // qemu-aarch64: fcntl(99,F_SETOWN,16,) = -1 errno=9 (Bad file descriptor)
        assert!(g
            .line(Aarch64, 25, [99, 8, 16, 0, 0, 0], Err(Errno::EBADF))
            .starts_with("1234 fcntl(99,F_SETOWN,16,) = -1"));
        // qemu-aarch64: fcntl(10,F_SETFL,O_RDONLY|O_APPEND|O_NONBLOCK) = 0
        assert!(g
            .line(Aarch64, 25, [10, 4, 0o6000, 0, 0, 0], Ok(0))
            .starts_with("1234 fcntl(10,F_SETFL,O_RDONLY|O_APPEND|O_NONBLOCK) = 0"));
        // qemu-aarch64: ioctl(1,TCGETS,0x0000000000492090) = -1 errno=25 (...)
        assert!(g
            .line(
                Aarch64,
                29,
                [1, 0x5401, 0x492090, 0, 0, 0],
                Err(Errno::ENOTTY)
            )
            .starts_with("1234 ioctl(1,TCGETS,0x0000000000492090) = -1 errno=25"));
        // qemu-aarch64: execve("/nonexistent/x",{"prog","arg one",NULL}) = -1 errno=2 (...)
        let path = g.put(0x200, b"/nonexistent/x\0");
        let prog = g.put(0x220, b"prog\0");
        let one = g.put(0x230, b"arg one\0");
        let mut argv = Vec::new();
        for p in [prog, one, 0] {
            argv.extend_from_slice(&p.to_le_bytes());
        }
        let argv = g.put(0x300, &argv);
        assert!(g
            .line(Aarch64, 221, [path, argv, 0, 0, 0, 0], Err(Errno::ENOENT))
            .starts_with("1234 execve(\"/nonexistent/x\",{\"prog\",\"arg one\",NULL}) = -1"));
        // qemu-aarch64: execve("/nonexistent/x",{ = -1 errno=2 ... (argv unreadable)
        assert!(g
            .line(Aarch64, 221, [path, 0, 0, 0, 0, 0], Err(Errno::ENOENT))
            .starts_with("1234 execve(\"/nonexistent/x\",{ = -1 errno=2"));
        // qemu-aarch64: " = -1 errno=14 (Bad address)" after just the pid (path unreadable).
        assert_eq!(
            g.line(Aarch64, 221, [0, 0, 0, 0, 0, 0], Err(Errno::EFAULT)),
            "1234  = -1 errno=14 (Bad address)\n"
        );
    }

    /// Wild pointers in every pointer-decoding position print as numbers, never fault.
    #[test]
    fn wild_pointers_never_fault() {
        let g = guest();
        let window = g.space.mem.window.size();
        for wild in [8, 0xdead_0000, window - 1, window, 1 << 45, u64::MAX - 3] {
            for entry in table::TABLE {
                let line = g.line(Aarch64, entry.nr, [wild; 6], Ok(0));
                assert!(line.is_empty() || line.starts_with("1234 "), "{line}");
            }
        }
    }

    #[test]
    fn table_is_sorted() {
        for w in table::TABLE.windows(2) {
            assert!(w[0].nr < w[1].nr, "{} / {}", w[0].name, w[1].name);
        }
    }

    /// Where the emulator and qemu's list both know a syscall, they agree on its name.
    #[test]
    fn names_match_the_syscall_table() {
        for row in super::super::GENERIC_SYSCALLS {
            if let Some(entry) = table::lookup(Aarch64, row.nr) {
                assert_eq!(entry.name, row.name, "syscall {}", row.nr);
            }
        }
    }
}
