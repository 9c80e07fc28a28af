//! The guest's address space: which guest ranges are mapped with which protections (a
//! `BTreeMap` of ranges, mirrored per page into [`PageTable`]), guest `mmap`/`munmap`/
//! `mprotect`/`mremap`/`brk` carried out with host `mmap(MAP_FIXED)`/`mprotect` inside the
//! [`GuestWindow`], deterministic placement of new mappings, and checked copies between guest
//! memory and the emulator for the syscall layer (never touching host memory outside the window).
//!
//! Placement follows qemu-user on 64-bit hosts: new mappings go bottom-up (first fit) from
//! [`Layout::mmap_base`] (qemu's `TASK_UNMAPPED_BASE`, 1 << 38).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::errno::Errno;
use crate::pages::{self, host_prot, PageTable};
use crate::window::{page_ceil, GuestWindow, PAGE_SIZE};

/// Where things go in the guest address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// log2 of the window size.
    pub window_bits: u32,
    /// Bottom of the area searched for new mappings.
    pub mmap_base: u64,
    /// Load address of position-independent (`ET_DYN`) programs: 2/3 of `mmap_base`, as
    /// qemu's and Linux's `ELF_ET_DYN_BASE`.
    pub pie_base: u64,
    /// One past the highest stack byte.
    pub stack_top: u64,
    /// Size of the main thread's stack mapping.
    pub stack_size: u64,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout {
            window_bits: 40,
            mmap_base: 1 << 38,
            pie_base: 0x2a_aaaa_a000,
            stack_top: 1 << 39,
            stack_size: 8 << 20,
        }
    }
}

/// The window plus its page table: everything code fetching and fault handling need, shareable
/// across threads.
#[derive(Debug)]
pub struct GuestMemory {
    pub window: GuestWindow,
    pub pages: PageTable,
}

impl GuestMemory {
    pub fn new(window_bits: u32) -> std::io::Result<GuestMemory> {
        let window = GuestWindow::reserve(window_bits)?;
        let pages = PageTable::new(window.size())?;
        Ok(GuestMemory { window, pages })
    }

    /// Whether guest `[addr, addr+len)` is inside the window and mapped with `need`.
    pub fn accessible(&self, addr: u64, len: u64, need: u8) -> bool {
        self.window.contains(addr, len) && self.pages.range_has(addr, len, need)
    }
}

/// One mapped guest range (the key of the map is its start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub end: u64,
    /// Guest `PROT_*` bits.
    pub prot: u8,
}

/// How a new mapping is backed.
#[derive(Clone, Copy, Debug)]
pub enum Backing {
    Anonymous,
    File { fd: i32, offset: i64, shared: bool },
}

/// Guest `mmap` flags (generic Linux values, shared by riscv64, aarch64 and x86_64).
pub mod map_flags {
    pub const SHARED: u32 = 0x01;
    pub const PRIVATE: u32 = 0x02;
    pub const SHARED_VALIDATE: u32 = 0x03;
    pub const FIXED: u32 = 0x10;
    pub const ANONYMOUS: u32 = 0x20;
    pub const FIXED_NOREPLACE: u32 = 0x10_0000;
}

/// A file whose bytes the loader copied into guest memory (named in `/proc/self/maps`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapFile {
    pub path: std::path::PathBuf,
    pub dev: u64,
    pub inode: u64,
}

/// Guest pages `[start, end)` show `file` from `offset` on.
#[derive(Debug, Clone)]
pub struct MapLabel {
    pub start: u64,
    pub end: u64,
    pub offset: u64,
    pub file: Arc<MapFile>,
}

/// The guest address space: a handle shared by all guest threads of the process (clones made by
/// [`AddressSpace::share`] see the same mappings). The checked accessors only read the lock-free
/// page table; the mapping operations take the mapping lock for their whole run.
#[derive(Debug)]
pub struct AddressSpace {
    pub mem: Arc<GuestMemory>,
    pub layout: Layout,
    maps: Arc<Mutex<Maps>>,
}

