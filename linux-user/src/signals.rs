//! Guest signal default actions. Real signal delivery to guest handlers is a later milestone;
//! for now a fatal guest signal ends the emulator the way it would end the guest under Linux
//! (and qemu-user): a core-dumping signal prints
//! `emu-user: uncaught target signal 11 (Segmentation fault) - core dumped`, then the emulator
//! kills itself with the same signal so the parent sees the same wait status.
//!
//! Guest signal numbers of riscv64 and aarch64 (asm-generic) equal the host's (x86_64) for
//! every signal handled here. Everything in this module is async-signal-safe (plain `write`,
//! `sigaction`, `kill`), because it also runs inside the SIGSEGV handler.

/// Signals whose default action dumps core, with the text of `strsignal` (what qemu prints).
const CORE_SIGNALS: &[(i32, &str)] = &[
    (libc::SIGQUIT, "Quit"),
    (libc::SIGILL, "Illegal instruction"),
    (libc::SIGTRAP, "Trace/breakpoint trap"),
    (libc::SIGABRT, "Aborted"),
    (libc::SIGBUS, "Bus error"),
    (libc::SIGFPE, "Floating point exception"),
    (libc::SIGSEGV, "Segmentation fault"),
    (libc::SIGXCPU, "CPU time limit exceeded"),
    (libc::SIGXFSZ, "File size limit exceeded"),
    (libc::SIGSYS, "Bad system call"),
];

/// Write raw bytes to stderr (async-signal-safe).
pub fn write_stderr(parts: &[&[u8]]) {
    for p in parts {
        // SAFETY: writes `p.len()` bytes from a valid slice to fd 2.
        unsafe { libc::write(2, p.as_ptr().cast(), p.len()) };
    }
}

/// Decimal digits of `v` into `buf`, returning the used tail (async-signal-safe formatting).
pub fn fmt_u64(mut v: u64, radix: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        let d = (v % radix) as u8;
        buf[i] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
        v /= radix;
        if v == 0 || i == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Terminate the emulator as the guest's fatal signal `sig` would terminate the guest.
pub fn die_with_signal(sig: i32) -> ! {
    if let Some((_, name)) = CORE_SIGNALS.iter().find(|(s, _)| *s == sig) {
        let mut buf = [0u8; 20];
        let num = fmt_u64(sig as u64, 10, &mut buf);
        write_stderr(&[
            b"emu-user: uncaught target signal ",
            num,
            b" (",
            name.as_bytes(),
            b") - core dumped\n",
        ]);
        // Like qemu: no core file of the emulator itself (it would hold the whole window).
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: plain syscall with a valid struct.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) };
    }
    // SAFETY: resetting a signal to its default action, unblocking it and sending it to
    // ourselves are plain syscalls on valid arguments.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::kill(libc::getpid(), sig);
        // A signal whose default is to be ignored (or a stopped-then-continued process) lands here.
        libc::_exit(128 + sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        let mut b = [0u8; 20];
        assert_eq!(fmt_u64(0, 10, &mut b), b"0");
        assert_eq!(fmt_u64(11, 10, &mut b), b"11");
        assert_eq!(fmt_u64(0xdead_beef, 16, &mut b), b"deadbeef");
        assert_eq!(fmt_u64(u64::MAX, 10, &mut b), b"18446744073709551615");
    }

    #[test]
    fn names_match_the_host_strsignal() {
        for &(sig, name) in CORE_SIGNALS {
            // SAFETY: strsignal returns a valid C string (called in a single-threaded test).
            let host = unsafe { std::ffi::CStr::from_ptr(libc::strsignal(sig)) };
            assert_eq!(host.to_str().unwrap(), name);
        }
    }
}
