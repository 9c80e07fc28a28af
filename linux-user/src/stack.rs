//! The initial process stack, laid out as Linux's `create_elf_tables` does: from the top, an
//! 8-byte end marker, the `AT_EXECFN` string, the environment and argument strings, the
//! `AT_RANDOM` bytes, then (16-byte aligned) `argc`, `argv[]`, `NULL`, `envp[]`, `NULL` and the
//! auxiliary vector ending in `AT_NULL`.

use crate::elf::LoadedProgram;
use crate::errno::Errno;
use crate::memory::AddressSpace;
use crate::pages;

/// Auxiliary vector keys (include/uapi/linux/auxvec.h; the same for every arch).
pub mod at {
    pub const NULL: u64 = 0;
    pub const PHDR: u64 = 3;
    pub const PHENT: u64 = 4;
    pub const PHNUM: u64 = 5;
    pub const PAGESZ: u64 = 6;
    pub const BASE: u64 = 7;
    pub const FLAGS: u64 = 8;
    pub const ENTRY: u64 = 9;
    pub const UID: u64 = 11;
    pub const EUID: u64 = 12;
    pub const GID: u64 = 13;
    pub const EGID: u64 = 14;
    pub const PLATFORM: u64 = 15;
    pub const HWCAP: u64 = 16;
    pub const CLKTCK: u64 = 17;
    pub const SECURE: u64 = 23;
    pub const RANDOM: u64 = 25;
    pub const EXECFN: u64 = 31;
}

/// What goes on the stack besides the program's own facts.
#[derive(Debug, Clone)]
pub struct StackInput<'a> {
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    /// The `AT_EXECFN` string (the program path as given).
    pub execfn: &'a [u8],
    /// The `AT_RANDOM` bytes.
    pub random: [u8; 16],
}

/// The initial stack as built: the stack pointer (pointing at `argc`) and the auxiliary
/// vector (for `/proc/self/auxv`).
#[derive(Debug)]
pub struct InitialStack {
    pub sp: u64,
    pub auxv: Vec<(u64, u64)>,
}

/// Map the stack and fill it.
pub fn build(
    space: &mut AddressSpace,
    prog: &LoadedProgram,
    input: &StackInput,
) -> Result<InitialStack, Errno> {
    let top = space.layout.stack_top;
    let bottom = top - space.layout.stack_size;
    space.map_fixed_anon(bottom, space.layout.stack_size, pages::READ | pages::WRITE)?;

    let mut w = Writer {
        space,
        cursor: top - 8,
    };
    w.space.write_u64(top - 8, 0)?;
    let execfn = w.push_str(input.execfn)?;
    let env_ptrs = input
        .envp
        .iter()
        .rev()
        .map(|s| w.push_str(s))
        .collect::<Result<Vec<_>, _>>()?;
    let arg_ptrs = input
        .argv
        .iter()
        .rev()
        .map(|s| w.push_str(s))
        .collect::<Result<Vec<_>, _>>()?;
    let random = w.push_bytes(&input.random, 16)?;
    let platform = if prog.arch.platform.is_empty() {
        None
    } else {
        Some(w.push_str(prog.arch.platform.as_bytes())?)
    };

    let auxv = auxv(prog, random, execfn, platform);
    let words = 1 + (arg_ptrs.len() + 1) + (env_ptrs.len() + 1) + 2 * auxv.len();
    let sp = (w.cursor - 8 * words as u64) & !15;
    if sp < bottom {
        return Err(Errno(libc::E2BIG));
    }
    let mut table = Vec::with_capacity(words);
    table.push(arg_ptrs.len() as u64);
    table.extend(arg_ptrs.iter().rev());
    table.push(0);
    table.extend(env_ptrs.iter().rev());
    table.push(0);
    for &(k, v) in &auxv {
        table.extend([k, v]);
    }
    let bytes: Vec<u8> = table.iter().flat_map(|v| v.to_le_bytes()).collect();
    w.space.write_bytes(sp, &bytes)?;
    Ok(InitialStack { sp, auxv })
}

