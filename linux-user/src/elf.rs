//! The ELF loader: checks the file (64-bit little-endian `ET_EXEC`/`ET_DYN` of a known
//! machine), maps its `PT_LOAD` segments into the guest address space with their permissions
//! (file bytes, zeroed bss, page rounding), places position-independent programs at the
//! layout's PIE base, and sets the initial program break. A dynamic program names its
//! interpreter (`PT_INTERP`); [`load_interpreter`] places that `ld.so` where an `mmap` would
//! (first free range above the mmap base, away from the program and its break) and makes its
//! entry the start address, as Linux's `load_elf_binary` and qemu-user do. Malformed files give
//! an [`ElfError`], never a panic.

use goblin::elf::header::{self, Header};
use goblin::elf::program_header::{self, ProgramHeader};

use crate::arch::{self, ArchInfo};
use crate::memory::AddressSpace;
use crate::pages;
use crate::window::{page_ceil, page_floor, PAGE_SIZE};

/// Why a program cannot be loaded. `Display` is the text after "emu-user: PROG: ".
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ElfError {
    #[error("Invalid ELF image for this architecture")]
    NotElf,
    #[error("Invalid ELF image for this architecture (not 64-bit little-endian)")]
    WrongClass,
    #[error("Invalid ELF image for this architecture (not an executable)")]
    WrongType,
    #[error("unknown ELF machine {0}")]
    UnknownMachine(u16),
    #[error("guest arch {0} is not supported yet")]
    UnsupportedArch(&'static str),
    #[error("bad program interpreter path in PT_INTERP")]
    BadInterpPath,
    #[error("not usable as an interpreter (another architecture, or has its own PT_INTERP)")]
    BadInterp,
    #[error("malformed ELF: {0}")]
    Malformed(&'static str),
    #[error("cannot map segment: out of guest memory")]
    NoMemory,
}

/// Upper bound on the summed size of the loadable segments (garbage sizes are rejected early).
const MAX_IMAGE_SIZE: u64 = 1 << 32;

/// Largest program header table accepted, as Linux's `load_elf_phdrs` (bounds the work per
/// segment pair: at most 1170 entries).
const MAX_PHDR_TABLE: u64 = 64 << 10;

/// What the loader tells the stack builder and the run loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedProgram {
    pub arch: &'static ArchInfo,
    pub entry: u64,
    /// Guest address of the program headers (`AT_PHDR`).
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    /// Load bias (0 for `ET_EXEC`).
    pub bias: u64,
    /// Page-aligned end of the highest segment: the initial break.
    pub brk: u64,
    /// The `PT_INTERP` path (without its NUL), for dynamic programs.
    pub interp: Option<Vec<u8>>,
    /// Load bias of the interpreter (`AT_BASE`; 0 without one).
    pub interp_base: u64,
    /// Where guest execution starts: the interpreter's entry, else `entry`.
    pub start: u64,
    /// The program's file-backed pages (for `/proc/self/maps`).
    pub file_spans: Vec<FileSpan>,
}

/// Guest pages `[start, end)` hold the file's bytes from `offset` on (page aligned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpan {
    pub start: u64,
    pub end: u64,
    pub offset: u64,
}

