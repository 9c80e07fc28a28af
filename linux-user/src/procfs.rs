//! The guest's own `/proc` files, produced as the kernel would show them to a native process:
//! `/proc/self/maps` lists the guest's mappings (guest addresses and permissions; file names,
//! offsets, devices and inodes from the host mappings behind guest `mmap`s or from the loader's
//! labels; `[heap]` and `[stack]`), `/proc/self/cmdline` holds the guest's argv, and
//! `/proc/cpuinfo` describes the guest CPU. Opening one
//! gives a sealed-off memory file holding the text. It also tells which paths are the
//! `/proc/.../exe` link to the guest program ([`is_own_exe`]).

use std::fmt::Write as _;

use crate::arch::{ArchInfo, GuestArch};
use crate::memory::AddressSpace;
use crate::pages;

/// Which fake file a guest path names, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcFile {
    Maps,
    CpuInfo,
    /// `/proc/self/cmdline`: the guest's argv, each NUL-terminated.
    Cmdline,
    /// `/proc/self/auxv`: the guest's auxiliary vector as pairs of 64-bit words.
    Auxv,
}

/// Recognise `/proc/self/{maps,cmdline}` (also as `/proc/<our pid>/...`) and `/proc/cpuinfo`.
pub fn lookup(path: &[u8]) -> Option<ProcFile> {
    if path == b"/proc/cpuinfo" {
        return Some(ProcFile::CpuInfo);
    }
    match own_entry(path)? {
        b"maps" => Some(ProcFile::Maps),
        b"cmdline" => Some(ProcFile::Cmdline),
        b"auxv" => Some(ProcFile::Auxv),
        _ => None,
    }
}

/// Whether `path` is the link to the guest program: `/proc/self/exe`, `/proc/thread-self/exe`
/// or `/proc/<our pid>/exe`.
pub fn is_own_exe(path: &[u8]) -> bool {
    own_entry(path) == Some(b"exe")
}

/// The rest of `path` after `/proc/self/`, `/proc/thread-self/` or `/proc/<our pid>/`.
fn own_entry(path: &[u8]) -> Option<&[u8]> {
    let rest = path.strip_prefix(b"/proc/")?;
    let slash = rest.iter().position(|&b| b == b'/')?;
    let (who, entry) = (&rest[..slash], &rest[slash + 1..]);
    // SAFETY: getpid cannot fail.
    let pid = unsafe { libc::getpid() }.to_string();
    let me = who == b"self" || who == b"thread-self" || who == pid.as_bytes();
    me.then_some(entry)
}

/// The bytes of `/proc/self/auxv`.
pub fn auxv(pairs: &[(u64, u64)]) -> Vec<u8> {
    pairs
        .iter()
        .flat_map(|&(k, v)| [k, v])
        .flat_map(u64::to_le_bytes)
        .collect()
}

/// The text of `/proc/self/cmdline`.
pub fn cmdline(argv: &[Vec<u8>]) -> Vec<u8> {
    argv.iter()
        .flat_map(|a| a.iter().copied().chain([0]))
        .collect()
}

/// What a host `/proc/self/maps` line says about one host range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostMap {
    start: u64,
    end: u64,
    shared: bool,
    offset: u64,
    dev: String,
    inode: u64,
    name: String,
}

fn parse_host_line(line: &str) -> Option<HostMap> {
    let mut f = line.splitn(6, ' ');
    let (lo, hi) = f.next()?.split_once('-')?;
    let perms = f.next()?;
    let offset = u64::from_str_radix(f.next()?, 16).ok()?;
    let dev = f.next()?.to_string();
    let inode = f.next()?.parse().ok()?;
    Some(HostMap {
        start: u64::from_str_radix(lo, 16).ok()?,
        end: u64::from_str_radix(hi, 16).ok()?,
        shared: perms.as_bytes().get(3) == Some(&b's'),
        offset,
        dev,
        inode,
        name: f.next().unwrap_or("").trim_start().to_string(),
    })
}