/// The mapping bookkeeping behind the lock.
#[derive(Debug, Default)]
struct Maps {
    regions: BTreeMap<u64, Region>,
    /// Names of loader-filled ranges; dropped when any part of them is unmapped or replaced.
    labels: Vec<MapLabel>,
    brk_start: u64,
    brk: u64,
    /// Guest ranges whose translated code must be dropped (drained by the runner).
    invalidations: Vec<(u64, u64)>,
}

/// The address space with its mapping lock held: where the mapping operations run.
struct Locked<'a> {
    mem: &'a GuestMemory,
    layout: Layout,
    maps: MutexGuard<'a, Maps>,
}

impl AddressSpace {
    pub fn new(layout: Layout) -> std::io::Result<AddressSpace> {
        Ok(AddressSpace {
            mem: Arc::new(GuestMemory::new(layout.window_bits)?),
            layout,
            maps: Arc::default(),
        })
    }

    /// Another handle on the same address space (for a new guest thread).
    pub fn share(&self) -> AddressSpace {
        AddressSpace {
            mem: self.mem.clone(),
            layout: self.layout,
            maps: self.maps.clone(),
        }
    }

    fn lock(&self) -> Locked<'_> {
        Locked {
            mem: &self.mem,
            layout: self.layout,
            maps: self.maps.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// The mapped regions, in address order (a snapshot).
    pub fn regions(&self) -> impl Iterator<Item = (u64, Region)> {
        let maps = self.lock().maps;
        let v: Vec<(u64, Region)> = maps.regions.iter().map(|(s, r)| (*s, *r)).collect();
        v.into_iter()
    }

    /// Name `[start, end)` (already mapped) after `file` from `offset` on.
    pub fn add_label(&mut self, start: u64, end: u64, offset: u64, file: &Arc<MapFile>) {
        self.lock().maps.labels.push(MapLabel {
            start,
            end,
            offset,
            file: file.clone(),
        });
    }

    /// The loader's names of mapped ranges (a snapshot).
    pub fn labels(&self) -> Vec<MapLabel> {
        self.lock().maps.labels.clone()
    }

    /// The program break: its start and its current value.
    pub fn brk_range(&self) -> (u64, u64) {
        let maps = self.lock().maps;
        (maps.brk_start, maps.brk)
    }

    /// Take the ranges whose translations are stale.
    pub fn take_invalidations(&mut self) -> Vec<(u64, u64)> {
        std::mem::take(&mut self.lock().maps.invalidations)
    }

    /// First free gap of `len` bytes at or above the mmap base starting at a multiple of
    /// `align` (a power of two, at least a page): where the loader puts an interpreter.
    pub fn find_free_aligned(&self, len: u64, align: u64) -> Option<u64> {
        self.lock().find_free_aligned(len, align)
    }

    /// Map fresh pages at a fixed, page-aligned place (used by the loader and the stack).
    pub fn map_fixed_anon(&mut self, addr: u64, len: u64, prot: u8) -> Result<(), Errno> {
        self.lock().map_fixed_anon(addr, len, prot)
    }

    /// Guest `mmap`. `prot` is the guest's `PROT_*`, `flags` its `MAP_*`.
    pub fn mmap(
        &mut self,
        addr: u64,
        len: u64,
        prot: u32,
        flags: u32,
        backing: Backing,
    ) -> Result<u64, Errno> {
        self.lock().mmap(addr, len, prot, flags, backing)
    }

    /// Guest `munmap`.
    pub fn munmap(&mut self, addr: u64, len: u64) -> Result<(), Errno> {
        self.lock().munmap(addr, len)
    }

    /// Guest `mprotect`: every page of the range must be mapped (else `ENOMEM`, as Linux).
    pub fn mprotect(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), Errno> {
        self.lock().mprotect(addr, len, prot)
    }

    /// Guest `mremap` (`MREMAP_MAYMOVE` = 1, `MREMAP_FIXED` = 2).
    pub fn mremap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u32,
        new_addr: u64,
    ) -> Result<u64, Errno> {
        self.lock().mremap(old, old_len, new_len, flags, new_addr)
    }

    /// Set the initial program break (page aligned, just above the loaded program).
    pub fn init_brk(&mut self, start: u64) {
        let mut l = self.lock();
        l.maps.brk_start = start;
        l.maps.brk = start;
    }

    /// Guest `brk`: returns the new break, or the old one when the request cannot be met.
    pub fn brk(&mut self, want: u64) -> u64 {
        self.lock().brk(want)
    }