/// The auxiliary vector, `AT_NULL` last.
fn auxv(prog: &LoadedProgram, random: u64, execfn: u64, platform: Option<u64>) -> Vec<(u64, u64)> {
    // SAFETY: these libc calls take no arguments and cannot fail.
    let (uid, euid, gid, egid) = unsafe {
        (
            libc::getuid(),
            libc::geteuid(),
            libc::getgid(),
            libc::getegid(),
        )
    };
    let mut v = vec![
        (at::PHDR, prog.phdr),
        (at::PHENT, prog.phent),
        (at::PHNUM, prog.phnum),
        (at::PAGESZ, crate::window::PAGE_SIZE),
        (at::BASE, prog.interp_base),
        (at::FLAGS, 0),
        (at::ENTRY, prog.entry),
        (at::UID, uid as u64),
        (at::EUID, euid as u64),
        (at::GID, gid as u64),
        (at::EGID, egid as u64),
        (at::SECURE, 0),
        (at::RANDOM, random),
        (at::HWCAP, prog.arch.hwcap),
        (at::CLKTCK, 100),
        (at::EXECFN, execfn),
    ];
    if let Some(platform) = platform {
        v.push((at::PLATFORM, platform));
    }
    v.push((at::NULL, 0));
    v
}

/// Pushes data downwards from the top of the stack.
struct Writer<'a> {
    space: &'a mut AddressSpace,
    cursor: u64,
}

impl Writer<'_> {
    fn push_bytes(&mut self, bytes: &[u8], align: u64) -> Result<u64, Errno> {
        let at = self
            .cursor
            .checked_sub(bytes.len() as u64)
            .ok_or(Errno(libc::E2BIG))?
            & !(align - 1);
        self.space.write_bytes(at, bytes)?;
        self.cursor = at;
        Ok(at)
    }

    fn push_str(&mut self, s: &[u8]) -> Result<u64, Errno> {
        let mut z = Vec::with_capacity(s.len() + 1);
        z.extend_from_slice(s);
        z.push(0);
        self.push_bytes(&z, 1)
    }
}

/// 16 bytes from the host's `getrandom` (zeros if it fails, which it does not on Linux >= 3.17).
pub fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    // SAFETY: writes at most 16 bytes into `b`.
    unsafe { libc::getrandom(b.as_mut_ptr().cast(), 16, 0) };
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch;
    use crate::memory::Layout;

    #[test]
    fn layout_matches_the_linux_abi() {
        let mut s = AddressSpace::new(Layout::default()).unwrap();
        let prog = LoadedProgram {
            arch: arch::info(arch::GuestArch::Riscv64),
            entry: 0x10100,
            phdr: 0x10040,
            phent: 56,
            phnum: 7,
            bias: 0,
            brk: 0x80000,
            interp: None,
            interp_base: 0x40_0000_0000,
            start: 0x40_0000_1000,
            file_spans: Vec::new(),
        };
        let argv = [b"prog".to_vec(), b"a b".to_vec()];
        let envp = [b"X=1".to_vec()];
        let input = StackInput {
            argv: &argv,
            envp: &envp,
            execfn: b"./prog",
            random: [7; 16],
        };
        let sp = build(&mut s, &prog, &input).unwrap().sp;
        assert_eq!(sp % 16, 0);
        let word = |i: u64| s.read_u64(sp + 8 * i).unwrap();
        assert_eq!(word(0), 2, "argc");
        assert_eq!(s.read_cstring(word(1), 100).unwrap(), b"prog");
        assert_eq!(s.read_cstring(word(2), 100).unwrap(), b"a b");
        assert_eq!(word(3), 0);
        assert_eq!(s.read_cstring(word(4), 100).unwrap(), b"X=1");
        assert_eq!(word(5), 0);
        let mut aux = std::collections::HashMap::new();
        let mut i = 6;
        loop {
            let (k, v) = (word(i), word(i + 1));
            if k == at::NULL {
                break;
            }
            aux.insert(k, v);
            i += 2;
        }
        assert_eq!(aux[&at::ENTRY], 0x10100);
        assert_eq!(aux[&at::PHDR], 0x10040);
        assert_eq!(aux[&at::BASE], 0x40_0000_0000, "the interpreter's bias");
        assert_eq!(aux[&at::PAGESZ], 4096);
        assert_eq!(aux[&at::HWCAP], 0x112d);
        assert_eq!(s.read_bytes(aux[&at::RANDOM], 16).unwrap(), [7; 16]);
        assert_eq!(s.read_cstring(aux[&at::EXECFN], 100).unwrap(), b"./prog");
        assert!(
            word(1) < word(4),
            "argv strings below envp strings, as Linux"
        );
    }
}
