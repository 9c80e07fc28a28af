//! Socket syscalls (socket, bind, connect, accept4, send/recv families, socket options),
//! with guest↔host struct translation where layouts differ.

use super::Syscall;

/// The socket syscalls of the generic table (asm-generic/unistd.h numbers).
pub static SYSCALLS: &[Syscall] = &[];