    // ---- checked access for syscalls -------------------------------------------------------

    /// Whether the host page behind guest `addr` is resident: what a CPU's page walk would
    /// find present (an anonymous page never touched is not).
    pub fn resident(&self, addr: u64) -> bool {
        if !self.mem.window.contains(addr, 1) {
            return false;
        }
        let page = self.mem.window.host_ptr(addr & !(PAGE_SIZE - 1));
        let mut vec = 0u8;
        // SAFETY: mincore reads only the page tables of the window's own mapping and writes
        // one byte (one page) to `vec`; an unmapped page makes it fail with ENOMEM.
        let r = unsafe { libc::mincore(page.cast(), PAGE_SIZE as usize, &mut vec) };
        r == 0 && vec & 1 != 0
    }

    /// `Ok` if guest `[addr, addr+len)` is mapped with `need`, else `EFAULT`.
    pub fn check(&self, addr: u64, len: u64, need: u8) -> Result<(), Errno> {
        if self.mem.accessible(addr, len, need) {
            Ok(())
        } else {
            Err(Errno::EFAULT)
        }
    }

    /// Host pointer to a readable guest buffer (for host syscalls that read it).
    pub fn read_ptr(&self, addr: u64, len: u64) -> Result<*const u8, Errno> {
        self.check(addr, len, pages::READ)?;
        Ok(self.mem.window.host_ptr(addr))
    }

    /// Host pointer to a writable guest buffer (for host syscalls that fill it); code pages in
    /// it are unprotected and their translations queued for invalidation first.
    pub fn write_ptr(&mut self, addr: u64, len: u64) -> Result<*mut u8, Errno> {
        self.check(addr, len, pages::WRITE)?;
        self.unprotect_code(addr, len);
        Ok(self.mem.window.host_ptr(addr))
    }

    fn unprotect_code(&mut self, addr: u64, len: u64) {
        if len == 0 {
            return;
        }
        let mut p = addr & !(PAGE_SIZE - 1);
        while p < addr + len {
            let old = self.mem.pages.clear_bits(p, pages::CODE);
            if old & pages::CODE != 0 {
                let _ = self
                    .mem
                    .window
                    .protect(p, PAGE_SIZE, host_prot(old & !pages::CODE));
                self.lock().maps.invalidations.push((p, PAGE_SIZE));
            }
            p += PAGE_SIZE;
        }
    }

    /// Copy guest bytes out.
    pub fn read_bytes(&self, addr: u64, len: usize) -> Result<Vec<u8>, Errno> {
        let src = self.read_ptr(addr, len as u64)?;
        let mut v = vec![0u8; len];
        // SAFETY: `src..src+len` is mapped readable guest memory (checked); `v` has `len` bytes.
        unsafe { std::ptr::copy_nonoverlapping(src, v.as_mut_ptr(), len) };
        Ok(v)
    }

    /// Copy bytes into guest memory.
    pub fn write_bytes(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Errno> {
        let dst = self.write_ptr(addr, bytes.len() as u64)?;
        // SAFETY: `dst..dst+len` is mapped writable guest memory (checked, code pages unprotected).
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len()) };
        Ok(())
    }

    pub fn read_u64(&self, addr: u64) -> Result<u64, Errno> {
        let b = self.read_bytes(addr, 8)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }

    pub fn write_u64(&mut self, addr: u64, v: u64) -> Result<(), Errno> {
        self.write_bytes(addr, &v.to_le_bytes())
    }

    pub fn write_u32(&mut self, addr: u64, v: u32) -> Result<(), Errno> {
        self.write_bytes(addr, &v.to_le_bytes())
    }

    /// A NUL-terminated guest string (without the NUL), at most `max` bytes.
    pub fn read_cstring(&self, addr: u64, max: usize) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        let mut a = addr;
        loop {
            let page_left = (PAGE_SIZE - a % PAGE_SIZE) as usize;
            let chunk = self.read_bytes(a, page_left)?;
            if let Some(nul) = chunk.iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..nul]);
                return Ok(out);
            }
            out.extend_from_slice(&chunk);
            if out.len() > max {
                return Err(Errno::ENAMETOOLONG);
            }
            a = a.checked_add(page_left as u64).ok_or(Errno::EFAULT)?;
        }
    }
}

