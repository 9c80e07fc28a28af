//! `emu-user --binfmt-conf`: binfmt_misc registration lines that make the kernel run foreign
//! ELF executables through emu-user, one per supported guest arch other than the host's, in
//! qemu's format (scripts/qemu-binfmt-conf.sh):
//!
//! `:emu-ARCH:M::MAGIC:MASK:INTERPRETER:FLAGS`
//!
//! MAGIC is the first 20 bytes of a little-endian 64-bit ELF executable header up to and
//! including `e_machine` (from [`crate::arch::ARCHES`]), MASK is qemu's for that arch, both
//! `\xNN`-escaped. FLAGS is empty, qemu-binfmt-conf.sh's default (no `--credential`, no
//! `--persistent`): the kernel then starts `INTERPRETER /path/to/program args...`, which is
//! emu-user's own command line. (`F` would be needed to use the registration inside a chroot
//! or container where INTERPRETER does not exist; `OC` to honour setuid bits.)
//!
//! Register with e.g. `emu-user --binfmt-conf | while read l; do echo "$l" >
//! /proc/sys/fs/binfmt_misc/register; done` (as root).

use std::path::Path;

use crate::arch::{ArchInfo, GuestArch, ARCHES};

/// `e_ident`: `\x7fELF`, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, then zeros.
const IDENT: [u8; 16] = [0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// `e_type` ET_EXEC; the mask's 0xfe lets ET_DYN (PIE) match too.
const ET_EXEC: u16 = 2;

/// qemu's mask: everything but `EI_OSABI` and the low bit of `e_type`.
const MASK: [u8; 20] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xfe, 0xff, 0xff, 0xff,
];

/// qemu's x86 mask also ignores the low bits of `EI_DATA` and `EI_VERSION`.
const X86_MASK: [u8; 20] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xfe, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xfe, 0xff, 0xff, 0xff,
];

/// The 20 header bytes the kernel compares for `arch`.
pub fn magic(arch: &ArchInfo) -> [u8; 20] {
    let mut m = [0u8; 20];
    m[..16].copy_from_slice(&IDENT);
    m[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
    m[18..20].copy_from_slice(&arch.elf_machine.to_le_bytes());
    m
}

/// Which magic bits must match for `arch`.
pub fn mask(arch: &ArchInfo) -> [u8; 20] {
    match arch.arch {
        GuestArch::X86_64 => X86_MASK,
        _ => MASK,
    }
}

/// `\xNN` for every byte, as qemu-binfmt-conf.sh writes them.
fn escape(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\x{b:02x}")).collect()
}

/// The registration line for one arch.
pub fn conf_line(arch: &ArchInfo, interpreter: &Path) -> String {
    format!(
        ":emu-{}:M::{}:{}:{}:",
        arch.name,
        escape(&magic(arch)),
        escape(&mask(arch)),
        interpreter.display()
    )
}

/// The arches to register: those emu-user runs, except the host's own.
fn registered(host_arch: &str) -> impl Iterator<Item = &'static ArchInfo> + '_ {
    ARCHES
        .iter()
        .filter(move |a| a.supported && a.name != host_arch)
}

/// One registration line per supported guest arch (not the host's), newline-terminated.
pub fn conf_lines(interpreter: &Path) -> String {
    registered(std::env::consts::ARCH)
        .map(|a| conf_line(a, interpreter) + "\n")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::info;
    use std::process::Command;

    /// The bytes of a `\xNN`-escaped string.
    fn unescape(s: &str) -> Vec<u8> {
        s.split("\\x")
            .skip(1)
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect()
    }

    /// The first 20 bytes of a program built by `ARCH-linux-gnu-gcc` with `flags`; `None`
    /// (with a printed reason) when the compiler is missing.
    fn real_header(arch: &str, flags: &[&str]) -> Option<Vec<u8>> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static BUILDS: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "emu-binfmt-{}-{}",
            std::process::id(),
            BUILDS.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).ok()?;
        let (src, exe) = (dir.join("p.c"), dir.join("p"));
        std::fs::write(&src, "int main(void) { return 0; }\n").ok()?;
        let out = Command::new(format!("{arch}-linux-gnu-gcc"))
            .args(flags)
            .arg("-o")
            .arg(&exe)
            .arg(&src)
            .output();
        let header = match out {
            Ok(o) if o.status.success() => std::fs::read(&exe)
                .ok()
                .and_then(|b| b.get(..20).map(<[u8]>::to_vec)),
            _ => {
                eprintln!("skipped: {arch}-linux-gnu-gcc not available");
                None
            }
        };
        std::fs::remove_dir_all(&dir).ok();
        header
    }

    /// The line's magic, under its mask, matches real executables (static and PIE) and not
    /// the other arch's.
    fn check(arch: GuestArch, other: GuestArch) {
        let a = info(arch);
        let line = conf_line(a, Path::new("/usr/bin/emu-user"));
        let fields: Vec<&str> = line.split(':').collect();
        assert_eq!(fields[1], format!("emu-{}", a.name));
        assert_eq!(fields[2], "M");
        let (magic, mask) = (unescape(fields[4]), unescape(fields[5]));
        assert_eq!((magic.len(), mask.len()), (20, 20));
        let matches = |header: &[u8]| (0..20).all(|i| header[i] & mask[i] == magic[i] & mask[i]);
        for flags in [&["-static"][..], &[]] {
            if let Some(h) = real_header(a.name, flags) {
                assert!(matches(&h), "{} {flags:?}: {h:02x?}", a.name);
            }
            if let Some(h) = real_header(info(other).name, flags) {
                assert!(!matches(&h), "{} matched {}", a.name, info(other).name);
            }
        }
    }

    #[test]
    fn aarch64_magic_matches_real_elf() {
        check(GuestArch::Aarch64, GuestArch::Riscv64);
    }

    #[test]
    fn riscv64_magic_matches_real_elf() {
        check(GuestArch::Riscv64, GuestArch::Aarch64);
    }

    /// The bytes of qemu-binfmt-conf.sh's aarch64_magic (`\x7fELF\x02...`, with `ELF` as
    /// letters there) and aarch64_mask.
    #[test]
    fn qemu_aarch64_line() {
        assert_eq!(
            conf_line(info(GuestArch::Aarch64), Path::new("/x/emu-user")),
            ":emu-aarch64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\
             \\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\
             \\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/x/emu-user:"
        );
    }

    #[test]
    fn host_arch_and_unsupported_arches_are_skipped() {
        let names = |host| registered(host).map(|a| a.name).collect::<Vec<_>>();
        assert_eq!(names("x86_64"), ["riscv64", "aarch64"]);
        assert_eq!(names("aarch64"), ["riscv64", "x86_64"]);
    }
}