/// Parse and check the header and program headers of `image`.
pub fn parse(image: &[u8]) -> Result<(Header, Vec<ProgramHeader>, &'static ArchInfo), ElfError> {
    if image.len() < 4 || &image[..4] != header::ELFMAG {
        return Err(ElfError::NotElf);
    }
    if image.len() < header::header64::SIZEOF_EHDR {
        return Err(ElfError::Malformed("truncated ELF header"));
    }
    if image[header::EI_CLASS] != header::ELFCLASS64
        || image[header::EI_DATA] != header::ELFDATA2LSB
    {
        return Err(ElfError::WrongClass);
    }
    let hdr =
        goblin::elf::Elf::parse_header(image).map_err(|_| ElfError::Malformed("bad ELF header"))?;
    if hdr.e_type != header::ET_EXEC && hdr.e_type != header::ET_DYN {
        return Err(ElfError::WrongType);
    }
    let arch =
        arch::by_elf_machine(hdr.e_machine).ok_or(ElfError::UnknownMachine(hdr.e_machine))?;
    if !arch.supported {
        return Err(ElfError::UnsupportedArch(arch.name));
    }
    if hdr.e_phentsize as usize != program_header::program_header64::SIZEOF_PHDR {
        return Err(ElfError::Malformed("bad program header size"));
    }
    let table_len = (hdr.e_phnum as u64) * (hdr.e_phentsize as u64);
    if table_len > MAX_PHDR_TABLE {
        return Err(ElfError::Malformed(
            "program header table larger than 64 KiB",
        ));
    }
    let table_end = hdr
        .e_phoff
        .checked_add(table_len)
        .ok_or(ElfError::Malformed("bad e_phoff"))?;
    if table_end > image.len() as u64 {
        return Err(ElfError::Malformed(
            "program headers past the end of the file",
        ));
    }
    let ctx = goblin::container::Ctx::new(
        goblin::container::Container::Big,
        goblin::container::Endian::Little,
    );
    let phdrs = ProgramHeader::parse(image, hdr.e_phoff as usize, hdr.e_phnum as usize, ctx)
        .map_err(|_| ElfError::Malformed("bad program headers"))?;
    Ok((hdr, phdrs, arch))
}

/// The `PT_INTERP` path of a program, if it has one: the bytes up to the first NUL, which
/// must be a non-empty path inside the file.
fn interp_path(image: &[u8], phdrs: &[ProgramHeader]) -> Result<Option<Vec<u8>>, ElfError> {
    let Some(p) = phdrs.iter().find(|p| p.p_type == program_header::PT_INTERP) else {
        return Ok(None);
    };
    let bytes = usize::try_from(p.p_offset)
        .ok()
        .zip(usize::try_from(p.p_filesz).ok())
        .and_then(|(off, len)| image.get(off..off.checked_add(len)?))
        .ok_or(ElfError::BadInterpPath)?;
    let path = bytes.split(|&b| b == 0).next().unwrap_or_default();
    if path.is_empty() || path.len() > 4096 {
        return Err(ElfError::BadInterpPath);
    }
    Ok(Some(path.to_vec()))
}

/// Check one `PT_LOAD` against the file and itself.
fn check_segment(p: &ProgramHeader, file_len: u64) -> Result<(), ElfError> {
    let file_end = p
        .p_offset
        .checked_add(p.p_filesz)
        .ok_or(ElfError::Malformed("segment offset overflow"))?;
    if file_end > file_len {
        return Err(ElfError::Malformed("segment past the end of the file"));
    }
    if p.p_filesz > p.p_memsz {
        return Err(ElfError::Malformed(
            "segment file size larger than memory size",
        ));
    }
    if p.p_vaddr.checked_add(p.p_memsz).is_none() {
        return Err(ElfError::Malformed("segment address overflow"));
    }
    if p.p_align > 1 && p.p_vaddr % PAGE_SIZE != p.p_offset % PAGE_SIZE {
        return Err(ElfError::Malformed(
            "segment address and offset disagree modulo the page size",
        ));
    }
    Ok(())
}

/// Guest `PROT_*` bits of a segment's `p_flags` (PF_X=1, PF_W=2, PF_R=4).
fn segment_prot(p: &ProgramHeader) -> u8 {
    let mut prot = 0;
    if p.p_flags & program_header::PF_R != 0 {
        prot |= pages::READ;
    }
    if p.p_flags & program_header::PF_W != 0 {
        prot |= pages::WRITE;
    }
    if p.p_flags & program_header::PF_X != 0 {
        prot |= pages::EXEC;
    }
    prot
}

/// Load the program `image` into `space` (a position-independent one at the PIE base) and
/// set the initial break after it. A dynamic program's interpreter is loaded next with
/// [`load_interpreter`].
pub fn load(image: &[u8], space: &mut AddressSpace) -> Result<LoadedProgram, ElfError> {
    let (hdr, phdrs, arch) = parse(image)?;
    let interp = interp_path(image, &phdrs)?;
    let loads = loadable(image, &phdrs)?;
    let bias = if hdr.e_type == header::ET_DYN {
        space.layout.pie_base.wrapping_sub(lowest_page(&loads))
    } else {
        0
    };
    let (brk, file_spans) = map_segments(image, &loads, bias, space)?;
    space.init_brk(brk);
    let entry = hdr.e_entry.wrapping_add(bias);
    Ok(LoadedProgram {
        arch,
        entry,
        phdr: phdr_address(&hdr, &phdrs, &loads).wrapping_add(bias),
        phent: hdr.e_phentsize as u64,
        phnum: hdr.e_phnum as u64,
        bias,
        brk,
        interp,
        interp_base: 0,
        start: entry,
        file_spans,
    })
}

