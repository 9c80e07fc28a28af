//! emu-frontend: guest instruction decoders that turn guest machine code into emu-ir blocks.
//!
//! Owns the [`CodeFetch`] trait (where translators read guest code from), the shared
//! translator loop ([`translator`]) every guest architecture plugs into, and the per-arch
//! frontends ([`riscv64`], [`aarch64`], [`x86_64`]). Guest-ISA knowledge lives in `src/<arch>/`.
//! [`fuzzing`] is the decoders' `cargo fuzz` entry point.

pub mod aarch64;
mod atomic128;
pub mod fuzzing;
pub mod riscv64;
pub mod table;
#[cfg(test)]
mod test_support;
pub mod translator;
pub mod x86_64;

/// Where the translator reads guest code from. Implemented by emu-linux-user (and later by the
/// system-mode MMU). Also the hook for self-modifying-code tracking: the implementor learns
/// which guest pages hold translated code.
pub trait CodeFetch: Send + Sync {
    /// Copy guest code bytes at `addr` into `buf`; return how many could be read (stops at the
    /// first unmapped or non-executable byte).
    fn fetch(&self, addr: u64, buf: &mut [u8]) -> usize;
}

/// A [`CodeFetch`] over a byte buffer mapped at a fixed guest address (tests, tools, and the
/// `bench` crate's synthetic code).
#[derive(Debug, Clone)]
pub struct BufferFetch {
    /// Guest address of `bytes[0]`.
    pub base: u64,
    pub bytes: Vec<u8>,
}

impl BufferFetch {
    pub fn new(base: u64, bytes: Vec<u8>) -> Self {
        BufferFetch { base, bytes }
    }
}

impl CodeFetch for BufferFetch {
    fn fetch(&self, addr: u64, buf: &mut [u8]) -> usize {
        let Some(start) = addr.checked_sub(self.base) else {
            return 0;
        };
        let Ok(start) = usize::try_from(start) else {
            return 0;
        };
        let Some(avail) = self.bytes.get(start..) else {
            return 0;
        };
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        n
    }
}
