//! The CPU model CPUID reports: one table of feature bits ([`FEATURES`]), each naming a
//! feature the frontend implements, from which the CPUID leaves, `AT_HWCAP` and the flags
//! line of `/proc/cpuinfo` are all derived, so they cannot disagree. glibc's ifunc
//! resolvers pick string and math routines from these bits, so a bit must only be here
//! once every instruction it stands for is translated.
//!
//! The model is a family-6 "GenuineIntel" part without AVX or XSAVE (so the dynamic
//! loader saves vector state with FXSAVE), much like QEMU's `qemu64` plus the extensions
//! listed.

use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects};

use crate::x86_64::{X64Cpu, RAX, RCX, RDX};

/// A CPUID register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    Eax,
    Ebx,
    Ecx,
    Edx,
}

/// One feature bit: where CPUID reports it and the kernel's name for it.
#[derive(Clone, Copy, Debug)]
pub struct Feature {
    pub leaf: u32,
    pub reg: Reg,
    pub bit: u32,
    /// The `/proc/cpuinfo` name.
    pub name: &'static str,
}

const fn f(leaf: u32, reg: Reg, bit: u32, name: &'static str) -> Feature {
    Feature {
        leaf,
        reg,
        bit,
        name,
    }
}

/// Extended leaf 0x8000_0001.
const EXT1: u32 = 0x8000_0001;

/// Every feature the model reports, in the kernel's `/proc/cpuinfo` order.
pub const FEATURES: &[Feature] = &[
    f(1, Reg::Edx, 0, "fpu"),
    f(1, Reg::Edx, 4, "tsc"),
    f(1, Reg::Edx, 8, "cx8"),
    f(1, Reg::Edx, 15, "cmov"),
    f(1, Reg::Edx, 19, "clflush"),
    f(1, Reg::Edx, 23, "mmx"),
    f(1, Reg::Edx, 24, "fxsr"),
    f(1, Reg::Edx, 25, "sse"),
    f(1, Reg::Edx, 26, "sse2"),
    f(EXT1, Reg::Edx, 11, "syscall"),
    f(EXT1, Reg::Edx, 20, "nx"),
    f(EXT1, Reg::Edx, 27, "rdtscp"),
    f(EXT1, Reg::Edx, 29, "lm"),
    f(1, Reg::Ecx, 0, "pni"),
    f(1, Reg::Ecx, 9, "ssse3"),
    f(1, Reg::Ecx, 13, "cx16"),
    f(1, Reg::Ecx, 19, "sse4_1"),
    f(1, Reg::Ecx, 20, "sse4_2"),
    f(1, Reg::Ecx, 22, "movbe"),
    f(1, Reg::Ecx, 23, "popcnt"),
    f(EXT1, Reg::Ecx, 0, "lahf_lm"),
    f(EXT1, Reg::Ecx, 5, "abm"),
    f(EXT1, Reg::Ecx, 8, "3dnowprefetch"),
    f(7, Reg::Ebx, 3, "bmi1"),
    f(7, Reg::Ebx, 8, "bmi2"),
    f(7, Reg::Ebx, 19, "adx"),
];

/// The feature bits of `leaf`'s register `reg`.
pub const fn feature_bits(leaf: u32, reg: Reg) -> u32 {
    let mut bits = 0;
    let mut i = 0;
    while i < FEATURES.len() {
        let ft = FEATURES[i];
        if ft.leaf == leaf && ft.reg as u32 == reg as u32 {
            bits |= 1 << ft.bit;
        }
        i += 1;
    }
    bits
}

/// CPUID leaf 1 EDX (`AT_HWCAP` on x86_64).
pub const CPUID1_EDX: u32 = feature_bits(1, Reg::Edx);
/// CPUID leaf 1 EAX: family 6, model 15, stepping 1.
const CPUID1_EAX: u32 = 0x06f1;
/// CPUID leaf 1 EBX: CLFLUSH line size 8 × 8 = 64 bytes, one logical processor.
const CPUID1_EBX: u32 = 8 << 8 | 1 << 16;
/// The highest basic and extended leaves.
const MAX_LEAF: u32 = 7;
const MAX_EXT_LEAF: u32 = 0x8000_0004;
const VENDOR: &[u8; 12] = b"GenuineIntel";
/// Leaves 0x8000_0002–4: the brand string, NUL-padded to 48 bytes.
const BRAND: &str = "emu x86-64 CPU";

/// Bytes `at..at + 4` of `s` (NUL past its end) as a little-endian word.
fn word(s: &[u8], at: usize) -> u32 {
    let byte = |i: usize| s.get(at + i).copied().unwrap_or(0);
    u32::from_le_bytes([byte(0), byte(1), byte(2), byte(3)])
}

/// The four feature registers of a leaf.
fn features(leaf: u32) -> [u32; 4] {
    [Reg::Eax, Reg::Ebx, Reg::Ecx, Reg::Edx].map(|r| feature_bits(leaf, r))
}

/// `[eax, ebx, ecx, edx]` of CPUID `leaf`, `subleaf`.
pub fn cpuid(leaf: u32, subleaf: u32) -> [u32; 4] {
    match leaf {
        0 => [MAX_LEAF, word(VENDOR, 0), word(VENDOR, 8), word(VENDOR, 4)],
        1 => {
            let [_, _, ecx, edx] = features(1);
            [CPUID1_EAX, CPUID1_EBX, ecx, edx]
        }
        7 if subleaf == 0 => features(7),
        0x8000_0000 => [MAX_EXT_LEAF, 0, 0, 0],
        EXT1 => features(EXT1),
        0x8000_0002..=0x8000_0004 => {
            let base = (leaf - 0x8000_0002) as usize * 16;
            [0, 4, 8, 12].map(|i| word(BRAND.as_bytes(), base + i))
        }
        _ => [0; 4],
    }
}

/// The vendor string of leaf 0.
pub fn vendor() -> String {
    String::from_utf8_lossy(VENDOR).into_owned()
}

/// The kernel's names of the reported features (the `flags` line of `/proc/cpuinfo`).
pub fn flag_names() -> Vec<&'static str> {
    FEATURES.iter().map(|ft| ft.name).collect()
}

extern "C" fn helper_cpuid(env: *mut u8) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    let r = cpuid(cpu.regs[RAX as usize] as u32, cpu.regs[RCX as usize] as u32);
    for (reg, v) in [RAX, 3, RCX, RDX].into_iter().zip(r) {
        cpu.regs[reg as usize] = u64::from(v);
    }
    0
}

/// `CPUID`: reads EAX/ECX, writes EAX/EBX/ECX/EDX.
pub(crate) static CPUID: Helper = Helper {
    name: "x64_cpuid",
    func: HelperFn::A0(helper_cpuid),
    nargs: 0,
    ret: None,
    effects: HelperEffects {
        reads_state: true,
        writes_state: true,
        memory: false,
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_carry_the_table_bits() {
        assert_eq!(cpuid(1, 0)[3], CPUID1_EDX);
        assert_ne!(cpuid(7, 0)[1] & 1 << 3, 0, "bmi1");
        assert_eq!(cpuid(7, 1), [0; 4]);
        assert_eq!(cpuid(0, 0)[0], MAX_LEAF);
        let brand: Vec<u8> = (0x8000_0002..=0x8000_0004)
            .flat_map(|l| cpuid(l, 0))
            .flat_map(u32::to_le_bytes)
            .collect();
        assert!(brand.starts_with(BRAND.as_bytes()));
        assert_eq!(brand.len(), 48);
    }
}
