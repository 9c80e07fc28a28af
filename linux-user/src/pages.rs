//! The per-page flag table: one atomic byte per guest page saying what the guest mapped there
//! (its `PROT_*` bits and "mapped") and whether the page holds translated code that we
//! write-protected on the host (self-modifying-code tracking).
//!
//! It is the one structure that the fault handler, the code fetcher (possibly on another thread)
//! and the syscall layer all consult, so it is lock-free: a `MAP_NORESERVE` array of `AtomicU8`,
//! of which only the touched parts ever get memory.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::window::PAGE_SIZE;

/// Guest may read (same value as `PROT_READ` on every Linux arch).
pub const READ: u8 = 1;
/// Guest may write (`PROT_WRITE`).
pub const WRITE: u8 = 2;
/// Guest may execute (`PROT_EXEC`).
pub const EXEC: u8 = 4;
/// The page is mapped (possibly with no permissions: `PROT_NONE`).
pub const MAPPED: u8 = 8;
/// Translated code was read from this guest-writable page, and the host page is read-only.
pub const CODE: u8 = 16;
/// The guest permission bits.
pub const PROT_MASK: u8 = READ | WRITE | EXEC;

/// One flag byte per guest page of the window.
#[derive(Debug)]
pub struct PageTable {
    flags: *const AtomicU8,
    pages: u64,
}

// SAFETY: the table is an array of atomics, valid for the table's lifetime.
unsafe impl Send for PageTable {}
// SAFETY: as above; all access is atomic.
unsafe impl Sync for PageTable {}

impl PageTable {
    /// A table for a window of `window_size` bytes, all pages unmapped.
    pub fn new(window_size: u64) -> std::io::Result<PageTable> {
        let pages = window_size / PAGE_SIZE;
        // SAFETY: fresh anonymous mapping; zero bytes are valid `AtomicU8`s (unmapped pages).
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                pages as usize,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(PageTable {
            flags: p.cast(),
            pages,
        })
    }

    /// Pointer to the raw table, for the fault handler's global registration.
    pub fn raw(&self) -> (*const AtomicU8, u64) {
        (self.flags, self.pages)
    }

    fn slot(&self, addr: u64) -> Option<&AtomicU8> {
        let idx = addr / PAGE_SIZE;
        if idx >= self.pages {
            return None;
        }
        // SAFETY: idx < pages, inside the table's mapping, which lives as long as `self`.
        Some(unsafe { &*self.flags.add(idx as usize) })
    }

    /// The flags of the page holding guest `addr` (0 outside the window).
    pub fn get(&self, addr: u64) -> u8 {
        self.slot(addr).map_or(0, |s| s.load(Ordering::Acquire))
    }

    /// Overwrite the flags of the page holding `addr`.
    pub fn set(&self, addr: u64, value: u8) {
        if let Some(s) = self.slot(addr) {
            s.store(value, Ordering::Release);
        }
    }

    /// Set bits `bits` on the page holding `addr`; returns the previous flags.
    pub fn set_bits(&self, addr: u64, bits: u8) -> u8 {
        self.slot(addr)
            .map_or(0, |s| s.fetch_or(bits, Ordering::AcqRel))
    }

    /// Clear bits `bits` on the page holding `addr`; returns the previous flags.
    pub fn clear_bits(&self, addr: u64, bits: u8) -> u8 {
        self.slot(addr)
            .map_or(0, |s| s.fetch_and(!bits, Ordering::AcqRel))
    }

    /// Whether every page of `[addr, addr+len)` is mapped with all of `need` (guest bits).
    pub fn range_has(&self, addr: u64, len: u64, need: u8) -> bool {
        if len == 0 {
            return true;
        }
        let Some(last) = addr.checked_add(len - 1) else {
            return false;
        };
        let mut page = addr & !(PAGE_SIZE - 1);
        while page <= last {
            let f = self.get(page);
            if f & MAPPED == 0 || f & need != need {
                return false;
            }
            match page.checked_add(PAGE_SIZE) {
                Some(p) => page = p,
                None => break,
            }
        }
        true
    }
}

impl Drop for PageTable {
    fn drop(&mut self) {
        // SAFETY: the table's mapping is ours and unused once dropped.
        unsafe {
            libc::munmap(self.flags as *mut libc::c_void, self.pages as usize);
        }
    }
}

/// Host protection for a guest page: readable if the guest may read or execute (the code
/// fetcher reads it), writable if the guest may write and the page is not a write-protected
/// code page. Host pages are never executable: guest code only runs translated.
pub fn host_prot(flags: u8) -> i32 {
    let mut prot = libc::PROT_NONE;
    if flags & (READ | EXEC) != 0 {
        prot |= libc::PROT_READ;
    }
    if flags & WRITE != 0 && flags & CODE == 0 {
        prot |= libc::PROT_READ | libc::PROT_WRITE;
    }
    prot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_ranges() {
        let t = PageTable::new(1 << 32).unwrap();
        assert_eq!(t.get(0x5000), 0);
        t.set(0x5000, MAPPED | READ | WRITE);
        t.set(0x6000, MAPPED | READ);
        assert!(t.range_has(0x5ff0, 0x20, READ));
        assert!(!t.range_has(0x5ff0, 0x20, WRITE));
        assert!(!t.range_has(0x6ff0, 0x20, READ), "0x7000 is unmapped");
        assert!(!t.range_has(u64::MAX - 4, 10, READ), "wrap-around");
        assert_eq!(t.get(1 << 40), 0, "outside the table");
        assert_eq!(host_prot(MAPPED | EXEC), libc::PROT_READ);
        assert_eq!(host_prot(MAPPED | READ | WRITE | CODE), libc::PROT_READ);
    }
}
