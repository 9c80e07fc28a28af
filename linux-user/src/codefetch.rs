//! Guest code fetching for the translator (`emu_frontend::CodeFetch`): reads only from pages
//! the guest mapped executable, and marks every guest-writable page it reads code from as a
//! code page, write-protecting it on the host so a later guest write faults and invalidates the
//! stale translations ([`crate::fault`]).

use std::sync::Arc;

use crate::memory::GuestMemory;
use crate::pages::{self, host_prot};
use crate::window::PAGE_SIZE;

/// Fetches guest code out of the window.
#[derive(Debug, Clone)]
pub struct GuestCodeFetch {
    mem: Arc<GuestMemory>,
}

impl GuestCodeFetch {
    pub fn new(mem: Arc<GuestMemory>) -> GuestCodeFetch {
        GuestCodeFetch { mem }
    }

    /// Copy code bytes at `addr` into `buf`; returns how many were copied (stops at the first
    /// byte not mapped executable).
    pub fn fetch_bytes(&self, addr: u64, buf: &mut [u8]) -> usize {
        let mut done = 0usize;
        while done < buf.len() {
            let Some(a) = addr.checked_add(done as u64) else {
                break;
            };
            if !self.mem.window.contains(a, 1) || !self.mark_code_page(a) {
                break;
            }
            let in_page = (PAGE_SIZE - a % PAGE_SIZE) as usize;
            let n = in_page.min(buf.len() - done);
            // SAFETY: the page holding `a..a+n` is mapped and host-readable (guest EXEC implies
            // host PROT_READ), and `buf[done..done+n]` is in bounds.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    self.mem.window.host_ptr(a),
                    buf[done..].as_mut_ptr(),
                    n,
                )
            };
            done += n;
        }
        done
    }

    /// Whether the page of `addr` is executable; write-protects it first if it is writable.
    fn mark_code_page(&self, addr: u64) -> bool {
        let page = addr & !(PAGE_SIZE - 1);
        let flags = self.mem.pages.get(page);
        if flags & pages::MAPPED == 0 || flags & pages::EXEC == 0 {
            return false;
        }
        if flags & pages::WRITE != 0 && flags & pages::CODE == 0 {
            // Mark before protecting and before the copy, so no write can slip in unseen.
            let old = self.mem.pages.set_bits(page, pages::CODE);
            let _ = self
                .mem
                .window
                .protect(page, PAGE_SIZE, host_prot(old | pages::CODE));
        }
        true
    }
}

impl emu_frontend::CodeFetch for GuestCodeFetch {
    fn fetch(&self, addr: u64, buf: &mut [u8]) -> usize {
        self.fetch_bytes(addr, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_respects_exec_and_marks_writable_code() {
        let mem = Arc::new(GuestMemory::new(32).unwrap());
        let rx = pages::MAPPED | pages::READ | pages::EXEC;
        let rwx = rx | pages::WRITE;
        mem.window
            .map_anon(0x10000, 3 * PAGE_SIZE, libc::PROT_READ | libc::PROT_WRITE)
            .unwrap();
        // SAFETY: mapped read-write just above.
        unsafe { *mem.window.host_ptr(0x10ffe) = 0x13 };
        mem.pages.set(0x10000, rx);
        mem.pages.set(0x11000, rwx);
        mem.pages
            .set(0x12000, pages::MAPPED | pages::READ | pages::WRITE);
        let f = GuestCodeFetch::new(mem.clone());
        let mut buf = [0u8; 8];
        assert_eq!(
            f.fetch_bytes(0x10ffe, &mut buf[..4]),
            4,
            "crosses into the next exec page"
        );
        assert_eq!(buf[0], 0x13);
        assert_eq!(
            f.fetch_bytes(0x11ffc, &mut buf),
            4,
            "stops at the non-exec page"
        );
        assert_eq!(f.fetch_bytes(0x12000, &mut buf), 0);
        assert_eq!(f.fetch_bytes(0x20000, &mut buf), 0, "unmapped");
        assert_eq!(
            f.fetch_bytes(u64::MAX - 2, &mut buf),
            0,
            "outside the window"
        );
        assert_eq!(mem.pages.get(0x10000), rx, "read-only code needs no mark");
        assert_eq!(mem.pages.get(0x11000), rwx | pages::CODE);
    }
}
