//! Timing runs: each workload runs N times under each runner (an emulator, or natively); the
//! wall-clock time and the peak resident set size (`ru_maxrss` from `wait4`) of every run are
//! kept, the medians summarise them, and stdout of every run is checked against a reference
//! output so a wrong result is reported instead of a time.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How a workload binary is started: under an emulator (`wrapper` with its options before the
/// binary) or natively (`wrapper` is `None`), and how long a run may take before it is killed
/// and reported as failed.
#[derive(Clone, Debug)]
pub struct Runner {
    pub wrapper: Option<PathBuf>,
    pub args: Vec<String>,
    pub timeout: Duration,
}

impl Runner {
    /// Runs binaries under the emulator `program` with `args` before the binary.
    pub fn emulator(program: PathBuf, args: Vec<String>, timeout: Duration) -> Runner {
        Runner {
            wrapper: Some(program),
            args,
            timeout,
        }
    }

    /// Runs binaries directly on the host.
    pub fn native(timeout: Duration) -> Runner {
        Runner {
            wrapper: None,
            args: Vec::new(),
            timeout,
        }
    }

    /// The command line prefix, for reports ("native" when there is none).
    pub fn describe(&self) -> String {
        let Some(program) = &self.wrapper else {
            return "native".to_string();
        };
        let mut parts = vec![program.display().to_string()];
        parts.extend(self.args.iter().cloned());
        parts.join(" ")
    }

    fn command(&self, binary: &Path) -> Command {
        match &self.wrapper {
            Some(program) => {
                let mut cmd = Command::new(program);
                cmd.args(&self.args).arg(binary);
                cmd
            }
            None => Command::new(binary),
        }
    }
}

/// One correct run: wall-clock seconds and peak RSS in KiB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub seconds: f64,
    pub max_rss_kib: u64,
}

/// The outcome of running one workload N times under one runner.
#[derive(Clone, Debug)]
pub enum Timing {
    /// Every run, in order.
    Ok(Vec<Sample>),
    /// Why the workload did not run correctly (status, output mismatch, start failure).
    Failed(String),
    /// Not run (`--no-emu`, or the emulator binary is missing).
    Skipped,
}

impl Timing {
    fn samples(&self) -> &[Sample] {
        match self {
            Timing::Ok(samples) => samples,
            Timing::Failed(_) | Timing::Skipped => &[],
        }
    }

    /// Median wall-clock seconds.
    pub fn median(&self) -> Option<f64> {
        let times: Vec<f64> = self.samples().iter().map(|s| s.seconds).collect();
        median(&times)
    }

    /// Median peak RSS in KiB.
    pub fn median_rss_kib(&self) -> Option<f64> {
        let rss: Vec<f64> = self
            .samples()
            .iter()
            .map(|s| s.max_rss_kib as f64)
            .collect();
        median(&rss)
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

/// `wait4(pid, options)`: the exit status and peak RSS (KiB) once the child has exited,
/// `None` while it runs (with `WNOHANG`).
fn wait4(pid: libc::pid_t, options: libc::c_int) -> Result<Option<(ExitStatus, u64)>, String> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid, writable and live for the call; `pid` is our
        // own unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, options, &mut usage) };
        match r {
            0 => return Ok(None),
            r if r == pid => {
                let rss = u64::try_from(usage.ru_maxrss).unwrap_or(0);
                return Ok(Some((ExitStatus::from_raw(status), rss)));
            }
            _ => {
                let err = std::io::Error::last_os_error();
                if err.kind() != std::io::ErrorKind::Interrupted {
                    return Err(format!("wait4: {err}"));
                }
            }
        }
    }
}

/// Waits for `child` until `deadline`; `None` if it had to be killed. Reaps it with `wait4`
/// (so `child` itself must not be waited for afterwards) to get its peak RSS.
fn wait_until(child: &mut Child, deadline: Instant) -> Result<Option<(ExitStatus, u64)>, String> {
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    loop {
        if let Some(done) = wait4(pid, libc::WNOHANG)? {
            return Ok(Some(done));
        }
        if Instant::now() >= deadline {
            // Not reaped yet, so the pid is still ours: killing it cannot hit another process.
            let _ = child.kill();
            wait4(pid, 0)?;
            return Ok(None);
        }
        thread::sleep(Duration::from_micros(500));
    }
}