/// Load the interpreter `image` of `prog` (an `ld.so`: same machine, no interpreter of its
/// own) in the first free range above the mmap base, as an `mmap(NULL, ...)` of its whole span
/// would land, and start execution at its entry with `AT_BASE` at its load bias. Returns its
/// file-backed pages.
pub fn load_interpreter(
    image: &[u8],
    space: &mut AddressSpace,
    prog: &mut LoadedProgram,
) -> Result<Vec<FileSpan>, ElfError> {
    let (hdr, phdrs, arch) = parse(image)?;
    if arch.arch != prog.arch.arch || interp_path(image, &phdrs)?.is_some() {
        return Err(ElfError::BadInterp);
    }
    let loads = loadable(image, &phdrs)?;
    let bias = if hdr.e_type == header::ET_DYN {
        let lowest = lowest_page(&loads);
        let highest = loads
            .iter()
            .map(|p| p.p_vaddr.saturating_add(p.p_memsz))
            .max()
            .and_then(page_ceil)
            .ok_or(ElfError::Malformed("segment address overflow"))?;
        let align = loads
            .iter()
            .map(|p| p.p_align)
            .max()
            .unwrap_or(PAGE_SIZE)
            .clamp(PAGE_SIZE, MAX_INTERP_ALIGN);
        if !align.is_power_of_two() {
            return Err(ElfError::Malformed("segment alignment not a power of two"));
        }
        let base = space
            .find_free_aligned(highest - lowest, align)
            .ok_or(ElfError::NoMemory)?;
        base.wrapping_sub(lowest)
    } else {
        let regions: Vec<_> = space.regions().collect();
        let taken = |p: &&ProgramHeader| {
            let (lo, hi) = (p.p_vaddr, p.p_vaddr.saturating_add(p.p_memsz));
            regions.iter().any(|&(s, r)| s < hi && lo < r.end)
        };
        if loads.iter().any(taken) {
            return Err(ElfError::Malformed(
                "fixed-address interpreter overlaps the program",
            ));
        }
        0
    };
    let (_, file_spans) = map_segments(image, &loads, bias, space)?;
    prog.interp_base = bias;
    prog.start = hdr.e_entry.wrapping_add(bias);
    Ok(file_spans)
}

/// Largest segment alignment honoured when placing an interpreter (larger ones are rounded
/// down: only page alignment matters for correctness).
const MAX_INTERP_ALIGN: u64 = 2 << 20;

/// The checked `PT_LOAD` headers of `image` (at least one).
fn loadable<'a>(
    image: &[u8],
    phdrs: &'a [ProgramHeader],
) -> Result<Vec<&'a ProgramHeader>, ElfError> {
    let loads: Vec<&ProgramHeader> = phdrs
        .iter()
        .filter(|p| p.p_type == program_header::PT_LOAD)
        .collect();
    if loads.is_empty() {
        return Err(ElfError::Malformed("no loadable segments"));
    }
    for p in &loads {
        check_segment(p, image.len() as u64)?;
    }
    let total: u64 = loads
        .iter()
        .fold(0u64, |acc, p| acc.saturating_add(p.p_memsz));
    if total > MAX_IMAGE_SIZE {
        return Err(ElfError::Malformed("segments larger than 4 GiB"));
    }
    Ok(loads)
}

/// The page-aligned lowest address of the segments.
fn lowest_page(loads: &[&ProgramHeader]) -> u64 {
    loads
        .iter()
        .map(|p| page_floor(p.p_vaddr))
        .min()
        .unwrap_or(0)
}

