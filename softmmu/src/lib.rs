//! emu-softmmu: guest physical memory, address spaces, memory regions, the PIO/MMIO bus and the
//! soft-TLB layout used by system mode. Not built yet: system mode is a later issue.
