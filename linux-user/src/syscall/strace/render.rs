//! Turning a syscall's raw arguments and result into qemu 7.2's `-strace` text, one argument
//! kind ([`Arg`]) or result kind ([`Ret`]) at a time.

use super::mem;
use super::names::{self, FcntlArg, IoctlArg};
use super::table::{self, Arg, Ret};
use crate::arch::ArchInfo;
use crate::memory::AddressSpace;

/// What the decoders look at.
pub struct Ctx<'a> {
    pub args: &'a [u64; 6],
    pub space: &'a AddressSpace,
    pub arch: &'a ArchInfo,
}

impl Ctx<'_> {
    fn arg(&self, i: usize) -> u64 {
        self.args.get(i).copied().unwrap_or(0)
    }
}

/// One rendered argument.
#[derive(Debug, PartialEq, Eq)]
pub enum Part {
    Text(String),
    /// Not shown (e.g. the `open` mode without `O_CREAT`).
    Omit,
    /// Shown, and the line stops there without the closing parenthesis.
    End(String),
    /// Nothing of the call is shown.
    Abort,
}

/// printf `%p`: `(nil)` or `0x..`.
fn host_ptr(v: u64) -> String {
    match v {
        0 => "(nil)".to_string(),
        _ => format!("{v:#x}"),
    }
}

fn at_fd(v: u64) -> String {
    match v as i64 {
        -100 => "AT_FDCWD".to_string(),
        _ => (v as i32).to_string(),
    }
}

fn text(s: String) -> Part {
    Part::Text(s)
}

/// Render the argument kind `kind` whose first argument is number `i`.
pub fn arg(ctx: &Ctx, kind: Arg, i: usize) -> Part {
    let v = ctx.arg(i);
    let prev = i.checked_sub(1).map_or(0, |p| ctx.arg(p));
    match kind {
        Arg::Int => text((v as i32).to_string()),
        Arg::UInt => text((v as u32).to_string()),
        Arg::Long => text((v as i64).to_string()),
        Arg::ULong => text(v.to_string()),
        Arg::Hex => text(names::hex32(v)),
        Arg::Oct => text(names::oct32(v)),
        Arg::HostPtr => text(host_ptr(v)),
        Arg::Ptr => text(mem::pointer(v)),
        Arg::Str => text(mem::quoted_or_pointer(ctx.space, v)),
        Arg::AtFd => text(at_fd(v)),
        Arg::Mode => text(names::file_mode(v)),
        Arg::Flags(table) => text(names::flags(table, v)),
        Arg::OpenFlags => text(names::open_flags(ctx.arch, v)),
        Arg::IfCreat(flags, inner) if ctx.arg(flags) & names::O_CREAT != 0 => arg(ctx, *inner, i),
        Arg::Dev if names::mode_has_dev(prev) => text(names::makedev(v)),
        Arg::IfCreat(..) | Arg::Dev => Part::Omit,
        Arg::Enum(table) => text(names::enumerated(table, v)),
        Arg::NamedLong(table) => text(named_or(table, v, &(v as i64).to_string())),
        Arg::IpcCmd => text(named_or(names::IPC_CMDS, v & 0xff, &(v as u8).to_string())),
        Arg::Hex64 => text(format!("0x{v:016x}")),
        Arg::Signal => text(names::signal(v)),
        Arg::Whence => text(names::enumerated(names::WHENCE, v)),
        Arg::SigHow => text(named_or(names::SIG_HOW, v, "UNKNOWN")),
        Arg::Timespec => text(mem::timespec(ctx.space, v)),
        Arg::Timeval => text(mem::timeval(ctx.space, v)),
        Arg::Timezone => text(mem::timezone(ctx.space, v)),
        Arg::Itimerval => text(mem::itimerval(ctx.space, v)),
        Arg::Siginfo => text(mem::siginfo(ctx.space, v).unwrap_or_else(|| mem::pointer(v))),
        Arg::CloneFlags => text(names::flags(names::CLONE_FLAGS, u64::from(v as u32))),
        Arg::Field(name) => text(format!("{name}=0x{v:016x}")),
        Arg::Fcntl => text(fcntl(ctx, v, ctx.arg(i + 1))),
        Arg::Ioctl => text(ioctl(ctx, v, ctx.arg(i + 1))),
        Arg::Futex => text(futex(ctx, i)),
        Arg::ExecPath => {
            mem::string(ctx.space, v).map_or(Part::Abort, |s| text(format!("\"{s}\"")))
        }
        Arg::Argv => match mem::argv(ctx.space, v) {
            (s, true) => text(s),
            (s, false) => Part::End(s),
        },
        Arg::Socket => text(socket(v, ctx.arg(i + 1), ctx.arg(i + 2))),
        Arg::Sockaddr => text(sockaddr(ctx, v, ctx.arg(i + 1))),
        Arg::IntPtr => text(int_ptr(ctx, v)),
    }
}

