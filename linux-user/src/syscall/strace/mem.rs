//! `-strace` decoding of what syscall arguments point to in guest memory (strings, time
//! structs, `siginfo_t`, argv, socket addresses), in qemu 7.2's format. Every read goes through
//! the checked [`AddressSpace`] accessors: an unreadable pointer gives `None` (the caller then
//! prints the pointer, as qemu does) and never faults or panics.

use super::names;
use crate::memory::AddressSpace;

/// Longest guest string read (longer ones print as a pointer).
const MAX_STRING: usize = 1 << 20;

/// qemu's `print_pointer`: `NULL` or `0x%016x`.
pub fn pointer(v: u64) -> String {
    match v {
        0 => "NULL".to_string(),
        _ => format!("0x{v:016x}"),
    }
}

/// A NUL-terminated guest string (lossy UTF-8, unescaped as qemu prints it).
pub fn string(space: &AddressSpace, addr: u64) -> Option<String> {
    let bytes = space.read_cstring(addr, MAX_STRING).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// A string argument: `"text"`, or the pointer when unreadable.
pub fn quoted_or_pointer(space: &AddressSpace, addr: u64) -> String {
    string(space, addr).map_or_else(|| pointer(addr), |s| format!("\"{s}\""))
}

fn read_array<const N: usize>(space: &AddressSpace, addr: u64) -> Option<[u8; N]> {
    space.read_bytes(addr, N).ok()?.try_into().ok()
}

/// Little-endian fields of a struct read from guest memory.
struct Fields<const N: usize>([u8; N]);

impl<const N: usize> Fields<N> {
    fn read(space: &AddressSpace, addr: u64) -> Option<Self> {
        read_array(space, addr).map(Fields)
    }

    fn i64(&self, off: usize) -> i64 {
        let b = self.0.get(off..off + 8).and_then(|s| s.try_into().ok());
        i64::from_le_bytes(b.unwrap_or_default())
    }

    fn i32(&self, off: usize) -> i32 {
        let b = self.0.get(off..off + 4).and_then(|s| s.try_into().ok());
        i32::from_le_bytes(b.unwrap_or_default())
    }
}

pub fn int_at(space: &AddressSpace, addr: u64) -> Option<i32> {
    read_array::<4>(space, addr).map(i32::from_le_bytes)
}

/// `NULL`, the struct shown by `show`, or the pointer when unreadable.
fn struct_at<const N: usize>(
    space: &AddressSpace,
    addr: u64,
    show: impl FnOnce(&Fields<N>) -> String,
) -> String {
    if addr == 0 {
        return "NULL".to_string();
    }
    Fields::<N>::read(space, addr).map_or_else(|| pointer(addr), |f| show(&f))
}

/// `struct timespec`: `{tv_sec = S,tv_nsec = N}`.
pub fn timespec(space: &AddressSpace, addr: u64) -> String {
    struct_at::<16>(space, addr, |f| {
        format!("{{tv_sec = {},tv_nsec = {}}}", f.i64(0), f.i64(8))
    })
}

/// `struct timeval`: `{tv_sec = S,tv_usec = U}`.
pub fn timeval(space: &AddressSpace, addr: u64) -> String {
    struct_at::<16>(space, addr, |f| {
        format!("{{tv_sec = {},tv_usec = {}}}", f.i64(0), f.i64(8))
    })
}

/// `struct timezone`: `{minuteswest,dsttime}`.
pub fn timezone(space: &AddressSpace, addr: u64) -> String {
    struct_at::<8>(space, addr, |f| format!("{{{},{}}}", f.i32(0), f.i32(4)))
}

/// `struct itimerval`, with qemu's stray commas: `{it_interval={..},it_value={..},}`.
pub fn itimerval(space: &AddressSpace, addr: u64) -> String {
    if addr == 0 {
        return "NULL".to_string();
    }
    format!(
        "{{it_interval={},it_value={},}}",
        timeval(space, addr),
        timeval(space, addr.wrapping_add(16))
    )
}

const SI_CODES: &[(i32, &str)] = &[
    (0, "SI_USER"),
    (0x80, "SI_KERNEL"),
    (-1, "SI_QUEUE"),
    (-2, "SI_TIMER"),
    (-3, "SI_MESGQ"),
    (-4, "SI_ASYNCIO"),
    (-5, "SI_SIGIO"),
    (-6, "SI_TKILL"),
];

const SIGCHLD: i32 = 17;
const SIGIO: i32 = 29;

/// `siginfo_t` as qemu's `print_siginfo` shows it; `None` when unreadable. Which union member
/// is shown follows qemu's guess from `si_code` and the signal.
pub fn siginfo(space: &AddressSpace, addr: u64) -> Option<String> {
    Fields::<128>::read(space, addr).map(|f| siginfo_text(&f))
}

/// A `siginfo_t` held by the emulator (a signal being delivered), shown as [`siginfo`] does.
pub fn siginfo_bytes(b: &[u8; 128]) -> String {
    siginfo_text(&Fields(*b))
}

fn siginfo_text(f: &Fields<128>) -> String {
    let (signo, code) = (f.i32(0), f.i32(8));
    let shown_code = i32::from(code as i16);
    let code_name = SI_CODES
        .iter()
        .find(|c| c.0 == shown_code)
        .map_or_else(|| shown_code.to_string(), |c| c.1.to_string());
    let (pid, uid) = (f.i32(16) as u32, f.i32(20) as u32);
    let detail = if [0, -6, 0x80].contains(&code) {
        format!(", si_pid={pid}, si_uid={uid}")
    } else if signo == SIGCHLD {
        format!(
            ", si_pid={pid}, si_uid={uid}, si_status={}, si_utime={}, si_stime={}",
            f.i32(24),
            f.i64(32),
            f.i64(40)
        )
    } else if signo == SIGIO {
        format!(", si_band={}, si_fd={}", f.i64(16) as i32, f.i32(24))
    } else {
        format!(", si_pid={pid}, si_uid={uid}, si_sigval={}", f.i64(24))
    };
    format!(
        "{{si_signo={}, si_code={code_name}{detail}}}",
        names::signal(i64::from(signo) as u64)
    )
}

/// The `len` bytes of NUL-terminated strings at `addr` (listxattr's result), `"a","b"`, or
/// `NULL`; stops at the first unreadable string (shown as a pointer).
pub fn string_list(space: &AddressSpace, addr: u64, len: u64) -> String {
    if addr == 0 {
        return "NULL".to_string();
    }
    let mut items = Vec::new();
    let (mut at, mut left) = (addr, len);
    while left > 0 {
        let Ok(bytes) = space.read_cstring(at, MAX_STRING) else {
            items.push(pointer(at));
            break;
        };
        items.push(format!("\"{}\"", String::from_utf8_lossy(&bytes)));
        let step = bytes.len() as u64 + 1;
        left = left.saturating_sub(step);
        at = at.wrapping_add(step);
    }
    items.join(",")
}

/// `execve`'s argv as qemu 7.2 shows it: `{"a","b",NULL}`; the `bool` is false when a slot of
/// the array was unreadable (qemu stops the line there). Unreadable strings are skipped.
pub fn argv(space: &AddressSpace, addr: u64) -> (String, bool) {
    let mut out = String::from("{");
    let mut slot = addr;
    loop {
        let Some(p) = read_array::<8>(space, slot).map(u64::from_le_bytes) else {
            return (out, false);
        };
        if p == 0 {
            out.push_str("NULL}");
            return (out, true);
        }
        if let Some(s) = string(space, p) {
            out.push_str(&format!("\"{s}\","));
        }
        match slot.checked_add(8) {
            Some(next) => slot = next,
            None => return (out, false),
        }
    }
}

/// Longest socket address decoded.
const MAX_SOCKADDR: usize = 128;

/// A `struct sockaddr` of `len` bytes as qemu's `print_sockaddr` shows it; `None` when the
/// `len` bytes are not readable.
pub fn sockaddr(space: &AddressSpace, addr: u64, len: u64) -> Option<String> {
    space.read_ptr(addr, len).ok()?;
    let mut b = space
        .read_bytes(addr, (len as usize).min(MAX_SOCKADDR))
        .ok()?;
    b.resize(MAX_SOCKADDR, 0);
    let family = u16::from_le_bytes([b[0], b[1]]);
    Some(match family {
        1 => {
            let path_len = (len as usize).saturating_sub(2).min(MAX_SOCKADDR - 2);
            let path: Vec<u8> = b[2..2 + path_len]
                .iter()
                .copied()
                .take_while(|&c| c != 0)
                .collect();
            format!(
                "{{sun_family=AF_UNIX,sun_path=\"{}\"}}",
                String::from_utf8_lossy(&path)
            )
        }
        2 => format!(
            "{{sin_family=AF_INET,sin_port=htons({}),sin_addr=inet_addr(\"{}.{}.{}.{}\")}}",
            u16::from_be_bytes([b[2], b[3]]),
            b[4],
            b[5],
            b[6],
            b[7]
        ),
        16 => format!(
            "{{nl_family=AF_NETLINK,nl_pid={},nl_groups={}}}",
            u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            u32::from_le_bytes([b[8], b[9], b[10], b[11]])
        ),
        _ => {
            // sa_data is `char`: qemu's `%02x` shows bytes >= 0x80 sign-extended.
            let data: Vec<String> = b[2..16]
                .iter()
                .map(|&c| format!("{:02x}", i32::from(c as i8) as u32))
                .collect();
            format!("{{sa_family={family}, sa_data={{{}}}}}", data.join(", "))
        }
    })
}
