//! Event-notification syscalls: epoll, eventfd, timerfd (guest↔host struct translation where
//! layouts differ, e.g. `struct epoll_event`).

use super::Syscall;

/// The event syscalls of the generic table (asm-generic/unistd.h numbers).
pub static SYSCALLS: &[Syscall] = &[];