fn named_or(table: &[names::Named], v: u64, other: &str) -> String {
    names::name(table, v).unwrap_or(other).to_string()
}

/// qemu's `print_number`: `NULL` or `[int]` (the pointer when unreadable).
fn int_ptr(ctx: &Ctx, v: u64) -> String {
    if v == 0 {
        return "NULL".to_string();
    }
    mem::int_at(ctx.space, v).map_or_else(|| mem::pointer(v), |n| format!("[{n}]"))
}

fn fcntl(ctx: &Ctx, cmd: u64, a: u64) -> String {
    let Some((name, kind)) = table::fcntl_cmd(cmd) else {
        return format!("{},{}", cmd as i64, mem::pointer(a));
    };
    match kind {
        FcntlArg::None => name.to_string(),
        FcntlArg::Long => format!("{name},{}", a as i64),
        FcntlArg::LongComma => format!("{name},{},", a as i64),
        FcntlArg::Pointer => format!("{name},{}", mem::pointer(a)),
        FcntlArg::OpenFlags => format!("{name},{}", names::open_flags(ctx.arch, a)),
    }
}

fn ioctl(ctx: &Ctx, cmd: u64, a: u64) -> String {
    let Some((name, kind)) = table::ioctl_cmd(cmd) else {
        return format!("{},{}", names::hex32(cmd), names::hex32(a));
    };
    match kind {
        IoctlArg::None => name.to_string(),
        IoctlArg::Int => format!("{name},{}", a as i32),
        IoctlArg::Out | IoctlArg::OutInt | IoctlArg::InStruct => {
            format!("{name},{}", mem::pointer(a))
        }
        IoctlArg::InInt => format!("{name},{}", int_or_pointer(ctx, a)),
    }
}

fn int_or_pointer(ctx: &Ctx, a: u64) -> String {
    mem::int_at(ctx.space, a).map_or_else(|| mem::pointer(a), |n| n.to_string())
}

const FUTEX_NAMES: [&str; 14] = [
    "FUTEX_WAIT",
    "FUTEX_WAKE",
    "FUTEX_FD",
    "FUTEX_REQUEUE",
    "FUTEX_CMP_REQUEUE",
    "FUTEX_WAKE_OP",
    "FUTEX_LOCK_PI",
    "FUTEX_UNLOCK_PI",
    "FUTEX_TRYLOCK_PI",
    "FUTEX_WAIT_BITSET",
    "FUTEX_WAKE_BITSET",
    "FUTEX_WAIT_REQUEUE_PI",
    "FUTEX_CMP_REQUEUE_PI",
    "FUTEX_LOCK_PI2",
];
const FUTEX_PRIVATE_FLAG: u64 = 128;
const FUTEX_CLOCK_REALTIME: u64 = 256;
/// The ops whose fourth argument is a timeout (WAIT, LOCK_PI, WAIT_BITSET, WAIT_REQUEUE_PI,
/// LOCK_PI2).
const FUTEX_TIMEOUT_OPS: [u64; 5] = [0, 6, 9, 11, 13];

fn futex_op(op: u64) -> String {
    let cmd = u64::from(op as u32);
    let base = cmd & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    let Some(name) = usize::try_from(base).ok().and_then(|b| FUTEX_NAMES.get(b)) else {
        return format!("0x{cmd:x}");
    };
    let private = if cmd & FUTEX_PRIVATE_FLAG != 0 {
        "FUTEX_PRIVATE_FLAG|"
    } else {
        ""
    };
    let realtime = if cmd & FUTEX_CLOCK_REALTIME != 0 {
        "FUTEX_CLOCK_REALTIME|"
    } else {
        ""
    };
    format!("{private}{realtime}{name}")
}

/// futex's op, val, timeout and uaddr2, then uaddr2 again as `%d` (qemu 7.2 never shows val3).
fn futex(ctx: &Ctx, i: usize) -> String {
    let (op, val, timeout, uaddr2) = (ctx.arg(i), ctx.arg(i + 1), ctx.arg(i + 2), ctx.arg(i + 3));
    let timeout =
        if FUTEX_TIMEOUT_OPS.contains(&(op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))) {
            mem::timespec(ctx.space, timeout)
        } else {
            mem::pointer(timeout)
        };
    format!(
        "{},{},{timeout},{},{}",
        futex_op(op),
        val as i32,
        mem::pointer(uaddr2),
        uaddr2 as i32
    )
}

