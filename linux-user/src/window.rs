//! The guest address window (DESIGN decision 4): one power-of-two host region reserved
//! `PROT_NONE` + `MAP_NORESERVE`. Guest address `a` lives at host `base + (a & mask)`, so every
//! guest access, however wild, lands inside the window. This module only owns the reservation
//! and the raw host `mmap`/`mprotect` calls inside it; which guest pages exist is decided by
//! [`crate::memory`].

use std::io;

/// Guest (and host) page size.
pub const PAGE_SIZE: u64 = 4096;

/// Round `v` down to a page boundary.
pub fn page_floor(v: u64) -> u64 {
    v & !(PAGE_SIZE - 1)
}

/// Round `v` up to a page boundary (`None` on overflow).
pub fn page_ceil(v: u64) -> Option<u64> {
    v.checked_add(PAGE_SIZE - 1).map(page_floor)
}

/// The reserved host region backing guest memory.
#[derive(Debug)]
pub struct GuestWindow {
    base: *mut u8,
    size: u64,
}

// SAFETY: the window is a plain address range; all access goes through raw pointers whose
// validity the callers check against the page table, and the kernel serialises mmap/mprotect.
unsafe impl Send for GuestWindow {}
// SAFETY: as above; `&GuestWindow` only exposes the base/size and kernel calls.
unsafe impl Sync for GuestWindow {}

impl GuestWindow {
    /// Reserve `1 << bits` bytes of host address space, inaccessible until mapped.
    pub fn reserve(bits: u32) -> io::Result<GuestWindow> {
        let size = 1u64 << bits;
        // SAFETY: a fresh anonymous mapping at a kernel-chosen address touches no existing memory.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size as usize,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(GuestWindow {
            base: base.cast(),
            size,
        })
    }

    /// Host address of guest address 0 (`CpuHeader::mem_base`).
    pub fn base(&self) -> u64 {
        self.base as u64
    }

    /// Window size in bytes (a power of two).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// `CpuHeader::mem_mask`.
    pub fn mask(&self) -> u64 {
        self.size - 1
    }

    /// Whether guest `[addr, addr+len)` lies inside the window (no wrap-around).
    pub fn contains(&self, addr: u64, len: u64) -> bool {
        addr.checked_add(len).is_some_and(|end| end <= self.size)
    }

    /// Host pointer for guest address `addr` (masked into the window).
    pub fn host_ptr(&self, addr: u64) -> *mut u8 {
        self.base.wrapping_add((addr & self.mask()) as usize)
    }

    /// Replace guest `[addr, addr+len)` (page aligned, inside the window) by fresh zeroed pages.
    pub fn map_anon(&self, addr: u64, len: u64, host_prot: i32) -> io::Result<()> {
        self.map_raw(
            addr,
            len,
            host_prot,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    }

    /// Map `len` bytes of file `fd` from `offset` at guest `addr` (page aligned, in the window).
    pub fn map_file(
        &self,
        addr: u64,
        len: u64,
        host_prot: i32,
        shared: bool,
        fd: i32,
        offset: i64,
    ) -> io::Result<()> {
        let kind = if shared {
            libc::MAP_SHARED
        } else {
            libc::MAP_PRIVATE
        };
        self.map_raw(addr, len, host_prot, kind, fd, offset)
    }

    /// Give guest `[addr, addr+len)` back to the reservation (inaccessible, no memory).
    pub fn unmap(&self, addr: u64, len: u64) -> io::Result<()> {
        self.map_raw(
            addr,
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    }

    /// Change the host protection of guest `[addr, addr+len)`.
    pub fn protect(&self, addr: u64, len: u64, host_prot: i32) -> io::Result<()> {
        self.check_range(addr, len)?;
        // SAFETY: the range is page aligned and inside our own reservation.
        let r = unsafe { libc::mprotect(self.host_ptr(addr).cast(), len as usize, host_prot) };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    fn check_range(&self, addr: u64, len: u64) -> io::Result<()> {
        if !addr.is_multiple_of(PAGE_SIZE)
            || !len.is_multiple_of(PAGE_SIZE)
            || !self.contains(addr, len)
        {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        }
        Ok(())
    }

    fn map_raw(
        &self,
        addr: u64,
        len: u64,
        host_prot: i32,
        flags: i32,
        fd: i32,
        offset: i64,
    ) -> io::Result<()> {
        self.check_range(addr, len)?;
        if len == 0 {
            return Ok(());
        }
        let want = self.host_ptr(addr);
        // SAFETY: MAP_FIXED replaces pages inside our own reservation only (checked above).
        let got = unsafe {
            libc::mmap(
                want.cast(),
                len as usize,
                host_prot,
                flags | libc::MAP_FIXED,
                fd,
                offset,
            )
        };
        if got == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

impl Drop for GuestWindow {
    fn drop(&mut self) {
        // SAFETY: the reservation is ours and nothing refers to it once the window is dropped.
        unsafe {
            libc::munmap(self.base.cast(), self.size as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_map_write_unmap() {
        let w = GuestWindow::reserve(32).unwrap();
        assert_eq!(w.mask(), 0xffff_ffff);
        w.map_anon(0x10000, PAGE_SIZE, libc::PROT_READ | libc::PROT_WRITE)
            .unwrap();
        // SAFETY: the page was just mapped read-write.
        unsafe {
            *w.host_ptr(0x10010) = 7;
            assert_eq!(
                *w.host_ptr(0x1_0001_0010),
                7,
                "addresses wrap with the mask"
            );
        }
        w.unmap(0x10000, PAGE_SIZE).unwrap();
        assert!(w.map_anon(0x10001, PAGE_SIZE, 0).is_err(), "unaligned");
        assert!(
            w.map_anon(0xffff_f000, 2 * PAGE_SIZE, 0).is_err(),
            "past the end"
        );
    }
}