/// Runs `binary` once under `runner`; returns the sample and stdout, or why it failed.
pub fn run_once(runner: &Runner, binary: &Path) -> Result<(Sample, Vec<u8>), String> {
    let start = Instant::now();
    let mut child = runner
        .command(binary)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", runner.describe()))?;
    let stdout = read_in_thread(child.stdout.take().expect("stdout is piped"));
    let stderr = read_in_thread(child.stderr.take().expect("stderr is piped"));
    let waited = wait_until(&mut child, start + runner.timeout)?;
    let seconds = start.elapsed().as_secs_f64();
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let Some((status, max_rss_kib)) = waited else {
        return Err(format!("timed out after {} s", runner.timeout.as_secs()));
    };
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let last = stderr.lines().last().unwrap_or("").trim();
        return Err(format!("{status} ({last})"));
    }
    let sample = Sample {
        seconds,
        max_rss_kib,
    };
    Ok((sample, stdout))
}

/// Runs `binary` `runs` times under `runner`, checking each stdout against `expected` if given
/// (and against the first run otherwise). Returns the timing and the first run's stdout.
pub fn time_runs(
    runner: &Runner,
    binary: &Path,
    runs: usize,
    expected: Option<&[u8]>,
) -> (Timing, Option<Vec<u8>>) {
    let mut samples = Vec::with_capacity(runs);
    let mut reference: Option<Vec<u8>> = expected.map(<[u8]>::to_vec);
    let mut first_output = None;
    for _ in 0..runs.max(1) {
        match run_once(runner, binary) {
            Ok((sample, stdout)) => {
                if let Some(want) = &reference {
                    if *want != stdout {
                        let why = format!("wrong output: {}", first_line(&stdout));
                        return (Timing::Failed(why), Some(stdout));
                    }
                } else {
                    reference = Some(stdout.clone());
                }
                first_output.get_or_insert(stdout);
                samples.push(sample);
            }
            Err(e) => return (Timing::Failed(e), first_output),
        }
    }
    (Timing::Ok(samples), first_output)
}

/// The first line of `output`, shortened, for a failure message.
fn first_line(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let line = text.lines().next().unwrap_or("(no output)");
    line.chars().take(60).collect()
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

    /// The kernel is the oracle: a shell that holds a 16 MiB string reports at least that much.
    #[test]
    fn run_reports_output_and_peak_rss() {
        let runner = Runner::emulator(
            PathBuf::from("/bin/sh"),
            vec!["-c".into()],
            Duration::from_secs(60),
        );
        let script = "x=$(head -c 16777216 /dev/zero | tr '\\0' a); echo ${#x}";
        let (sample, out) = run_once(&runner, Path::new(script)).unwrap();
        assert_eq!(out, b"16777216\n");
        assert!(sample.max_rss_kib >= 16 << 10, "{sample:?}");
    }

    #[test]
    fn wrong_output_and_failure_are_reported() {
        let sh = Runner::emulator(
            PathBuf::from("/bin/sh"),
            vec!["-c".into()],
            Duration::from_secs(60),
        );
        let (t, _) = time_runs(&sh, Path::new("echo hi"), 2, Some(b"ho\n"));
        assert!(matches!(t, Timing::Failed(ref why) if why.contains("wrong output: hi")));
        let (t, _) = time_runs(&sh, Path::new("exit 3"), 1, None);
        assert!(matches!(t, Timing::Failed(_)));
        let (t, out) = time_runs(&sh, Path::new("echo ok"), 2, None);
        assert_eq!(t.samples().len(), 2);
        assert_eq!(out.as_deref(), Some(&b"ok\n"[..]));
    }
}