/// One line of the guest's maps before formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    start: u64,
    end: u64,
    prot: u8,
    shared: bool,
    offset: u64,
    dev: String,
    inode: u64,
    name: String,
}

impl Line {
    /// Whether `next` continues this line (the kernel shows them as one mapping).
    fn merges(&self, next: &Line) -> bool {
        let same_file = self.inode == next.inode && self.dev == next.dev && self.name == next.name;
        let offset_ok = self.inode == 0 || self.offset + (self.end - self.start) == next.offset;
        self.end == next.start
            && self.prot == next.prot
            && self.shared == next.shared
            && same_file
            && offset_ok
    }

    fn format(&self, out: &mut String) {
        let p = |bit: u8, c: char| if self.prot & bit != 0 { c } else { '-' };
        let start = out.len();
        let _ = write!(
            out,
            "{:08x}-{:08x} {}{}{}{} {:08x} {} {} ",
            self.start,
            self.end,
            p(pages::READ, 'r'),
            p(pages::WRITE, 'w'),
            p(pages::EXEC, 'x'),
            if self.shared { 's' } else { 'p' },
            self.offset,
            self.dev,
            self.inode
        );
        if !self.name.is_empty() {
            // The kernel pads the fixed fields to 73 columns before the name.
            while out.len() - start < 73 {
                out.push(' ');
            }
            out.push_str(&self.name);
        }
        out.push('\n');
    }
}

/// The text of the guest's `/proc/self/maps`.
pub fn maps(space: &AddressSpace) -> String {
    let host_text = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let base = space.mem.window.base();
    let size = space.mem.window.size();
    let host: Vec<HostMap> = host_text
        .lines()
        .filter_map(parse_host_line)
        .filter(|h| h.end > base && h.start < base + size)
        .map(|h| HostMap {
            start: h.start.max(base) - base,
            end: h.end.min(base + size) - base,
            ..h
        })
        .collect();
    let mut lines: Vec<Line> = Vec::new();
    for (start, region) in space.regions() {
        for line in split_region(space, &host, start, region.end, region.prot) {
            match lines.last_mut() {
                Some(last) if last.merges(&line) => last.end = line.end,
                _ => lines.push(line),
            }
        }
    }
    let mut out = String::new();
    for l in &lines {
        l.format(&mut out);
    }
    out
}

/// The guest range `[start, end)` cut where the host mappings behind it change.
fn split_region(
    space: &AddressSpace,
    host: &[HostMap],
    start: u64,
    end: u64,
    prot: u8,
) -> Vec<Line> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let h = host.iter().find(|h| h.start <= at && at < h.end);
        let piece_end = h.map_or(end, |h| h.end.min(end));
        let next_host = host
            .iter()
            .map(|h| h.start)
            .filter(|&s| s > at && s < piece_end)
            .min()
            .unwrap_or(piece_end);
        let piece_end = piece_end.min(next_host);
        out.push(describe(space, h, at, piece_end, prot));
        at = piece_end;
    }
    out
}

/// One piece: named after the host file behind it, else the loader's label, else
/// `[heap]`/`[stack]`, else anonymous.
fn describe(space: &AddressSpace, h: Option<&HostMap>, start: u64, end: u64, prot: u8) -> Line {
    let mut line = Line {
        start,
        end,
        prot,
        shared: h.is_some_and(|h| h.shared),
        offset: 0,
        dev: "00:00".to_string(),
        inode: 0,
        name: String::new(),
    };
    if let Some(h) = h.filter(|h| h.inode != 0) {
        line.offset = h.offset + (start - h.start);
        line.dev = h.dev.clone();
        line.inode = h.inode;
        line.name = h.name.clone();
        return line;
    }
    if let Some(l) = space
        .labels()
        .iter()
        .find(|l| l.start <= start && start < l.end)
    {
        line.end = end.min(l.end);
        line.offset = l.offset + (start - l.start);
        line.dev = format!(
            "{:02x}:{:02x}",
            libc::major(l.file.dev),
            libc::minor(l.file.dev)
        );
        line.inode = l.file.inode;
        line.name = l.file.path.display().to_string();
        return line;
    }
    let (brk_start, brk) = space.brk_range();
    let stack_bottom = space.layout.stack_top - space.layout.stack_size;
    if start >= brk_start && start < brk.max(brk_start) && brk > brk_start {
        line.name = "[heap]".to_string();
    } else if start >= stack_bottom && end <= space.layout.stack_top {
        line.name = "[stack]".to_string();
    }
    line
}

