//! Timing runs: each workload runs N times under each emulator; wall-clock times are kept, the
//! median summarises them, and stdout of every run is checked against the first qemu run so a
//! wrong result is reported instead of a time.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// An emulator command: the program, the options put before the guest binary, and how long a
/// run may take before it is killed and reported as failed.
#[derive(Clone, Debug)]
pub struct Emulator {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub timeout: Duration,
}

/// The outcome of running one workload N times under one emulator.
#[derive(Clone, Debug)]
pub enum Timing {
    /// Wall-clock seconds of every run.
    Ok(Vec<f64>),
    /// Why the workload did not run correctly (status, output mismatch, start failure).
    Failed(String),
    /// Not run (`--no-emu`, or the emulator binary is missing).
    Skipped,
}

impl Timing {
    pub fn median(&self) -> Option<f64> {
        match self {
            Timing::Ok(times) => median(times),
            Timing::Failed(_) | Timing::Skipped => None,
        }
    }
}

/// The median of `values` (mean of the middle two for an even count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The geometric mean of positive `values`; `None` when empty.
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let log_sum: f64 = values.iter().map(|v| v.ln()).sum();
    Some((log_sum / values.len() as f64).exp())
}

fn read_in_thread<R: Read + Send + 'static>(mut pipe: R) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        // A read error ends the capture; the output check then reports the difference.
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// Waits for `child` until `deadline`; `None` if it had to be killed.
fn wait_until(child: &mut Child, deadline: Instant) -> Result<Option<ExitStatus>, String> {
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            // It may have exited just now; wait() reaps it either way.
            let _ = child.kill();
            child.wait().map_err(|e| e.to_string())?;
            return Ok(None);
        }
        thread::sleep(Duration::from_micros(500));
    }
}

/// Runs `binary` once under `emu`; returns (seconds, stdout) or why it failed.
pub fn run_once(emu: &Emulator, binary: &Path) -> Result<(f64, Vec<u8>), String> {
    let start = Instant::now();
    let mut child = Command::new(&emu.program)
        .args(&emu.args)
        .arg(binary)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", emu.program.display()))?;
    let stdout = read_in_thread(child.stdout.take().expect("stdout is piped"));
    let stderr = read_in_thread(child.stderr.take().expect("stderr is piped"));
    let status = wait_until(&mut child, start + emu.timeout)?;
    let seconds = start.elapsed().as_secs_f64();
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(format!("timed out after {} s", emu.timeout.as_secs()));
    };
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let last = stderr.lines().last().unwrap_or("").trim();
        return Err(format!("{status} ({last})"));
    }
    Ok((seconds, stdout))
}

/// Runs `binary` `runs` times under `emu`, checking each stdout against `expected` if given
/// (and against the first run otherwise). Returns the timing and the first run's stdout.
pub fn time_runs(
    emu: &Emulator,
    binary: &Path,
    runs: usize,
    expected: Option<&[u8]>,
) -> (Timing, Option<Vec<u8>>) {
    let mut times = Vec::with_capacity(runs);
    let mut reference: Option<Vec<u8>> = expected.map(<[u8]>::to_vec);
    let mut first_output = None;
    for _ in 0..runs.max(1) {
        match run_once(emu, binary) {
            Ok((seconds, stdout)) => {
                if let Some(want) = &reference {
                    if *want != stdout {
                        return (Timing::Failed("wrong output".into()), Some(stdout));
                    }
                } else {
                    reference = Some(stdout.clone());
                }
                first_output.get_or_insert(stdout);
                times.push(seconds);
            }
            Err(e) => return (Timing::Failed(e), first_output),
        }
    }
    (Timing::Ok(times), first_output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn geometric_mean_matches_hand_values() {
        let g = geometric_mean(&[2.0, 8.0]).unwrap();
        assert!((g - 4.0).abs() < 1e-12);
        let g = geometric_mean(&[1.0, 10.0, 100.0]).unwrap();
        assert!((g - 10.0).abs() < 1e-9);
        assert_eq!(geometric_mean(&[]), None);
    }
}
