//! Running a batch program under the reference or emu-user and parsing what it prints into
//! per-case records. Anything a runner does wrong (cannot start, times out, dies, prints too
//! little) is a [`RunError`], never a panic.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::layout::{u64_at, Layout, SIG_OFF};

/// How one batch run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start {0}: {1}")]
    Spawn(String, std::io::Error),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("exited with {status}, printed {got} of {expected} bytes; stderr: {stderr}")]
    Failed {
        status: String,
        got: usize,
        expected: usize,
        stderr: String,
    },
}

/// What a case recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The signal that ended the case early (0: none).
    pub sig: u64,
    /// The output state block.
    pub out: Vec<u8>,
}

/// A way to run a program: a command prefix (empty for native execution) and a label.
#[derive(Clone, Debug)]
pub struct Runner {
    pub label: String,
    pub prefix: Vec<OsString>,
    pub timeout: Duration,
}

impl Runner {
    /// Runs `elf` and returns exactly `expected` bytes of stdout.
    pub fn run(&self, elf: &Path, expected: usize) -> Result<Vec<u8>, RunError> {
        let mut cmd = match self.prefix.split_first() {
            Some((prog, args)) => {
                let mut c = Command::new(prog);
                c.args(args).arg(elf);
                c
            }
            None => Command::new(elf),
        };
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| RunError::Spawn(self.label.clone(), e))?;
        let out = read_in_thread(child.stdout.take());
        let err = read_in_thread(child.stderr.take());
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if start.elapsed() > self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(RunError::Timeout(self.timeout));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(RunError::Spawn(self.label.clone(), e)),
            }
        };
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        if status.success() && stdout.len() == expected {
            return Ok(stdout);
        }
        let stderr = String::from_utf8_lossy(&stderr);
        let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
        Err(RunError::Failed {
            status: status.to_string(),
            got: stdout.len(),
            expected,
            stderr: tail,
        })
    }
}

fn read_in_thread<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Splits a batch program's output into one record per case.
pub fn parse_records(layout: &Layout, bytes: &[u8]) -> Vec<Record> {
    bytes
        .chunks_exact(layout.record_size())
        .map(|rec| Record {
            sig: u64_at(rec, SIG_OFF),
            out: rec[layout.out_off()..layout.out_off() + layout.state_size()].to_vec(),
        })
        .collect()
}

/// Writes `bytes` as an executable file in `dir` and returns its path.
pub fn write_program(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, bytes)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(path)
}