/// The text of the guest's `/proc/cpuinfo`: one entry per host CPU the process may use.
pub fn cpuinfo(arch: &ArchInfo) -> String {
    // SAFETY: sysconf has no memory effects.
    let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1);
    let mut out = String::new();
    for cpu in 0..cpus {
        match arch.arch {
            GuestArch::Riscv64 => riscv_cpu(&mut out, cpu, arch.hwcap),
            GuestArch::Aarch64 => arm_cpu(&mut out, cpu, arch.hwcap),
            GuestArch::X86_64 => x86_cpu(&mut out, cpu),
        }
    }
    out
}

/// The x86_64 frontend's CPUID model as the kernel shows it (vendor, family/model/stepping
/// from leaf 1, the feature flags it reports).
fn x86_cpu(out: &mut String, cpu: i64) {
    use emu_frontend::x86_64::cpuid;
    let vendor = cpuid::vendor();
    let flags = features(GuestArch::X86_64, 0);
    let eax = cpuid::cpuid(1, 0)[0];
    let (family, model, stepping) = ((eax >> 8) & 0xf, (eax >> 4) & 0xf, eax & 0xf);
    let _ = write!(
        out,
        "processor\t: {cpu}\nvendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: {model}\n\
         stepping\t: {stepping}\nflags\t\t: {flags}\n\n"
    );
}

/// RISC-V's canonical order of single-letter extensions (the kernel prints `isa` this way).
const RISCV_ORDER: &[u8] = b"iemafdqlcbkjtpvhsunrgowxyz";

fn riscv_cpu(out: &mut String, cpu: i64, hwcap: u64) {
    let isa = features(GuestArch::Riscv64, hwcap);
    let _ = write!(
        out,
        "processor\t: {cpu}\nhart\t\t: {cpu}\nisa\t\t: {isa}\nmmu\t\t: sv48\n\n"
    );
}

/// The guest CPU's features as the kernel names them: riscv64's ISA string (`rv64imafdc`),
/// aarch64's `Features` and x86_64's `flags` lines of `/proc/cpuinfo` (`-cpu help` too).
pub fn features(arch: GuestArch, hwcap: u64) -> String {
    match arch {
        GuestArch::Riscv64 => {
            let letters = RISCV_ORDER
                .iter()
                .filter(|&&c| hwcap & (1 << (c - b'a')) != 0);
            std::iter::once("rv64".to_string())
                .chain(letters.map(|&c| (c as char).to_string()))
                .collect()
        }
        GuestArch::Aarch64 => ARM64_HWCAP_NAMES
            .iter()
            .enumerate()
            .filter(|(b, _)| hwcap & (1 << b) != 0)
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join(" "),
        GuestArch::X86_64 => emu_frontend::x86_64::cpuid::flag_names().join(" "),
    }
}

/// The kernel's names of the arm64 `AT_HWCAP` bits, in bit order (arch/arm64/kernel/cpuinfo.c).
const ARM64_HWCAP_NAMES: &[&str] = &[
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp",
    "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4",
    "asimddp", "sha512", "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb",
    "paca", "pacg",
];

