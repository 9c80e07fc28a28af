//! The legacy vsyscall page at `0xffffffffff600000`, which old static binaries call for
//! `gettimeofday`, `time` and `getcpu`. Linux today emulates calls to its three entry points
//! (the page is execute-only); the translator gets the code the page once held there —
//! `mov rax, NR; syscall; ret` — so the call becomes the ordinary syscall. Anything else in
//! the page is not code (a fetch fault, SIGSEGV, as on Linux).

/// Start of the vsyscall page.
pub const VSYSCALL_BASE: u64 = 0xffff_ffff_ff60_0000;

/// The three entry points (1 KiB apart): `gettimeofday` (96), `time` (201), `getcpu` (309).
const ENTRIES: [[u8; 10]; 3] = [
    [0x48, 0xc7, 0xc0, 0x60, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3],
    [0x48, 0xc7, 0xc0, 0xc9, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3],
    [0x48, 0xc7, 0xc0, 0x35, 0x01, 0x00, 0x00, 0x0f, 0x05, 0xc3],
];

/// The code at `pc` if it is inside one of the entry sequences.
pub fn code_at(pc: u64) -> Option<&'static [u8]> {
    let offset = pc.checked_sub(VSYSCALL_BASE)?;
    let entry = ENTRIES.get(usize::try_from(offset / 0x400).ok()?)?;
    entry
        .get(usize::try_from(offset % 0x400).ok()?..)
        .filter(|rest| !rest.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_their_tails_only() {
        assert_eq!(code_at(VSYSCALL_BASE).map(<[u8]>::len), Some(10));
        assert_eq!(
            code_at(VSYSCALL_BASE + 0x407),
            Some(&[0x0f, 0x05, 0xc3][..])
        );
        assert_eq!(code_at(VSYSCALL_BASE + 0x80a), None);
        assert_eq!(code_at(VSYSCALL_BASE + 0xc00), None);
        assert_eq!(code_at(VSYSCALL_BASE - 1), None);
        assert_eq!(code_at(0x1000), None);
    }
}
