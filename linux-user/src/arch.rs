//! Per-guest-arch facts for user mode, as tables: ELF machine numbers, `uname` machine names,
//! `AT_HWCAP`, which registers carry syscall numbers and arguments, and the `open` flag bits
//! that differ from the host's. A new guest arch is a new row here plus its frontend.

/// The guest architectures emu-user knows about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestArch {
    Riscv64,
    Aarch64,
    X86_64,
}

/// Where the syscall number, arguments and result live in the guest's integer register file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyscallRegs {
    pub nr: usize,
    pub args: [usize; 6],
    pub ret: usize,
}

impl SyscallRegs {
    pub fn number(&self, regs: &[u64]) -> u64 {
        regs[self.nr]
    }

    pub fn arguments(&self, regs: &[u64]) -> [u64; 6] {
        self.args.map(|i| regs[i])
    }

    pub fn set_result(&self, regs: &mut [u64], value: u64) {
        regs[self.ret] = value;
    }
}

/// Everything user mode needs to know about one guest arch.
#[derive(Debug, PartialEq, Eq)]
pub struct ArchInfo {
    pub arch: GuestArch,
    /// Name in messages ("guest arch aarch64 is not supported yet").
    pub name: &'static str,
    pub elf_machine: u16,
    /// `utsname.machine`.
    pub uname_machine: &'static str,
    pub hwcap: u64,
    /// Whether emu-user can run it yet.
    pub supported: bool,
    pub syscall_regs: SyscallRegs,
    /// Size of the kernel's `struct sigaction` (handler first).
    pub sigaction_size: usize,
    /// `(guest bit, host bit)` for `O_*` flags whose values differ from the host's.
    pub open_flag_diffs: &'static [(u32, u32)],
    /// Length in bytes of the syscall instruction (a restarted syscall backs up this much).
    pub syscall_insn_len: u64,
    /// The `AT_PLATFORM` string (empty: no `AT_PLATFORM`).
    pub platform: &'static str,
}

/// RISC-V `AT_HWCAP`: one bit per single-letter extension, as Linux reports (`IMAFDC`).
const fn riscv_hwcap(letters: &[u8]) -> u64 {
    let mut v = 0;
    let mut i = 0;
    while i < letters.len() {
        v |= 1 << (letters[i] - b'A');
        i += 1;
    }
    v
}

/// aarch64 `AT_HWCAP`: exactly what the frontend implements (bit numbers from
/// arch/arm64/include/uapi/asm/hwcap.h): FP, ASIMD, PMULL (64-bit PMULL; not AES), CRC32,
/// ATOMICS (LSE), ASIMDRDM (SQRDMLAH), JSCVT (FJCVTZS), LRCPC (LDAPR), ASIMDDP (SDOT/UDOT) and
/// ILRCPC (LDAPUR/STLUR). Not CPUID: MRS of the ID registers is undefined.
const AARCH64_HWCAP: u64 =
    1 << 0 | 1 << 1 | 1 << 4 | 1 << 7 | 1 << 8 | 1 << 12 | 1 << 13 | 1 << 15 | 1 << 20 | 1 << 26;

/// aarch64 uses other values for four `O_*` flags (arch/arm64/include/uapi/asm/fcntl.h); the
/// host (x86_64) and riscv64 use asm-generic's.
const AARCH64_OPEN_FLAGS: &[(u32, u32)] = &[
    (0o040000, libc::O_DIRECTORY as u32),
    (0o100000, libc::O_NOFOLLOW as u32),
    (0o200000, libc::O_DIRECT as u32),
    (0o400000, 0o100000), // O_LARGEFILE (glibc's libc::O_LARGEFILE is 0 on x86_64)
];

