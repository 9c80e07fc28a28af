//! A minimal static ELF64 writer: a header, one `PT_LOAD` program header per segment, and
//! the segments at page-aligned file offsets. No sections, no interpreter.

/// One loadable segment.
pub struct Segment {
    pub vaddr: u64,
    pub bytes: Vec<u8>,
    pub writable: bool,
    pub exec: bool,
}

const PAGE: u64 = 0x1000;
const EHDR_SIZE: u64 = 64;
const PHDR_SIZE: u64 = 56;

/// The ELF image for `segments` (vaddrs page-aligned), entering at `entry`.
pub fn build(machine: u16, flags: u32, entry: u64, segments: &[Segment]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(b"\x7fELF");
    out.extend([2, 1, 1, 0]); // 64-bit, little-endian, version 1, SysV ABI
    out.extend([0u8; 8]);
    out.extend(2u16.to_le_bytes()); // ET_EXEC
    out.extend(machine.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    out.extend(entry.to_le_bytes());
    out.extend(EHDR_SIZE.to_le_bytes()); // e_phoff
    out.extend(0u64.to_le_bytes()); // e_shoff
    out.extend(flags.to_le_bytes());
    out.extend((EHDR_SIZE as u16).to_le_bytes());
    out.extend((PHDR_SIZE as u16).to_le_bytes());
    out.extend((segments.len() as u16).to_le_bytes());
    out.extend([0u8; 6]); // e_shentsize, e_shnum, e_shstrndx
    let mut offset = (EHDR_SIZE + PHDR_SIZE * segments.len() as u64).next_multiple_of(PAGE);
    let mut offsets = Vec::new();
    for seg in segments {
        let len = seg.bytes.len() as u64;
        let prot = 4 | if seg.writable { 2 } else { 0 } | if seg.exec { 1 } else { 0 };
        out.extend(1u32.to_le_bytes()); // PT_LOAD
        out.extend((prot as u32).to_le_bytes());
        for v in [offset, seg.vaddr, seg.vaddr, len, len, PAGE] {
            out.extend(v.to_le_bytes());
        }
        offsets.push(offset);
        offset = (offset + len).next_multiple_of(PAGE);
    }
    for (seg, off) in segments.iter().zip(offsets) {
        out.resize(off as usize, 0);
        out.extend(&seg.bytes);
    }
    out
}