/// Map the segments at `bias` with their bytes and permissions; returns the page-aligned end
/// of the highest one and the pages holding file bytes.
fn map_segments(
    image: &[u8],
    loads: &[&ProgramHeader],
    bias: u64,
    space: &mut AddressSpace,
) -> Result<(u64, Vec<FileSpan>), ElfError> {
    let window = space.mem.window.size();

    // Map every segment's pages writable first, copy the file bytes, then set the final
    // permissions: pages shared by two segments get the union of both.
    let mut spans = Vec::new();
    for p in loads {
        let start = page_floor(p.p_vaddr.wrapping_add(bias));
        let end = p
            .p_vaddr
            .checked_add(bias)
            .and_then(|v| v.checked_add(p.p_memsz))
            .and_then(page_ceil)
            .ok_or(ElfError::Malformed("segment address overflow"))?;
        if end > window || start >= end && p.p_memsz > 0 {
            return Err(ElfError::Malformed(
                "segment outside the guest address space",
            ));
        }
        spans.push((start, end, segment_prot(p)));
    }
    for &(start, end, _) in &spans {
        map_missing_pages(space, start, end)?;
    }
    for p in loads {
        let data = &image[p.p_offset as usize..(p.p_offset + p.p_filesz) as usize];
        space
            .write_bytes(p.p_vaddr + bias, data)
            .map_err(|_| ElfError::NoMemory)?;
    }
    apply_protections(space, &spans)?;
    reserve_gaps(space, &spans)?;
    let file_spans = loads
        .iter()
        .zip(&spans)
        .filter(|(p, _)| p.p_filesz > 0)
        .map(|(p, &(start, end, _))| FileSpan {
            start,
            end: page_ceil(p.p_vaddr.wrapping_add(bias).wrapping_add(p.p_filesz))
                .map_or(end, |e| e.min(end)),
            offset: page_floor(p.p_offset),
        })
        .collect();
    Ok((spans.iter().map(|s| s.1).max().unwrap_or(0), file_spans))
}

/// Fill the holes between an image's segments with inaccessible pages, as qemu-user does,
/// so that no later `mmap` lands inside the image (images spanning more than
/// [`MAX_IMAGE_SIZE`] are left with their holes).
fn reserve_gaps(space: &mut AddressSpace, spans: &[(u64, u64, u8)]) -> Result<(), ElfError> {
    let mut sorted = spans.to_vec();
    sorted.sort_unstable();
    let (Some(first), Some(end)) = (sorted.first(), sorted.iter().map(|s| s.1).max()) else {
        return Ok(());
    };
    if end - first.0 > MAX_IMAGE_SIZE {
        return Ok(());
    }
    let mut covered = first.1;
    for &(start, end, _) in &sorted[1..] {
        if start > covered {
            space
                .map_fixed_anon(covered, start - covered, 0)
                .map_err(|_| ElfError::NoMemory)?;
        }
        covered = covered.max(end);
    }
    Ok(())
}

/// Map read-write the pages of `[start, end)` not mapped yet (segments may share a page), one
/// host call per run of unmapped pages.
fn map_missing_pages(space: &mut AddressSpace, start: u64, end: u64) -> Result<(), ElfError> {
    let mut p = start;
    while p < end {
        if space.mem.pages.get(p) & pages::MAPPED != 0 {
            p += PAGE_SIZE;
            continue;
        }
        let mut q = p;
        while q < end && space.mem.pages.get(q) & pages::MAPPED == 0 {
            q += PAGE_SIZE;
        }
        space
            .map_fixed_anon(p, q - p, pages::READ | pages::WRITE)
            .map_err(|_| ElfError::NoMemory)?;
        p = q;
    }
    Ok(())
}

/// Give each segment its permissions; pages shared by segments get the union of theirs. One
/// `mprotect` per run of pages of equal protection, however many segments overlap there.
fn apply_protections(space: &mut AddressSpace, spans: &[(u64, u64, u8)]) -> Result<(), ElfError> {
    for (start, end, prot) in protection_runs(spans) {
        space
            .mprotect(start, end - start, prot as u32)
            .map_err(|_| ElfError::NoMemory)?;
    }
    Ok(())
}

