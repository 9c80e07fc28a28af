//! `-strace` lines in qemu-user's shape: `PID name(args)` before the call and ` = result`
//! after it (`-1 errno=N (text)` for errors).

use super::Syscall;
use crate::errno::{Errno, SysResult};
use crate::memory::AddressSpace;

/// The first half of a line, written before the call (so calls that never return, like
/// `exit_group`, are logged too). `space` is there to decode guest strings and structs.
pub fn call_line(
    pid: i32,
    nr: u64,
    row: Option<&Syscall>,
    args: &[u64; 6],
    _space: &AddressSpace,
) -> String {
    let name = row.map_or_else(|| format!("Unknown syscall {nr}"), |s| s.name.to_string());
    let args: Vec<String> = args.iter().map(|a| format!("{a:#x}")).collect();
    format!("{pid} {name}({})", args.join(","))
}

/// The second half: ` = result`.
pub fn result_line(_nr: u64, result: SysResult) -> String {
    match result {
        Ok(v) => format!(" = {}", v as i64),
        Err(Errno(e)) => {
            let text = std::io::Error::from_raw_os_error(e).to_string();
            let text = text.split(" (os error").next().unwrap_or_default();
            format!(" = -1 errno={e} ({text})")
        }
    }
}
