//! `struct stat` in the guest's layout: the generic 64-bit Linux layout (asm-generic/stat.h),
//! which riscv64 and aarch64 use, and x86_64's (arch/x86/include/uapi/asm/stat.h), which
//! differs in field order and in the widths of `st_nlink` and `st_blksize`. Both are encoded
//! field by field from the host's `struct stat`, so neither depends on the host's layout.

use crate::arch::GuestArch;

/// Size of x86_64's `struct stat`.
pub const X86_64_STAT_SIZE: usize = 144;

/// A host `stat` in `arch`'s layout.
pub fn for_guest(arch: GuestArch, st: &libc::stat) -> Vec<u8> {
    match arch {
        GuestArch::X86_64 => to_x86_64(st).to_vec(),
        _ => to_generic(st).to_vec(),
    }
}

/// Encode a host `stat` in x86_64's layout: dev@0 ino@8 nlink(64)@16 mode@24 uid@28 gid@32
/// rdev@40 size@48 blksize(64)@56 blocks@64 atime@72 mtime@88 ctime@104 (sec, nsec pairs).
// The casts are no-ops on x86_64 hosts but not on others (their `st_nlink` is 32-bit).
#[allow(clippy::unnecessary_cast)]
pub fn to_x86_64(st: &libc::stat) -> [u8; X86_64_STAT_SIZE] {
    let mut b = [0u8; X86_64_STAT_SIZE];
    let mut put = |at: usize, bytes: &[u8]| b[at..at + bytes.len()].copy_from_slice(bytes);
    put(0, &st.st_dev.to_le_bytes());
    put(8, &st.st_ino.to_le_bytes());
    put(16, &(st.st_nlink as u64).to_le_bytes());
    put(24, &st.st_mode.to_le_bytes());
    put(28, &st.st_uid.to_le_bytes());
    put(32, &st.st_gid.to_le_bytes());
    put(40, &st.st_rdev.to_le_bytes());
    put(48, &st.st_size.to_le_bytes());
    put(56, &(st.st_blksize as i64).to_le_bytes());
    put(64, &st.st_blocks.to_le_bytes());
    for (at, sec, nsec) in [
        (72, st.st_atime, st.st_atime_nsec),
        (88, st.st_mtime, st.st_mtime_nsec),
        (104, st.st_ctime, st.st_ctime_nsec),
    ] {
        put(at, &sec.to_le_bytes());
        put(at + 8, &nsec.to_le_bytes());
    }
    b
}

/// Size of the generic `struct stat`.
pub const GENERIC_STAT_SIZE: usize = 128;

/// Byte offsets of the generic layout's fields.
pub mod off {
    pub const DEV: usize = 0;
    pub const INO: usize = 8;
    pub const MODE: usize = 16;
    pub const NLINK: usize = 20;
    pub const UID: usize = 24;
    pub const GID: usize = 28;
    pub const RDEV: usize = 32;
    pub const SIZE: usize = 48;
    pub const BLKSIZE: usize = 56;
    pub const BLOCKS: usize = 64;
    pub const ATIME: usize = 72;
    pub const MTIME: usize = 88;
    pub const CTIME: usize = 104;
}

/// Encode a host `stat` in the generic layout.
pub fn to_generic(st: &libc::stat) -> [u8; GENERIC_STAT_SIZE] {
    let mut b = [0u8; GENERIC_STAT_SIZE];
    let mut put = |at: usize, bytes: &[u8]| b[at..at + bytes.len()].copy_from_slice(bytes);
    put(off::DEV, &st.st_dev.to_le_bytes());
    put(off::INO, &st.st_ino.to_le_bytes());
    put(off::MODE, &st.st_mode.to_le_bytes());
    put(off::NLINK, &(st.st_nlink as u32).to_le_bytes());
    put(off::UID, &st.st_uid.to_le_bytes());
    put(off::GID, &st.st_gid.to_le_bytes());
    put(off::RDEV, &st.st_rdev.to_le_bytes());
    put(off::SIZE, &st.st_size.to_le_bytes());
    put(off::BLKSIZE, &(st.st_blksize as i32).to_le_bytes());
    put(off::BLOCKS, &st.st_blocks.to_le_bytes());
    for (at, sec, nsec) in [
        (off::ATIME, st.st_atime, st.st_atime_nsec),
        (off::MTIME, st.st_mtime, st.st_mtime_nsec),
        (off::CTIME, st.st_ctime, st.st_ctime_nsec),
    ] {
        put(at, &sec.to_le_bytes());
        put(at + 8, &nsec.to_le_bytes());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }
    fn u64_at(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    /// Field by field against std's view of the same file (offsets from asm-generic/stat.h).
    #[test]
    fn matches_the_host_stat_of_the_same_file() {
        let path = std::env::current_exe().unwrap();
        let md = std::fs::metadata(&path).unwrap();
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: zeroed stat is valid; stat fills it for a valid path.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: valid C string and out pointer.
        assert_eq!(unsafe { libc::stat(c.as_ptr(), &mut st) }, 0);
        let b = to_generic(&st);
        assert_eq!(u64_at(&b, 0), md.dev());
        assert_eq!(u64_at(&b, 8), md.ino());
        assert_eq!(u32_at(&b, 16), md.mode());
        assert_eq!(u32_at(&b, 20) as u64, md.nlink());
        assert_eq!(u32_at(&b, 24), md.uid());
        assert_eq!(u32_at(&b, 28), md.gid());
        assert_eq!(u64_at(&b, 32), md.rdev());
        assert_eq!(u64_at(&b, 48), md.size());
        assert_eq!(u32_at(&b, 56) as u64, md.blksize());
        assert_eq!(u64_at(&b, 64), md.blocks());
        assert_eq!(u64_at(&b, 88) as i64, md.mtime());
        assert_eq!(u64_at(&b, 96) as i64, md.mtime_nsec());
        assert_eq!(u64_at(&b, 104) as i64, md.ctime());
        assert_eq!(u64_at(&b, 40), 0, "padding");

        // x86_64's layout against the same metadata.
        let x = to_x86_64(&st);
        assert_eq!(u64_at(&x, 0), md.dev());
        assert_eq!(u64_at(&x, 8), md.ino());
        assert_eq!(u64_at(&x, 16), md.nlink());
        assert_eq!(u32_at(&x, 24), md.mode());
        assert_eq!(u32_at(&x, 28), md.uid());
        assert_eq!(u32_at(&x, 32), md.gid());
        assert_eq!(u64_at(&x, 40), md.rdev());
        assert_eq!(u64_at(&x, 48), md.size());
        assert_eq!(u64_at(&x, 56), md.blksize());
        assert_eq!(u64_at(&x, 64), md.blocks());
        assert_eq!(u64_at(&x, 88) as i64, md.mtime());
        assert_eq!(u64_at(&x, 96) as i64, md.mtime_nsec());
        assert_eq!(u64_at(&x, 104) as i64, md.ctime());
    }
}