/// The ranges covered by `spans` as maximal runs `(start, end, prot)`, `prot` being the union
/// of the protections of the spans covering the run (a sweep over the span boundaries).
fn protection_runs(spans: &[(u64, u64, u8)]) -> Vec<(u64, u64, u8)> {
    let mut edges: Vec<(u64, bool, u8)> = spans
        .iter()
        .filter(|s| s.0 < s.1)
        .flat_map(|&(start, end, prot)| [(start, true, prot), (end, false, prot)])
        .collect();
    edges.sort_unstable();
    // How many spans cover the current position, and how many of them grant each of the
    // three protection bits.
    let (mut open, mut grants) = (0usize, [0usize; 3]);
    let mut runs: Vec<(u64, u64, u8)> = Vec::new();
    let mut i = 0;
    while i < edges.len() {
        let at = edges[i].0;
        while let Some(&(_, opens, prot)) = edges.get(i).filter(|e| e.0 == at) {
            let step = |n: usize| if opens { n + 1 } else { n - 1 };
            open = step(open);
            for (bit, n) in grants.iter_mut().enumerate() {
                if prot & (1 << bit) != 0 {
                    *n = step(*n);
                }
            }
            i += 1;
        }
        let Some(&(next, ..)) = edges.get(i) else {
            break;
        };
        if open == 0 {
            continue;
        }
        let prot = (0..3)
            .filter(|&b| grants[b] > 0)
            .fold(0u8, |p, b| p | 1 << b);
        match runs.last_mut() {
            Some(last) if last.1 == at && last.2 == prot => last.1 = next,
            _ => runs.push((at, next, prot)),
        }
    }
    runs
}