const AF_INET: i32 = 2;
const AF_NETLINK: i32 = 16;
const AF_PACKET: i32 = 17;
const SOCK_PACKET: i32 = 10;
const SOCK_TYPE_MASK: i32 = 0xf;
const SOCK_CLOEXEC: i32 = 0o2000000;
const SOCK_NONBLOCK: i32 = 0o4000;

fn named_or_decimal(table: &[names::Named], v: i32) -> String {
    named_or(table, i64::from(v) as u64, &v.to_string())
}

/// `socket(domain,type,protocol)` as qemu's `print_socket` shows it.
fn socket(domain: u64, ty: u64, protocol: u64) -> String {
    let (domain, ty, protocol) = (domain as i32, ty as i32, protocol as i32);
    let mut kind = named_or(
        names::SOCK_TYPES,
        u64::from((ty & SOCK_TYPE_MASK) as u32),
        "",
    );
    if ty & SOCK_CLOEXEC != 0 {
        kind.push_str("|SOCK_CLOEXEC");
    }
    if ty & SOCK_NONBLOCK != 0 {
        kind.push_str("|SOCK_NONBLOCK");
    }
    let protocol = if domain == AF_PACKET || (domain == AF_INET && ty == SOCK_PACKET) {
        match protocol {
            3 => "ETH_P_ALL".to_string(),
            p => p.to_string(),
        }
    } else if domain == AF_NETLINK {
        named_or_decimal(names::NETLINK_PROTOCOLS, protocol)
    } else {
        named_or_decimal(names::IP_PROTOCOLS, protocol)
    };
    format!(
        "{},{kind},{protocol}",
        named_or_decimal(names::SOCK_DOMAINS, domain)
    )
}

/// A socket address and its length, with qemu 7.2's `, len` (and its doubled comma after an
/// unreadable address).
fn sockaddr(ctx: &Ctx, addr: u64, len: u64) -> String {
    match mem::sockaddr(ctx.space, addr, len) {
        Some(s) => format!("{s}, {}", len as i64),
        None => format!("0x{addr:016x},, {}", len as i64),
    }
}

/// The result text after the call: ` = value` (plus decoded output structs), or
/// ` = -1 errno=N (text)`, and the end of the line.
pub fn result(ctx: &Ctx, ret: Ret, value: u64) -> String {
    match ret {
        Ret::Silent => return String::new(),
        Ret::NoReturn => return "\n".to_string(),
        _ => {}
    }
    let signed = value as i64;
    if (-4096..0).contains(&signed) {
        return format!(" = -1 errno={} ({})\n", -signed, strerror(-signed as i32));
    }
    if ret == Ret::Addr {
        return format!(" = 0x{value:016x}\n");
    }
    format!(" = {signed}{}\n", result_detail(ctx, ret, value))
}

/// What some calls show after a successful result: the structs they wrote.
fn result_detail(ctx: &Ctx, ret: Ret, value: u64) -> String {
    let space = ctx.space;
    match ret {
        Ret::Timespec => format!(" ({})", mem::timespec(space, ctx.arg(1))),
        Ret::Timeofday => format!(
            " ({},{})",
            mem::timeval(space, ctx.arg(0)),
            mem::timezone(space, ctx.arg(1))
        ),
        Ret::Itimer => format!(" ({})", mem::itimerval(space, ctx.arg(1))),
        Ret::OldItimer => format!(" (old_value = {})", mem::itimerval(space, ctx.arg(2))),
        Ret::XattrList => format!(" (list = {})", mem::string_list(space, ctx.arg(1), value)),
        Ret::Ioctl => ioctl_result(ctx),
        Ret::Dec | Ret::Addr | Ret::NoReturn | Ret::Silent => String::new(),
    }
}

/// ` (int)` for the ioctls that write an `int`.
fn ioctl_result(ctx: &Ctx) -> String {
    match table::ioctl_cmd(ctx.arg(1)) {
        Some((_, IoctlArg::OutInt)) => format!(" ({})", int_or_pointer(ctx, ctx.arg(2))),
        _ => String::new(),
    }
}

/// The host's `strerror` text for `errno` (what qemu prints).
pub fn strerror(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    match text.rfind(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}