pub static ARCHES: &[ArchInfo] = &[
    ArchInfo {
        arch: GuestArch::Riscv64,
        name: "riscv64",
        elf_machine: 243,
        uname_machine: "riscv64",
        hwcap: riscv_hwcap(b"IMAFDC"),
        supported: true,
        syscall_regs: SyscallRegs {
            nr: 17,
            args: [10, 11, 12, 13, 14, 15],
            ret: 10,
        },
        sigaction_size: 24,
        open_flag_diffs: &[],
        syscall_insn_len: 4,
        platform: "",
    },
    ArchInfo {
        arch: GuestArch::Aarch64,
        name: "aarch64",
        elf_machine: 183,
        uname_machine: "aarch64",
        hwcap: AARCH64_HWCAP,
        supported: true,
        syscall_regs: SyscallRegs {
            nr: 8,
            args: [0, 1, 2, 3, 4, 5],
            ret: 0,
        },
        sigaction_size: 32,
        open_flag_diffs: AARCH64_OPEN_FLAGS,
        syscall_insn_len: 4,
        platform: "",
    },
    ArchInfo {
        arch: GuestArch::X86_64,
        name: "x86_64",
        elf_machine: 62,
        uname_machine: "x86_64",
        hwcap: emu_frontend::x86_64::CPUID1_EDX as u64,
        supported: true,
        // rax=0, rdi=7, rsi=6, rdx=2, r10=10, r8=8, r9=9 in the usual x86 register numbering.
        syscall_regs: SyscallRegs {
            nr: 0,
            args: [7, 6, 2, 10, 8, 9],
            ret: 0,
        },
        sigaction_size: 32,
        open_flag_diffs: &[],
        syscall_insn_len: 2,
        platform: "x86_64",
    },
];

/// The row for an ELF `e_machine`.
pub fn by_elf_machine(machine: u16) -> Option<&'static ArchInfo> {
    ARCHES.iter().find(|a| a.elf_machine == machine)
}

/// The row for an arch.
pub fn info(arch: GuestArch) -> &'static ArchInfo {
    ARCHES.iter().find(|a| a.arch == arch).unwrap_or(&ARCHES[0])
}

/// Translate guest `open` flags to the host's.
pub fn open_flags_to_host(arch: &ArchInfo, guest: u32) -> u32 {
    translate_bits(guest, arch.open_flag_diffs.iter().map(|&(g, h)| (g, h)))
}

/// Translate host `open` flags (e.g. from `F_GETFL`) to the guest's.
pub fn open_flags_to_guest(arch: &ArchInfo, host: u32) -> u32 {
    translate_bits(host, arch.open_flag_diffs.iter().map(|&(g, h)| (h, g)))
}

fn translate_bits(value: u32, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> u32 {
    let moved: u32 = pairs.clone().map(|(from, _)| from).fold(0, |a, b| a | b);
    let mut out = value & !moved;
    for (from, to) in pairs {
        if value & from != 0 {
            out |= to;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn riscv_hwcap_is_imafdc() {
        // Linux on a rv64gc machine reports 0x112d.
        assert_eq!(info(GuestArch::Riscv64).hwcap, 0x112d);
    }

    #[test]
    fn open_flags() {
        let rv = info(GuestArch::Riscv64);
        let all =
            libc::O_RDWR | libc::O_CREAT | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        assert_eq!(
            open_flags_to_host(rv, all as u32),
            all as u32,
            "riscv64 = asm-generic = host"
        );
        let a64 = info(GuestArch::Aarch64);
        // aarch64 O_DIRECTORY|O_NOFOLLOW|O_CREAT (values from arm64's uapi fcntl.h).
        let guest = 0o040000 | 0o100000 | 0o100;
        let host = (libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CREAT) as u32;
        assert_eq!(open_flags_to_host(a64, guest), host);
        assert_eq!(open_flags_to_guest(a64, host), guest);
        // The host's O_LARGEFILE bit (0o100000) is aarch64's O_NOFOLLOW: it must move.
        assert_eq!(open_flags_to_guest(a64, 0o100000), 0o400000);
    }

    #[test]
    fn syscall_registers() {
        let mut regs = [0u64; 32];
        regs[17] = 64;
        regs[10] = 1;
        regs[15] = 6;
        let r = info(GuestArch::Riscv64).syscall_regs;
        assert_eq!(r.number(&regs), 64);
        assert_eq!(r.arguments(&regs), [1, 0, 0, 0, 0, 6]);
        r.set_result(&mut regs, 5);
        assert_eq!(regs[10], 5);
    }
}