/// Where the program headers are in memory: `PT_PHDR`, else inside the segment holding
/// `e_phoff` (unbiased).
fn phdr_address(hdr: &Header, phdrs: &[ProgramHeader], loads: &[&ProgramHeader]) -> u64 {
    if let Some(p) = phdrs.iter().find(|p| p.p_type == program_header::PT_PHDR) {
        return p.p_vaddr;
    }
    loads
        .iter()
        .find(|p| p.p_offset <= hdr.e_phoff && hdr.e_phoff < p.p_offset + p.p_filesz)
        .map_or(0, |p| p.p_vaddr + (hdr.e_phoff - p.p_offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::Layout;

    fn space() -> AddressSpace {
        AddressSpace::new(Layout::default()).unwrap()
    }

    /// A minimal valid riscv64 ET_EXEC: one R+X segment at 0x10000 holding the headers and
    /// `code`, plus a bss-only RW segment at 0x20000 of 0x2000 bytes.
    fn tiny_elf(code: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 64 + 2 * 56];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2; // 64-bit
        f[5] = 1; // little-endian
        f[6] = 1;
        f[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        f[18..20].copy_from_slice(&243u16.to_le_bytes());
        f[20..24].copy_from_slice(&1u32.to_le_bytes());
        let entry = 0x10000 + f.len() as u64;
        f[24..32].copy_from_slice(&entry.to_le_bytes());
        f[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        f[52..54].copy_from_slice(&64u16.to_le_bytes());
        f[54..56].copy_from_slice(&56u16.to_le_bytes());
        f[56..58].copy_from_slice(&2u16.to_le_bytes());
        let total = (f.len() + code.len()) as u64;
        let ph = |f: &mut Vec<u8>,
                  at: usize,
                  flags: u32,
                  off: u64,
                  vaddr: u64,
                  filesz: u64,
                  memsz: u64| {
            f[at..at + 4].copy_from_slice(&1u32.to_le_bytes());
            f[at + 4..at + 8].copy_from_slice(&flags.to_le_bytes());
            f[at + 8..at + 16].copy_from_slice(&off.to_le_bytes());
            f[at + 16..at + 24].copy_from_slice(&vaddr.to_le_bytes());
            f[at + 24..at + 32].copy_from_slice(&vaddr.to_le_bytes());
            f[at + 32..at + 40].copy_from_slice(&filesz.to_le_bytes());
            f[at + 40..at + 48].copy_from_slice(&memsz.to_le_bytes());
            f[at + 48..at + 56].copy_from_slice(&0x1000u64.to_le_bytes());
        };
        ph(&mut f, 64, 5, 0, 0x10000, total, total);
        ph(&mut f, 120, 6, 0, 0x20000, 0, 0x2000);
        f.extend_from_slice(code);
        f
    }

    #[test]
    fn loads_a_handmade_elf() {
        let img = tiny_elf(&[0x73, 0, 0, 0]);
        let mut s = space();
        let p = load(&img, &mut s).unwrap();
        assert_eq!(p.entry, 0x10000 + 176);
        assert_eq!(p.phdr, 0x10040);
        assert_eq!((p.phnum, p.phent), (2, 56));
        assert_eq!(p.brk, 0x22000);
        assert_eq!(s.read_bytes(p.entry, 4).unwrap(), [0x73, 0, 0, 0]);
        assert_eq!(
            s.mem.pages.get(0x10000),
            pages::MAPPED | pages::READ | pages::EXEC
        );
        assert_eq!(s.read_bytes(0x21ff8, 8).unwrap(), [0; 8], "bss is zero");
        assert_eq!(
            s.mem.pages.get(0x15000),
            pages::MAPPED,
            "the hole is reserved"
        );
        assert!(s.write_bytes(0x10000, &[0]).is_err(), "text is read-only");
    }

    #[test]
    fn static_pie_is_placed_at_the_pie_base() {
        let mut img = tiny_elf(&[0x73, 0, 0, 0]);
        img[16] = 3; // ET_DYN
        let mut s = space();
        let p = load(&img, &mut s).unwrap();
        let base = Layout::default().pie_base;
        assert_eq!(p.bias, base - 0x10000);
        assert_eq!(p.entry, base + 176);
        assert_eq!(p.phdr, base + 0x40);
        assert_eq!(s.read_bytes(p.entry, 4).unwrap(), [0x73, 0, 0, 0]);
        assert_eq!(p.brk, base - 0x10000 + 0x22000);
    }

    #[test]
    fn malformed_files_are_errors_not_panics() {
        let good = tiny_elf(&[0x73, 0, 0, 0]);
        assert_eq!(load(b"", &mut space()), Err(ElfError::NotElf));
        assert_eq!(load(b"#!/bin/sh\n", &mut space()), Err(ElfError::NotElf));
        // Every truncation of a valid file fails cleanly (or loads, when only code is cut).
        for n in 0..good.len() {
            let _ = load(&good[..n], &mut space());
        }
        // Deterministic garbage after a valid magic, and corrupted single bytes.
        let mut seed = 0x1234_5678u64;
        for _ in 0..300 {
            let mut img = good.clone();
            for _ in 0..4 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = 4 + (seed >> 33) as usize % (img.len() - 4);
                img[at] = (seed >> 17) as u8;
            }
            let _ = load(&img, &mut space());
        }
        let mut bad = good.clone();
        bad[64 + 8..64 + 16].copy_from_slice(&u64::MAX.to_le_bytes()); // p_offset
        assert!(matches!(
            load(&bad, &mut space()),
            Err(ElfError::Malformed(_))
        ));
        let mut other = good.clone();
        other[18..20].copy_from_slice(&40u16.to_le_bytes()); // EM_ARM
        assert_eq!(
            load(&other, &mut space()),
            Err(ElfError::UnknownMachine(40))
        );
        let mut obj = good;
        obj[16] = 1; // ET_REL
        assert_eq!(load(&obj, &mut space()), Err(ElfError::WrongType));
    }

    /// `tiny_elf`'s header with `n` overlapping bss-only `PT_LOAD`s around 0x10000 of varying
    /// permissions (alignment 0: no offset check).
    fn overlapping_segments(n: usize) -> Vec<u8> {
        let mut f = tiny_elf(&[])[..64].to_vec();
        f[56..58].copy_from_slice(&(n as u16).to_le_bytes());
        for i in 0..n as u64 {
            let mut ph = [0u8; 56];
            ph[..4].copy_from_slice(&program_header::PT_LOAD.to_le_bytes());
            ph[4..8].copy_from_slice(&(1 + i as u32 % 7).to_le_bytes());
            ph[16..24].copy_from_slice(&(0x10000 + 0x100 * (i % 64)).to_le_bytes());
            ph[40..48].copy_from_slice(&(0x2000 + 0x1000 * (i % 3)).to_le_bytes());
            f.extend_from_slice(&ph);
        }
        f
    }

    /// The largest table of overlapping segments loads in one `mprotect` per run of equal
    /// permissions (merging them pair by pair, with no limit on the table, took billions of
    /// steps for 65535 segments); a larger table is refused, as Linux refuses it.
    #[test]
    fn the_largest_table_of_overlapping_segments_loads() {
        let n = (MAX_PHDR_TABLE / 56) as usize;
        let mut s = space();
        let p = load(&overlapping_segments(n), &mut s).unwrap();
        assert_eq!(p.brk, 0x18000);
        let rwx = pages::MAPPED | pages::READ | pages::WRITE | pages::EXEC;
        assert_eq!(s.mem.pages.get(0x10000), rwx);
        assert_eq!(s.mem.pages.get(0x13000), rwx);
        assert_eq!(
            load(&overlapping_segments(n + 1), &mut space()),
            Err(ElfError::Malformed(
                "program header table larger than 64 KiB"
            ))
        );
    }

    #[test]
    fn protection_runs_merge_overlaps() {
        let (r, w, x) = (pages::READ, pages::WRITE, pages::EXEC);
        let spans = [
            (0x1000, 0x4000, r),
            (0x3000, 0x5000, w),
            (0x5000, 0x6000, w),
            (0x8000, 0x9000, 0),
            (0x8000, 0x8000, x),
        ];
        assert_eq!(
            protection_runs(&spans),
            [
                (0x1000, 0x3000, r),
                (0x3000, 0x4000, r | w),
                (0x4000, 0x6000, w),
                (0x8000, 0x9000, 0)
            ]
        );
    }

    /// `tiny_elf` whose second program header is a `PT_INTERP` naming `path` (NUL added).
    fn tiny_dynamic(path: &[u8]) -> Vec<u8> {
        let mut f = tiny_elf(&[0x73, 0, 0, 0]);
        let at = f.len() as u64;
        f.extend_from_slice(path);
        f.push(0);
        let ph = 120;
        f[ph..ph + 4].copy_from_slice(&program_header::PT_INTERP.to_le_bytes());
        f[ph + 8..ph + 16].copy_from_slice(&at.to_le_bytes());
        f[ph + 32..ph + 40].copy_from_slice(&(path.len() as u64 + 1).to_le_bytes());
        f
    }

    #[test]
    fn dynamic_programs_name_their_interpreter() {
        let img = tiny_dynamic(b"/lib/ld.so");
        let p = load(&img, &mut space()).unwrap();
        assert_eq!(p.interp.as_deref(), Some(&b"/lib/ld.so"[..]));
        assert_eq!((p.start, p.interp_base), (p.entry, 0), "until it is loaded");
        let mut empty = tiny_dynamic(b"");
        assert_eq!(load(&empty, &mut space()), Err(ElfError::BadInterpPath));
        empty[120 + 8..120 + 16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(load(&empty, &mut space()), Err(ElfError::BadInterpPath));
    }

    #[test]
    fn the_interpreter_goes_where_mmap_would_put_it() {
        let mut s = space();
        let mut prog = load(&tiny_elf(&[0x13, 0, 0, 0]), &mut s).unwrap();
        let mut ld = tiny_elf(&[0x73, 0, 0, 0]);
        ld[16] = 3; // ET_DYN
        let spans = load_interpreter(&ld, &mut s, &mut prog).unwrap();
        let base = Layout::default().mmap_base;
        assert_eq!(prog.interp_base, base - 0x10000);
        assert_eq!(prog.start, base + 176, "starts in the interpreter");
        assert_eq!(prog.entry, 0x10000 + 176, "AT_ENTRY stays the program's");
        assert_eq!(s.read_bytes(prog.start, 4).unwrap(), [0x73, 0, 0, 0]);
        assert_eq!(
            s.brk_range(),
            (0x22000, 0x22000),
            "the break follows the program"
        );
        assert_eq!(
            spans,
            [FileSpan {
                start: base,
                end: base + 0x1000,
                offset: 0
            }]
        );
        // A second copy goes above the first, as a second mmap would.
        let mut again = prog.clone();
        load_interpreter(&ld, &mut s, &mut again).unwrap();
        assert_eq!(again.interp_base, base + 0x12000 - 0x10000);
    }

    #[test]
    fn unsuitable_interpreters_are_errors() {
        let mut s = space();
        let mut prog = load(&tiny_elf(&[0x13, 0, 0, 0]), &mut s).unwrap();
        let nested = tiny_dynamic(b"/lib/other.so");
        assert_eq!(
            load_interpreter(&nested, &mut s, &mut prog),
            Err(ElfError::BadInterp)
        );
        let mut other_arch = tiny_elf(&[0x73, 0, 0, 0]);
        other_arch[18..20].copy_from_slice(&183u16.to_le_bytes()); // EM_AARCH64
        assert_eq!(
            load_interpreter(&other_arch, &mut s, &mut prog),
            Err(ElfError::BadInterp)
        );
        assert_eq!(
            load_interpreter(b"#!", &mut s, &mut prog),
            Err(ElfError::NotElf)
        );
        assert!(
            matches!(
                load_interpreter(&tiny_elf(&[0x73, 0, 0, 0]), &mut s, &mut prog),
                Err(ElfError::Malformed(_))
            ),
            "an ET_EXEC interpreter on top of the program"
        );
        // Corrupted interpreters fail cleanly (or load).
        let mut seed = 0x8765_4321u64;
        for _ in 0..200 {
            let mut img = tiny_elf(&[0x73, 0, 0, 0]);
            img[16] = 3;
            for _ in 0..4 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = 4 + (seed >> 33) as usize % (img.len() - 4);
                img[at] = (seed >> 17) as u8;
            }
            let _ = load_interpreter(&img, &mut space(), &mut prog.clone());
        }
    }

    /// A dynamic glibc program and its interpreter from the cross toolchain's sysroot.
    #[test]
    fn loads_a_dynamic_glibc_program_and_its_interpreter() {
        let Some(exe) = crate::testutil::build_guest("int main(void){return 0;}", &[]) else {
            return;
        };
        let img = std::fs::read(&exe.exe).unwrap();
        let mut s = space();
        let mut p = load(&img, &mut s).unwrap();
        assert_eq!(p.bias, Layout::default().pie_base, "PIE by default");
        let interp = p.interp.clone().unwrap();
        assert_eq!(interp, b"/lib/ld-linux-riscv64-lp64d.so.1");
        let path = std::path::Path::new("/usr/riscv64-linux-gnu/lib/ld-linux-riscv64-lp64d.so.1");
        let Ok(ld) = std::fs::read(path) else {
            eprintln!("skipped: no {}", path.display());
            return;
        };
        load_interpreter(&ld, &mut s, &mut p).unwrap();
        let elf = goblin::elf::Elf::parse(&ld).unwrap();
        assert_eq!(p.start, elf.entry + p.interp_base);
        assert_eq!(p.interp_base % PAGE_SIZE, 0);
        assert!(p.interp_base >= Layout::default().mmap_base);
        for ph in elf
            .program_headers
            .iter()
            .filter(|p| p.p_type == program_header::PT_LOAD)
        {
            let want = &ld[ph.p_offset as usize..(ph.p_offset + ph.p_filesz) as usize];
            let at = ph.p_vaddr + p.interp_base;
            assert_eq!(s.read_bytes(at, want.len()).unwrap(), want);
        }
    }

    /// Builds a static program with the cross compiler and checks every loaded segment against
    /// the file bytes goblin's full parser locates (an independent reading of the headers).
    #[test]
    fn loads_a_static_glibc_program() {
        let Some(exe) = crate::testutil::build_guest("int main(void){return 0;}", &["-static"])
        else {
            return;
        };
        let img = std::fs::read(&exe.exe).unwrap();
        let mut s = space();
        let p = load(&img, &mut s).unwrap();
        let elf = goblin::elf::Elf::parse(&img).unwrap();
        assert_eq!(p.entry, elf.entry);
        for ph in elf
            .program_headers
            .iter()
            .filter(|p| p.p_type == program_header::PT_LOAD)
        {
            let want = &img[ph.p_offset as usize..(ph.p_offset + ph.p_filesz) as usize];
            assert_eq!(s.read_bytes(ph.p_vaddr, want.len()).unwrap(), want);
        }
        let pie = crate::testutil::build_guest("int main(void){return 0;}", &["-static-pie"]);
        if let Some(pie) = pie {
            let img = std::fs::read(&pie.exe).unwrap();
            let mut s = space();
            let p = load(&img, &mut s).unwrap();
            assert_eq!(p.bias, Layout::default().pie_base);
        }
    }
}
