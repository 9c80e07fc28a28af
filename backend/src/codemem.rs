//! Executable code memory: one large anonymous RWX mapping with a bump allocator.
//!
//! Like QEMU's code buffer, nothing is freed individually: when the region is full the engine
//! flushes everything (every compiled block is dropped) and allocation restarts after the
//! permanent prefix (the entry trampoline).

use crate::BackendError;

/// Alignment of each function placed in code memory.
const FUNC_ALIGN: usize = 16;

/// An RWX mapping with a bump pointer.
pub struct CodeMemory {
    base: *mut u8,
    size: usize,
    /// Next free byte offset.
    top: usize,
    /// Offset below which allocations survive [`CodeMemory::reset`].
    permanent: usize,
}

// SAFETY: the mapping is owned exclusively by this struct; callers synchronise access (the
// engine keeps it behind a Mutex), and the raw pointer is just an address.
unsafe impl Send for CodeMemory {}

impl CodeMemory {
    /// Map `size` bytes (rounded up to pages) of read-write-execute memory.
    pub fn new(size: usize) -> Result<CodeMemory, BackendError> {
        let size = size.max(4096).next_multiple_of(4096);
        // SAFETY: an anonymous private mapping at a kernel-chosen address touches no existing
        // memory; the result is checked against MAP_FAILED.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(BackendError::CodeMemory(std::io::Error::last_os_error()));
        }
        Ok(CodeMemory {
            base: p.cast(),
            size,
            top: 0,
            permanent: 0,
        })
    }

    /// Copy `code` into the region; returns its address, or `None` when full.
    pub fn install(&mut self, code: &[u8]) -> Option<usize> {
        let start = self.top.next_multiple_of(FUNC_ALIGN);
        let end = start.checked_add(code.len())?;
        if end > self.size {
            return None;
        }
        // SAFETY: [start, end) lies inside the mapping (checked above) and is not in use by any
        // other function (bump allocation); `code` is a separate Rust allocation.
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), self.base.add(start), code.len()) };
        self.top = end;
        // x86 keeps instruction caches coherent; other hosts would need a cache flush here.
        Some(self.base as usize + start)
    }

    /// Keep everything installed so far across future resets.
    pub fn make_permanent(&mut self) {
        self.permanent = self.top;
    }

    /// Forget every non-permanent function. The caller guarantees none of them can run again.
    pub fn reset(&mut self) {
        self.top = self.permanent;
    }

    /// Bytes in use.
    pub fn used(&self) -> usize {
        self.top
    }

    /// The region's host address range `[start, end)`.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.base as usize..self.base as usize + self.size
    }

    /// Whether `addr` lies inside the region.
    pub fn contains(&self, addr: usize) -> bool {
        self.range().contains(&addr)
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: `base`/`size` are exactly the mapping created in `new`, unmapped only here.
        unsafe { libc::munmap(self.base.cast(), self.size) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bump_allocation_aligns_and_fills_up() {
        let mut m = CodeMemory::new(4096).unwrap();
        let a = m.install(&[0xc3; 5]).unwrap();
        let b = m.install(&[0xc3; 5]).unwrap();
        assert_eq!(a % FUNC_ALIGN, 0);
        assert_eq!(b - a, FUNC_ALIGN);
        assert!(m.contains(a) && m.contains(b));
        assert!(m.install(&[0; 5000]).is_none());
        m.make_permanent();
        m.install(&[1; 100]).unwrap();
        m.reset();
        assert_eq!(m.used(), 21);
    }
}