fn arm_cpu(out: &mut String, cpu: i64, hwcap: u64) {
    let features = features(GuestArch::Aarch64, hwcap);
    let _ = write!(
        out,
        "processor\t: {cpu}\nBogoMIPS\t: 100.00\nFeatures\t: {}\nCPU implementer\t: 0x00\n\
         CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0x000\nCPU revision\t: 0\n\n",
        features
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch;
    use crate::memory::{map_flags, Backing, Layout, MapFile};
    use std::sync::Arc;

    #[test]
    fn recognises_our_proc_files_only() {
        assert_eq!(lookup(b"/proc/self/maps"), Some(ProcFile::Maps));
        // SAFETY: getpid cannot fail.
        let me = format!("/proc/{}/maps", unsafe { libc::getpid() });
        assert_eq!(lookup(me.as_bytes()), Some(ProcFile::Maps));
        assert_eq!(lookup(b"/proc/1/maps"), None);
        assert_eq!(lookup(b"/proc/cpuinfo"), Some(ProcFile::CpuInfo));
        assert_eq!(lookup(b"/proc/self/status"), None);
        assert_eq!(lookup(b"/proc/self/cmdline"), Some(ProcFile::Cmdline));
        assert_eq!(
            cmdline(&[b"prog".to_vec(), b"a b".to_vec()]),
            b"prog\0a b\0"
        );
        assert_eq!(lookup(b"/proc"), None);
        assert_eq!(lookup(b"/proc/self/maps/x"), None);
    }

    #[test]
    fn recognises_every_name_of_our_exe_link() {
        // SAFETY: getpid cannot fail.
        let me = format!("/proc/{}/exe", unsafe { libc::getpid() });
        for path in [
            b"/proc/self/exe".as_slice(),
            b"/proc/thread-self/exe",
            me.as_bytes(),
        ] {
            assert!(is_own_exe(path), "{}", String::from_utf8_lossy(path));
        }
        for path in [
            b"/proc/1/exe".as_slice(),
            b"/proc/self/exe/",
            b"/proc/self/cwd",
            b"/proc/exe",
        ] {
            assert!(!is_own_exe(path), "{}", String::from_utf8_lossy(path));
        }
    }

    #[test]
    fn maps_shows_guest_ranges_files_and_labels() {
        let mut s = AddressSpace::new(Layout::default()).unwrap();
        let rx = (pages::READ | pages::EXEC) as u32;
        s.map_fixed_anon(0x10000, 0x2000, pages::READ).unwrap();
        s.mprotect(0x10000, 0x1000, rx).unwrap();
        let file = Arc::new(MapFile {
            path: "/bin/prog".into(),
            dev: libc::makedev(8, 1),
            inode: 42,
        });
        s.add_label(0x10000, 0x12000, 0, &file);
        let f = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&f);
        let flags = map_flags::PRIVATE;
        let m = s
            .mmap(
                0,
                0x1000,
                1,
                flags,
                Backing::File {
                    fd,
                    offset: 0x1000,
                    shared: false,
                },
            )
            .unwrap();
        let anon = map_flags::PRIVATE | map_flags::ANONYMOUS;
        let a = s.mmap(0, 0x3000, 3, anon, Backing::Anonymous).unwrap();
        let text = maps(&s);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(
            lines[0],
            format!(
                "{:<73}/bin/prog",
                "00010000-00011000 r-xp 00000000 08:01 42"
            ),
            "the name starts at column 74, as the kernel prints it"
        );
        assert!(lines[1].starts_with("00011000-00012000 r--p 00001000 08:01 42 "));
        let exe = std::env::current_exe().unwrap().display().to_string();
        assert!(lines[2].starts_with(&format!("{m:08x}-{:08x} r--p 00001000 ", m + 0x1000)));
        assert!(lines[2].ends_with(&exe), "{text}");
        assert_eq!(
            lines[3],
            format!("{a:08x}-{:08x} rw-p 00000000 00:00 0 ", a + 0x3000)
        );
        s.munmap(0x10000, 0x1000).unwrap();
        assert!(
            !maps(&s).contains("/bin/prog"),
            "label dropped with the pages"
        );
    }

    #[test]
    fn cpuinfo_names_the_guest_isa() {
        let rv = cpuinfo(arch::info(arch::GuestArch::Riscv64));
        assert!(
            rv.starts_with("processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdc\n"),
            "{rv}"
        );
        let a64 = cpuinfo(arch::info(arch::GuestArch::Aarch64));
        assert!(a64.contains("Features\t: fp asimd"), "{a64}");
    }
}
