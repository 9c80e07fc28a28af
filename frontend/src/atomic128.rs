//! A host 128-bit compare-and-swap for guest instructions that have no IR atomic of that
//! width (aarch64 `CASP`/`STXP` of X pairs, x86 `CMPXCHG16B`): `cmpxchg16b` on x86-64 hosts
//! for 16-byte aligned addresses, and elsewhere a global lock. The lock makes those
//! operations atomic with respect to each other only, not to plain guest stores racing on
//! the same bytes.

use std::sync::Mutex;

/// Join two 64-bit halves.
pub(crate) fn join(lo: u64, hi: u64) -> u128 {
    u128::from(lo) | u128::from(hi) << 64
}

/// Serializes the portable 128-bit compare-and-swap.
static CAS128_LOCK: Mutex<()> = Mutex::new(());

/// 128-bit little-endian compare-and-swap at host address `p`; returns the old value.
///
/// # Safety
/// `p` must be valid for reads and writes of 16 bytes (or fault inside the guest window).
pub(crate) unsafe fn cas128(p: *mut u8, expected: u128, new: u128) -> u128 {
    #[cfg(target_arch = "x86_64")]
    if (p as usize).is_multiple_of(16) && std::arch::is_x86_feature_detected!("cmpxchg16b") {
        // SAFETY: forwarded; `p` is 16-byte aligned and the CPU has cmpxchg16b.
        return unsafe { cmpxchg16b(p, expected, new) };
    }
    let _guard = CAS128_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let p = p as *mut [u8; 16];
    // SAFETY: `p` is valid for 16 bytes (contract); unaligned access is explicit.
    let old = u128::from_le_bytes(unsafe { p.read_unaligned() });
    if old == expected {
        // SAFETY: as above.
        unsafe { p.write_unaligned(new.to_le_bytes()) };
    }
    old
}

/// `lock cmpxchg16b` at 16-byte aligned `p`.
///
/// # Safety
/// `p` must be 16-byte aligned and valid for 16 bytes; the CPU must support cmpxchg16b.
#[cfg(target_arch = "x86_64")]
unsafe fn cmpxchg16b(p: *mut u8, expected: u128, new: u128) -> u128 {
    let (old_lo, old_hi): (u64, u64);
    // SAFETY: forwarded from the contract. RBX is reserved by the compiler, so the new low
    // half is swapped into it around the instruction and restored after.
    unsafe {
        std::arch::asm!(
            "xchg {new_lo}, rbx",
            "lock cmpxchg16b xmmword ptr [{p}]",
            "mov rbx, {new_lo}",
            p = in(reg) p,
            new_lo = inout(reg) new as u64 => _,
            in("rcx") (new >> 64) as u64,
            inout("rax") expected as u64 => old_lo,
            inout("rdx") (expected >> 64) as u64 => old_hi,
            options(nostack),
        );
    }
    join(old_lo, old_hi)
}

#[cfg(test)]
mod tests {
    use super::cas128;

    /// Both paths of the 128-bit CAS: aligned (cmpxchg16b on x86-64) and misaligned (lock).
    #[test]
    fn cas128_swaps_only_on_a_match() {
        let mut buf = [0u8; 48];
        for offset in [16usize, 17] {
            // Make the slot 16-byte aligned (offset 16) or not (17) whatever `buf`'s alignment.
            let start = (16 - buf.as_ptr() as usize % 16) % 16 + offset - 16;
            let slot = &mut buf[start..start + 16];
            slot.copy_from_slice(&0x0011_2233_4455_6677_8899_aabb_ccdd_eeffu128.to_le_bytes());
            let p = slot.as_mut_ptr();
            // SAFETY: `p` points to 16 bytes of `buf`.
            let old = unsafe { cas128(p, 1, 2) };
            assert_eq!(old, 0x0011_2233_4455_6677_8899_aabb_ccdd_eeff);
            // SAFETY: as above.
            let old = unsafe { cas128(p, old, u128::MAX - 5) };
            assert_eq!(old, 0x0011_2233_4455_6677_8899_aabb_ccdd_eeff);
            assert_eq!(u128::from_le_bytes(slot.try_into().unwrap()), u128::MAX - 5);
        }
    }
}