impl Locked<'_> {
    // ---- primitive bookkeeping -------------------------------------------------------------

    /// Split the region containing `at` (if any) so that a region boundary falls at `at`.
    fn split_at(&mut self, at: u64) {
        let Some((&start, &r)) = self.maps.regions.range(..at).next_back() else {
            return;
        };
        if r.end > at {
            self.maps.regions.insert(start, Region { end: at, ..r });
            self.maps.regions.insert(at, r);
        }
    }

    /// Remove `[start, end)` from the map; stale code there is queued for invalidation.
    fn forget(&mut self, start: u64, end: u64) {
        self.maps
            .labels
            .retain(|l| l.end <= start || end <= l.start);
        self.split_at(start);
        self.split_at(end);
        let inside: Vec<u64> = self
            .maps
            .regions
            .range(start..end)
            .map(|(s, _)| *s)
            .collect();
        let mut had_exec = false;
        for s in inside {
            if let Some(r) = self.maps.regions.remove(&s) {
                had_exec |= r.prot & pages::EXEC != 0;
            }
        }
        if had_exec {
            self.maps.invalidations.push((start, end - start));
        }
        self.set_page_flags(start, end, 0);
    }

    /// Record `[start, end)` as mapped with `prot` (replacing whatever was there).
    fn record(&mut self, start: u64, end: u64, prot: u8) {
        self.forget(start, end);
        self.maps.regions.insert(start, Region { end, prot });
        self.set_page_flags(start, end, pages::MAPPED | prot);
    }

    fn set_page_flags(&self, start: u64, end: u64, flags: u8) {
        let mut p = start;
        while p < end {
            self.mem.pages.set(p, flags);
            p += PAGE_SIZE;
        }
    }

    /// Whether `[start, end)` overlaps no region.
    fn is_free(&self, start: u64, end: u64) -> bool {
        if start >= end || end > self.mem.window.size() {
            return false;
        }
        let before = self.maps.regions.range(..end).next_back();
        before.is_none_or(|(_, r)| r.end <= start)
    }

    /// First free gap of `len` bytes at or above the mmap base.
    fn find_free(&self, len: u64) -> Option<u64> {
        self.find_free_aligned(len, PAGE_SIZE)
    }

    /// First free gap of `len` bytes at or above the mmap base starting at a multiple of
    /// `align` (a power of two, at least a page): where the loader puts an interpreter.
    fn find_free_aligned(&self, len: u64, align: u64) -> Option<u64> {
        if !align.is_power_of_two() || len == 0 {
            return None;
        }
        let up = |v: u64| v.checked_add(align - 1).map(|x| x & !(align - 1));
        let mut cursor = up(self.layout.mmap_base)?;
        for (&s, r) in &self.maps.regions {
            if r.end <= cursor {
                continue;
            }
            if s >= cursor.checked_add(len)? {
                return Some(cursor);
            }
            cursor = up(cursor.max(r.end))?;
        }
        let end = cursor.checked_add(len)?;
        (end <= self.mem.window.size()).then_some(cursor)
    }

    // ---- the guest operations ---------------------------------------------------------------

    /// Map fresh pages at a fixed, page-aligned place (used by the loader and the stack).
    fn map_fixed_anon(&mut self, addr: u64, len: u64, prot: u8) -> Result<(), Errno> {
        let len = page_ceil(len).ok_or(Errno::ENOMEM)?;
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        self.mem
            .window
            .map_anon(addr, len, host_prot(pages::MAPPED | prot))
            .map_err(|_| Errno::ENOMEM)?;
        self.record(addr, end, prot);
        Ok(())
    }

    /// Guest `mmap`. `prot` is the guest's `PROT_*`, `flags` its `MAP_*`.
    fn mmap(
        &mut self,
        addr: u64,
        len: u64,
        prot: u32,
        flags: u32,
        backing: Backing,
    ) -> Result<u64, Errno> {
        if len == 0 || prot & !7 != 0 {
            return Err(Errno::EINVAL);
        }
        let len = page_ceil(len).ok_or(Errno::ENOMEM)?;
        if let Backing::File { offset, .. } = backing {
            if offset < 0 || !(offset as u64).is_multiple_of(PAGE_SIZE) {
                return Err(Errno::EINVAL);
            }
        }
        let fixed = flags & (map_flags::FIXED | map_flags::FIXED_NOREPLACE) != 0;
        let start = if fixed {
            if !addr.is_multiple_of(PAGE_SIZE) {
                return Err(Errno::EINVAL);
            }
            let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
            if end > self.mem.window.size() {
                return Err(Errno::ENOMEM);
            }
            if flags & map_flags::FIXED_NOREPLACE != 0 && !self.is_free(addr, end) {
                return Err(Errno::EEXIST);
            }
            addr
        } else if addr != 0
            && addr.is_multiple_of(PAGE_SIZE)
            && addr.checked_add(len).is_some_and(|e| self.is_free(addr, e))
        {
            addr
        } else {
            self.find_free(len).ok_or(Errno::ENOMEM)?
        };
        let hp = host_prot(pages::MAPPED | prot as u8);
        let w = &self.mem.window;
        let mapped = match backing {
            Backing::Anonymous => w.map_anon(start, len, hp),
            Backing::File { fd, offset, shared } => w.map_file(start, len, hp, shared, fd, offset),
        };
        if let Err(e) = mapped {
            // A failed MAP_FIXED may have destroyed what was there: keep the books honest.
            if fixed {
                let _ = w.unmap(start, len);
                self.forget(start, start + len);
            }
            return Err(Errno(e.raw_os_error().unwrap_or(libc::ENOMEM)));
        }
        self.record(start, start + len, prot as u8);
        Ok(start)
    }

    /// Guest `munmap`.
    fn munmap(&mut self, addr: u64, len: u64) -> Result<(), Errno> {
        if !addr.is_multiple_of(PAGE_SIZE) || len == 0 {
            return Err(Errno::EINVAL);
        }
        let len = page_ceil(len).ok_or(Errno::EINVAL)?;
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        if end > self.mem.window.size() {
            return Err(Errno::EINVAL);
        }
        self.mem
            .window
            .unmap(addr, len)
            .map_err(|_| Errno::EINVAL)?;
        self.forget(addr, end);
        Ok(())
    }

    /// Guest `mprotect`: every page of the range must be mapped (else `ENOMEM`, as Linux).
    fn mprotect(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), Errno> {
        if !addr.is_multiple_of(PAGE_SIZE) || prot & !7 != 0 {
            return Err(Errno::EINVAL);
        }
        let len = page_ceil(len).ok_or(Errno::ENOMEM)?;
        if len == 0 {
            return Ok(());
        }
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        if !self.mem.accessible(addr, len, 0) {
            return Err(Errno::ENOMEM);
        }
        let prot = prot as u8;
        self.split_at(addr);
        self.split_at(end);
        let inside: Vec<u64> = self
            .maps
            .regions
            .range(addr..end)
            .map(|(s, _)| *s)
            .collect();
        for s in inside {
            if let Some(r) = self.maps.regions.get_mut(&s) {
                r.prot = prot;
            }
        }
        self.reprotect_pages(addr, end, prot)
    }

    /// Apply new guest permissions page by page. A page that was executable may hold
    /// translations: if it loses execute permission they are queued for invalidation; if it
    /// stays executable and becomes writable it is marked as a code page (host write-protected)
    /// so a later write invalidates them.
    fn reprotect_pages(&mut self, start: u64, end: u64, prot: u8) -> Result<(), Errno> {
        let mut run_start = start;
        let mut run_prot = None;
        let mut lost_exec: Option<(u64, u64)> = None;
        let mut p = start;
        while p <= end {
            let hp = if p < end {
                let old = self.mem.pages.get(p);
                let was_exec = old & pages::EXEC != 0;
                let code = if !was_exec {
                    0
                } else if prot & pages::EXEC == 0 {
                    lost_exec =
                        Some(lost_exec.map_or((p, p + PAGE_SIZE), |(s, _)| (s, p + PAGE_SIZE)));
                    0
                } else if prot & pages::WRITE != 0 {
                    pages::CODE
                } else {
                    old & pages::CODE
                };
                let flags = pages::MAPPED | prot | code;
                self.mem.pages.set(p, flags);
                Some(host_prot(flags))
            } else {
                None
            };
            if hp != run_prot {
                if let Some(rp) = run_prot {
                    self.mem
                        .window
                        .protect(run_start, p - run_start, rp)
                        .map_err(|_| Errno::ENOMEM)?;
                }
                run_start = p;
                run_prot = hp;
            }
            p += PAGE_SIZE;
        }
        if let Some((s, e)) = lost_exec {
            self.maps.invalidations.push((s, e - s));
        }
        Ok(())
    }

    /// Guest `mremap` (`MREMAP_MAYMOVE` = 1, `MREMAP_FIXED` = 2).
    fn mremap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u32,
        new_addr: u64,
    ) -> Result<u64, Errno> {
        const MAYMOVE: u32 = 1;
        const FIXED: u32 = 2;
        if !old.is_multiple_of(PAGE_SIZE) || new_len == 0 || flags & !(MAYMOVE | FIXED) != 0 {
            return Err(Errno::EINVAL);
        }
        let old_len = page_ceil(old_len).ok_or(Errno::EINVAL)?;
        let new_len = page_ceil(new_len).ok_or(Errno::ENOMEM)?;
        if !self.mem.accessible(old, old_len.max(PAGE_SIZE), 0) {
            return Err(Errno::EFAULT);
        }
        let prot = self.mem.pages.get(old) & pages::PROT_MASK;
        if flags & FIXED == 0 {
            if new_len <= old_len {
                if new_len < old_len {
                    self.munmap(old + new_len, old_len - new_len)?;
                }
                return Ok(old);
            }
            let grown_end = old.checked_add(new_len).ok_or(Errno::ENOMEM)?;
            if self.is_free(old + old_len, grown_end) {
                self.map_fixed_anon(old + old_len, new_len - old_len, prot)?;
                return Ok(old);
            }
            if flags & MAYMOVE == 0 {
                return Err(Errno::ENOMEM);
            }
        } else if flags & MAYMOVE == 0 || !new_addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let target = if flags & FIXED != 0 {
            let end = new_addr.checked_add(new_len).ok_or(Errno::EINVAL)?;
            if end > self.mem.window.size() || (new_addr < old + old_len && old < end) {
                return Err(Errno::EINVAL);
            }
            new_addr
        } else {
            self.find_free(new_len).ok_or(Errno::ENOMEM)?
        };
        self.move_pages(old, old_len, target, new_len, prot)?;
        Ok(target)
    }

    /// Move a mapping with host `mremap` (contents and file backing kept), re-reserving the hole.
    fn move_pages(
        &mut self,
        old: u64,
        old_len: u64,
        target: u64,
        new_len: u64,
        prot: u8,
    ) -> Result<(), Errno> {
        let w = &self.mem.window;
        // SAFETY: both ranges are page aligned and inside our reservation; MREMAP_FIXED replaces
        // only reserved window pages at the target.
        let r = unsafe {
            libc::mremap(
                w.host_ptr(old).cast(),
                old_len as usize,
                new_len as usize,
                libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                w.host_ptr(target),
            )
        };
        if r == libc::MAP_FAILED {
            return Err(Errno::last());
        }
        // The source range is now a hole in the reservation: reserve it again.
        w.unmap(old, old_len).map_err(|_| Errno::ENOMEM)?;
        self.forget(old, old + old_len);
        self.record(target, target + new_len, prot);
        Ok(())
    }

    /// Guest `brk`: returns the new break, or the old one when the request cannot be met.
    pub fn brk(&mut self, want: u64) -> u64 {
        if want < self.maps.brk_start {
            return self.maps.brk;
        }
        let (Some(old_top), Some(new_top)) = (page_ceil(self.maps.brk), page_ceil(want)) else {
            return self.maps.brk;
        };
        if new_top > old_top {
            let rw = pages::READ | pages::WRITE;
            if !self.is_free(old_top, new_top)
                || self.map_fixed_anon(old_top, new_top - old_top, rw).is_err()
            {
                return self.maps.brk;
            }
        } else if new_top < old_top && self.munmap(new_top, old_top - new_top).is_err() {
            return self.maps.brk;
        }
        self.maps.brk = want;
        self.maps.brk
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::{EXEC, READ, WRITE};

    fn space() -> AddressSpace {
        AddressSpace::new(Layout {
            window_bits: 36,
            mmap_base: 0x1000_0000,
            ..Layout::default()
        })
        .unwrap()
    }

    const ANON: u32 = map_flags::PRIVATE | map_flags::ANONYMOUS;

    #[test]
    fn placement_is_first_fit_from_the_base() {
        let mut s = space();
        let a = s.mmap(0, 0x3000, 3, ANON, Backing::Anonymous).unwrap();
        let b = s.mmap(0, 0x1000, 3, ANON, Backing::Anonymous).unwrap();
        assert_eq!(a, 0x1000_0000);
        assert_eq!(b, 0x1000_3000);
        s.munmap(a, 0x3000).unwrap();
        let c = s.mmap(0, 0x2000, 3, ANON, Backing::Anonymous).unwrap();
        assert_eq!(c, a, "freed space is reused");
        let d = s.mmap(0, 0x2000, 3, ANON, Backing::Anonymous).unwrap();
        assert_eq!(d, 0x1000_4000, "too big for the 0x1000 hole left");
        // A free hint is honoured; a taken one is not.
        assert_eq!(
            s.mmap(0x5000_0000, 0x1000, 3, ANON, Backing::Anonymous)
                .unwrap(),
            0x5000_0000
        );
        assert_eq!(
            s.mmap(b, 0x1000, 3, ANON, Backing::Anonymous).unwrap(),
            0x1000_2000
        );
    }

    #[test]
    fn aligned_placement_skips_taken_and_misaligned_space() {
        let mut s = space();
        assert_eq!(s.find_free_aligned(0x3000, 0x10000), Some(0x1000_0000));
        s.mmap(0, 0x1000, 3, ANON, Backing::Anonymous).unwrap();
        assert_eq!(s.find_free_aligned(0x3000, 0x10000), Some(0x1001_0000));
        assert_eq!(s.find_free_aligned(0x3000, PAGE_SIZE), Some(0x1000_1000));
        assert_eq!(
            s.find_free_aligned(0x3000, 0x3000),
            None,
            "not a power of two"
        );
        assert_eq!(s.find_free_aligned(1 << 40, PAGE_SIZE), None, "too big");
    }

    #[test]
    fn munmap_splits_regions() {
        let mut s = space();
        let a = s.mmap(0, 0x5000, 3, ANON, Backing::Anonymous).unwrap();
        s.write_bytes(a + 0x4ff8, &[9; 8]).unwrap();
        s.munmap(a + 0x1000, 0x2000).unwrap();
        let r: Vec<_> = s.regions().collect();
        assert_eq!(
            r,
            vec![
                (
                    a,
                    Region {
                        end: a + 0x1000,
                        prot: 3
                    }
                ),
                (
                    a + 0x3000,
                    Region {
                        end: a + 0x5000,
                        prot: 3
                    }
                )
            ]
        );
        assert_eq!(s.read_bytes(a + 0x1000, 1), Err(Errno::EFAULT));
        assert_eq!(
            s.read_bytes(a + 0x4ff8, 8).unwrap(),
            vec![9; 8],
            "contents kept"
        );
        assert_eq!(
            s.read_bytes(a + 0xff8, 16),
            Err(Errno::EFAULT),
            "spans the hole"
        );
    }

    #[test]
    fn mprotect_changes_guest_and_host_permissions() {
        let mut s = space();
        let a = s.mmap(0, 0x3000, 3, ANON, Backing::Anonymous).unwrap();
        s.mprotect(a + 0x1000, 0x1000, 1).unwrap();
        assert_eq!(s.write_bytes(a + 0x1000, &[1]), Err(Errno::EFAULT));
        assert!(s.write_bytes(a + 0x2000, &[1]).is_ok());
        assert_eq!(s.regions().count(), 3);
        assert_eq!(
            s.mprotect(a + 0x3000, 0x1000, 1),
            Err(Errno::ENOMEM),
            "unmapped"
        );
        // The page flags the fault handler and the code fetcher read:
        assert_eq!(s.mem.pages.get(a + 0x1000), pages::MAPPED | READ);
        s.mprotect(a, 0x3000, 5).unwrap();
        assert_eq!(s.mem.pages.get(a + 0x2000), pages::MAPPED | READ | EXEC);
        assert!(s.take_invalidations().is_empty());
        s.mprotect(a, 0x2000, 3).unwrap();
        assert_eq!(
            s.take_invalidations(),
            vec![(a, 0x2000)],
            "W^X: RX -> RW drops code"
        );
        s.mprotect(a + 0x2000, 0x1000, 7).unwrap();
        let rwx_code = pages::MAPPED | READ | WRITE | EXEC | pages::CODE;
        assert_eq!(
            s.mem.pages.get(a + 0x2000),
            rwx_code,
            "executable turned writable: guarded"
        );
        assert_eq!(
            s.write_bytes(a + 0x2000, &[1]),
            Ok(()),
            "syscall writes unprotect"
        );
        assert_eq!(s.take_invalidations(), vec![(a + 0x2000, 0x1000)]);
        s.munmap(a, 0x3000).unwrap();
        assert_eq!(
            s.take_invalidations(),
            vec![(a, 0x3000)],
            "executable range dropped"
        );
    }

    #[test]
    fn brk_grows_and_shrinks() {
        let mut s = space();
        s.init_brk(0x20000);
        assert_eq!(s.brk(0), 0x20000);
        assert_eq!(s.brk(0x21800), 0x21800);
        s.write_bytes(0x217ff, &[1]).unwrap();
        s.write_bytes(0x21fff, &[1]).unwrap();
        assert_eq!(s.brk(0x20010), 0x20010);
        assert_eq!(s.read_bytes(0x21000, 1), Err(Errno::EFAULT));
        // Blocked by another mapping: the break stays.
        s.mmap(
            0x30000,
            0x1000,
            3,
            ANON | map_flags::FIXED,
            Backing::Anonymous,
        )
        .unwrap();
        assert_eq!(s.brk(0x40000), 0x20010);
    }

    #[test]
    fn mremap_grows_in_place_or_moves() {
        let mut s = space();
        let a = s.mmap(0, 0x2000, 3, ANON, Backing::Anonymous).unwrap();
        s.write_bytes(a, b"hello").unwrap();
        assert_eq!(s.mremap(a, 0x2000, 0x4000, 0, 0).unwrap(), a);
        let _b = s.mmap(0, 0x1000, 3, ANON, Backing::Anonymous).unwrap();
        assert_eq!(s.mremap(a, 0x4000, 0x8000, 0, 0), Err(Errno::ENOMEM));
        assert_eq!(s.mremap(a, 0x4000, u64::MAX - 5, 0, 0), Err(Errno::ENOMEM));
        let c = s.mremap(a, 0x4000, 0x8000, 1, 0).unwrap();
        assert_ne!(c, a);
        assert_eq!(s.read_bytes(c, 5).unwrap(), b"hello");
        assert_eq!(s.read_bytes(a, 1), Err(Errno::EFAULT));
        assert!(s.write_bytes(c + 0x7fff, &[1]).is_ok());
    }

    #[test]
    fn fixed_noreplace_and_bad_arguments() {
        let mut s = space();
        let a = s.mmap(0, 0x1000, 3, ANON, Backing::Anonymous).unwrap();
        let nr = ANON | map_flags::FIXED_NOREPLACE;
        assert_eq!(
            s.mmap(a, 0x1000, 3, nr, Backing::Anonymous),
            Err(Errno::EEXIST)
        );
        assert_eq!(
            s.mmap(0, 0, 3, ANON, Backing::Anonymous),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            s.mmap(
                a + 1,
                0x1000,
                3,
                ANON | map_flags::FIXED,
                Backing::Anonymous
            ),
            Err(Errno::EINVAL)
        );
        assert_eq!(s.munmap(a + 1, 0x1000), Err(Errno::EINVAL));
        s.write_bytes(a + 0xfff, b"x").unwrap();
        assert_eq!(
            s.read_cstring(a + 0xfff, 100),
            Err(Errno::EFAULT),
            "runs off the mapping"
        );
        s.write_bytes(a, b"abc\0").unwrap();
        assert_eq!(s.read_cstring(a, 100).unwrap(), b"abc");
    }
}
