//! Test support: building small riscv64 guest programs with the cross compiler.

use std::path::PathBuf;
use std::process::Command;

/// A guest executable in a temp dir that is removed on drop.
#[derive(Debug)]
pub struct GuestExe {
    dir: PathBuf,
    pub exe: PathBuf,
}

impl Drop for GuestExe {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Compile C `source` with `riscv64-linux-gnu-gcc -O2 extra...` into a fresh temp dir; `None`
/// (with a printed reason) when the cross compiler is missing or fails.
pub fn build_guest(source: &str, extra: &[&str]) -> Option<GuestExe> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "emu-lu-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).ok()?;
    let src = dir.join("prog.c");
    let exe = dir.join("prog");
    std::fs::write(&src, source).ok()?;
    let guard = GuestExe {
        dir: dir.clone(),
        exe: exe.clone(),
    };
    let out = Command::new("riscv64-linux-gnu-gcc")
        .arg("-O2")
        .args(extra)
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .output();
    match out {
        Ok(o) if o.status.success() => Some(guard),
        Ok(o) => {
            eprintln!(
                "skipped: riscv64-linux-gnu-gcc failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            None
        }
        Err(e) => {
            eprintln!("skipped: riscv64-linux-gnu-gcc not available: {e}");
            None
        }
    }
}
