//! Shared by the guest-running integration tests (`guest_programs.rs`, `busybox.rs`): locating
//! and building the emulator under test, running a command with a timeout and a clean
//! environment, describing output differences, the guest arches and their tools, and the
//! checked-in known-failures lists.

// Each integration test compiles this module on its own and uses a different part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The environment every guest program sees (bless.sh uses the same).
pub const GUEST_ENV: &[(&str, &str)] = &[
    ("EMU_TEST_GREETING", "hello"),
    ("EMU_TEST_LANG", "C"),
    ("PATH", "/usr/bin:/bin"),
];

/// A guest arch the testsuite knows: its cross compiler and its qemu oracle.
#[derive(Clone, Copy, Debug)]
pub struct Arch {
    pub name: &'static str,
    /// The default cross compiler and the variable overriding it (as in build.sh).
    pub cc: &'static str,
    pub cc_env: &'static str,
    pub qemu: &'static str,
    /// What to install when the compiler is missing.
    pub packages: &'static str,
}

pub const ARCHES: &[Arch] = &[
    Arch {
        name: "riscv64",
        cc: "riscv64-linux-gnu-gcc",
        cc_env: "RISCV64_CC",
        qemu: "qemu-riscv64",
        packages: "gcc-riscv64-linux-gnu libc6-dev-riscv64-cross",
    },
    Arch {
        name: "aarch64",
        cc: "aarch64-linux-gnu-gcc",
        cc_env: "AARCH64_CC",
        qemu: "qemu-aarch64",
        packages: "gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
    },
];

impl Arch {
    pub fn compiler(&self) -> String {
        env_var(self.cc_env).unwrap_or_else(|| self.cc.to_string())
    }
}

/// One way of running the emulator: a label and the extra command-line options it adds.
#[derive(Clone, Copy, Debug)]
pub struct TierSetting {
    pub label: &'static str,
    pub args: &'static [&'static str],
}

pub const TIER_SETTINGS: &[TierSetting] = &[
    TierSetting {
        label: "0",
        args: &["-tier1-threshold", "0"],
    },
    TierSetting {
        label: "default",
        args: &[],
    },
    TierSetting {
        label: "never",
        args: &["-tier1-threshold", "never"],
    },
];

/// `EMU_TIERS`, by default all three settings for emu-user and `default` only for qemu.
pub fn tier_settings(emulator: &Path) -> Result<Vec<TierSetting>, String> {
    let default = if is_qemu(emulator) {
        "default"
    } else {
        "0,default,never"
    };
    let wanted = env_var("EMU_TIERS").unwrap_or_else(|| default.to_string());
    wanted
        .split(',')
        .map(|label| {
            TIER_SETTINGS
                .iter()
                .find(|t| t.label == label.trim())
                .copied()
                .ok_or_else(|| format!("EMU_TIERS: unknown tier setting {label:?}"))
        })
        .collect()
}

/// What one run of a guest program produced.
pub struct RunOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: i32,
    pub timed_out: bool,
}

pub fn testsuite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn workspace_dir() -> PathBuf {
    testsuite_dir()
        .parent()
        .expect("testsuite/ has a parent directory")
        .to_path_buf()
}

pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Is `program` runnable (`program --version` exits successfully)?
pub fn tool_available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Does the emulator's file name say it is qemu (which has no tier options)?
pub fn is_qemu(emulator: &Path) -> bool {
    emulator
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.contains("qemu"))
}

/// `<target>/<profile>`: the test executable lives in `<target>/<profile>/deps/`.
fn profile_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    Some(deps.parent()?.to_path_buf())
}

/// Builds `emu-user` with cargo into the target directory this test runs from.
fn build_emu_user(profile_dir: &Path) -> Result<(), String> {
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(other) => other.to_string(),
    };
    let target_dir = profile_dir
        .parent()
        .ok_or("no target directory above the profile directory")?;
    let cargo = env_var("CARGO").unwrap_or_else(|| "cargo".to_string());
    eprintln!(
        "building emu-user (cargo build -p emu-linux-user --bin emu-user --profile {profile})"
    );
    let status = Command::new(cargo)
        .args(["build", "-p", "emu-linux-user", "--bin", "emu-user"])
        .args(["--profile", &profile])
        .env("CARGO_TARGET_DIR", target_dir)
        .current_dir(workspace_dir())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo build of emu-user failed: {status}"))
    }
}

/// The emulator under test: `$EMU_USER`, or the workspace's `emu-user`, which cargo brings up
/// to date first (`cargo test` builds binaries only for its own package's tests).
pub fn emulator() -> Result<PathBuf, String> {
    if let Some(path) = env_var("EMU_USER") {
        return Ok(PathBuf::from(path));
    }
    let dir = profile_dir().ok_or("cannot locate the target directory")?;
    let exe = dir.join("emu-user");
    build_emu_user(&dir)?;
    if exe.is_file() {
        Ok(exe)
    } else {
        Err(format!("{} does not exist after building", exe.display()))
    }
}

/// The shell's convention: the exit code, or 128 + signal number for a killed process.
fn status_code(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

fn read_all_in_thread<R: Read + Send + 'static>(mut pipe: R) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        // A read error just ends the capture; what was read so far is still compared.
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// Runs one command with the guest environment and stdin from /dev/null, killing it after
/// `timeout`.
pub fn run_with_timeout(cmd: Command, timeout: Duration) -> Result<RunOutput, String> {
    run_with_stdin(cmd, timeout, None)
}

/// Like [`run_with_timeout`], with stdin read from `stdin` when given.
pub fn run_with_stdin(
    mut cmd: Command,
    timeout: Duration,
    stdin: Option<&Path>,
) -> Result<RunOutput, String> {
    let input = match stdin {
        Some(path) => Stdio::from(
            fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?,
        ),
        None => Stdio::null(),
    };
    cmd.env_clear()
        .envs(GUEST_ENV.iter().copied())
        .stdin(input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot start: {e}"))?;
    let stdout = read_all_in_thread(child.stdout.take().expect("stdout is piped"));
    let stderr = read_all_in_thread(child.stderr.take().expect("stderr is piped"));
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() >= deadline {
            timed_out = true;
            // The child may have exited just now; either way wait() reaps it.
            let _ = child.kill();
            break child.wait().map_err(|e| e.to_string())?;
        }
        thread::sleep(Duration::from_millis(5));
    };
    Ok(RunOutput {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        status: status_code(status),
        timed_out,
    })
}

/// Describes where `actual` first differs from `expected`, with a few lines of each.
pub fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    const SHOWN: usize = 6;
    let exp = String::from_utf8_lossy(expected);
    let act = String::from_utf8_lossy(actual);
    let exp_lines: Vec<&str> = exp.split_inclusive('\n').collect();
    let act_lines: Vec<&str> = act.split_inclusive('\n').collect();
    let first = exp_lines
        .iter()
        .zip(&act_lines)
        .position(|(e, a)| e != a)
        .unwrap_or(exp_lines.len().min(act_lines.len()));
    let mut out = format!(
        "    stdout differs at line {} (expected {} bytes / {} lines, got {} bytes / {} lines)\n",
        first + 1,
        expected.len(),
        exp_lines.len(),
        actual.len(),
        act_lines.len()
    );
    for (label, lines) in [("-expected", &exp_lines), ("+actual  ", &act_lines)] {
        for line in lines.iter().skip(first).take(SHOWN) {
            out.push_str(&format!("    {label} | {line:?}\n"));
        }
        if lines.len() <= first {
            out.push_str(&format!("    {label} | <end of output>\n"));
        }
    }
    out
}

/// The last `max_lines` lines of a stderr capture, indented for a report.
pub fn tail_of(bytes: &[u8], max_lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(max_lines);
    lines[start..]
        .iter()
        .map(|l| format!("    stderr | {l}\n"))
        .collect()
}

/// Compares one run with the expected stdout and status; `Err` holds the failure report.
pub fn compare_run(
    run: &RunOutput,
    expected_out: &[u8],
    expected_status: i32,
    timeout: Duration,
) -> Result<(), String> {
    let mut report = String::new();
    if run.timed_out {
        report.push_str(&format!("    timed out after {} s\n", timeout.as_secs()));
    }
    if run.status != expected_status {
        report.push_str(&format!(
            "    exit status {} (expected {expected_status})\n",
            run.status
        ));
    }
    if run.stdout != expected_out {
        report.push_str(&first_difference(expected_out, &run.stdout));
    }
    if report.is_empty() {
        return Ok(());
    }
    report.push_str(&tail_of(&run.stderr, 15));
    Err(report)
}

/// `EMU_TEST_TIMEOUT` in seconds (default 300).
pub fn run_timeout() -> Duration {
    Duration::from_secs(
        env_var("EMU_TEST_TIMEOUT")
            .and_then(|s| s.parse().ok())
            .unwrap_or(300),
    )
}

/// `EMU_TEST_JOBS` (default: available parallelism).
pub fn job_count() -> usize {
    env_var("EMU_TEST_JOBS")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1)
}

/// A checked-in list of programs (or cases) expected to fail today,
/// `testsuite/known-failures/<list>.txt`: one name a line, `#` starts a comment; the reason for
/// an entry is its trailing comment, or else the comment lines just above it.
#[derive(Debug, Default)]
pub struct KnownFailures {
    /// Name -> reason.
    pub entries: BTreeMap<String, String>,
    pub path: PathBuf,
}

impl KnownFailures {
    /// Loads `testsuite/known-failures/<list>.txt`; a missing file is an empty list.
    pub fn load(list: &str) -> Result<KnownFailures, String> {
        let path = testsuite_dir()
            .join("known-failures")
            .join(format!("{list}.txt"));
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Ok(KnownFailures {
            entries: Self::parse(&text),
            path,
        })
    }

    /// Name -> reason for every entry of a list's text.
    pub fn parse(text: &str) -> BTreeMap<String, String> {
        let mut entries = BTreeMap::new();
        let mut pending_comment: Vec<&str> = Vec::new();
        for line in text.lines() {
            let (name, comment) = match line.split_once('#') {
                Some((name, comment)) => (name.trim(), Some(comment.trim())),
                None => (line.trim(), None),
            };
            if name.is_empty() {
                match comment {
                    Some(c) => pending_comment.push(c),
                    None => pending_comment.clear(),
                }
                continue;
            }
            let reason = match comment {
                Some(c) if !c.is_empty() => c.to_string(),
                _ => pending_comment.join(" "),
            };
            entries.insert(name.to_string(), reason);
        }
        entries
    }

    pub fn reason(&self, name: &str) -> Option<&str> {
        self.entries.get(name).map(String::as_str)
    }

    /// The path relative to the workspace, for messages.
    pub fn display_path(&self) -> String {
        self.path
            .strip_prefix(workspace_dir())
            .unwrap_or(&self.path)
            .display()
            .to_string()
    }
}

/// The verdict on one program (or case) across its runs, against the known-failures list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    /// Listed as a known failure and still failing: does not fail the test.
    KnownFailure,
    /// Listed as a known failure but every run passed: the entry must go.
    NowPasses,
}

pub fn verdict(any_run_failed: bool, listed: bool) -> Verdict {
    match (any_run_failed, listed) {
        (false, false) => Verdict::Passed,
        (true, false) => Verdict::Failed,
        (true, true) => Verdict::KnownFailure,
        (false, true) => Verdict::NowPasses,
    }
}

/// Run counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub passed: usize,
    pub known: usize,
    pub failed: usize,
    /// Listed programs that passed every run.
    pub now_pass: usize,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
        self.passed += other.passed;
        self.known += other.known;
        self.failed += other.failed;
        self.now_pass += other.now_pass;
    }

    /// Adds one program's runs: `failed_runs` of `runs` did not match.
    pub fn add(&mut self, verdict: Verdict, runs: usize, failed_runs: usize) {
        self.passed += runs - failed_runs;
        match verdict {
            Verdict::KnownFailure => self.known += failed_runs,
            Verdict::NowPasses => self.now_pass += 1,
            Verdict::Passed | Verdict::Failed => self.failed += failed_runs,
        }
    }

    /// `N programs x T tiers: P passed, K known failures, F failed` (P, K, F count runs).
    pub fn summary(&self, what: &str, programs: usize, tiers: usize) -> String {
        let mut line = format!(
            "{programs} {what} x {tiers} tiers: {} passed, {} known failures, {} failed",
            self.passed, self.known, self.failed
        );
        if self.now_pass > 0 {
            line.push_str(&format!(
                ", {} known failures now pass (remove them from the list)",
                self.now_pass
            ));
        }
        line
    }

    pub fn ok(&self) -> bool {
        self.failed == 0 && self.now_pass == 0
    }
}

/// One thing the tests run at each tier setting: a program or a case.
pub struct Item {
    /// How reports name it (`aarch64/hello`, `busybox sort`).
    pub label: String,
    /// The reason from the known-failures list, when listed.
    pub known: Option<String>,
}

/// The result of one (item, tier) run.
pub struct RunResult {
    pub item: usize,
    pub tier: &'static str,
    pub result: Result<(), String>,
}

/// Runs `check(item, tier)` for every item at every tier on `job_count()` worker threads,
/// printing one progress line per run.
pub fn run_queue<F>(items: &[Item], tiers: &[TierSetting], check: F) -> Vec<RunResult>
where
    F: Fn(usize, &TierSetting) -> Result<(), String> + Sync,
{
    let queue: std::sync::Mutex<std::collections::VecDeque<(usize, &TierSetting)>> =
        std::sync::Mutex::new(
            // The slowest setting (the interpreter, `never`, listed last) starts first, so
            // the long runs do not all end up at the tail.
            tiers
                .iter()
                .rev()
                .flat_map(|t| (0..items.len()).map(move |i| (i, t)))
                .collect(),
        );
    let results = std::sync::Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..job_count() {
            scope.spawn(|| loop {
                let Some((index, tier)) = queue.lock().unwrap().pop_front() else {
                    break;
                };
                let started = Instant::now();
                let result = check(index, tier);
                let item = &items[index];
                let verdict = match (&result, &item.known) {
                    (Ok(()), _) => "ok",
                    (Err(_), Some(_)) => "known failure",
                    (Err(_), None) => "FAILED",
                };
                eprintln!(
                    "  {:<28} tier {:<8} {verdict} ({:.2} s)",
                    item.label,
                    tier.label,
                    started.elapsed().as_secs_f64()
                );
                results.lock().unwrap().push(RunResult {
                    item: index,
                    tier: tier.label,
                    result,
                });
            });
        }
    });
    results.into_inner().unwrap()
}

/// Prints the verdict on every item in `selected` (indices into `items`) and returns the tally;
/// `problems` collects what fails the test. `list` names the known-failures file for messages.
pub fn report(
    items: &[Item],
    selected: &[usize],
    results: &[RunResult],
    tiers: usize,
    list: &str,
    problems: &mut Vec<String>,
) -> Tally {
    let mut tally = Tally::default();
    for &index in selected {
        let item = &items[index];
        let mut failed: Vec<&RunResult> = results
            .iter()
            .filter(|r| r.item == index && r.result.is_err())
            .collect();
        failed.sort_by_key(|r| r.tier);
        let verdict = verdict(!failed.is_empty(), item.known.is_some());
        tally.add(verdict, tiers, failed.len());
        let tier_list = failed.iter().map(|r| r.tier).collect::<Vec<_>>().join(", ");
        let reason = item.known.as_deref().unwrap_or("");
        let report_of = |r: &RunResult| r.result.as_ref().err().cloned().unwrap_or_default();
        match verdict {
            Verdict::Passed => {}
            Verdict::Failed => {
                for run in &failed {
                    eprintln!(
                        "\nFAILED {} (tier {}):\n{}",
                        item.label,
                        run.tier,
                        report_of(run)
                    );
                }
                problems.push(format!("{} (tiers {tier_list})", item.label));
            }
            Verdict::KnownFailure => {
                // The first lines of the first report, and the last line of its stderr.
                let first = report_of(failed[0]);
                let mut gist: Vec<&str> = first.lines().take(3).collect();
                let stderr_tail = first.lines().rev().find(|l| l.contains("stderr |"));
                if let Some(line) = stderr_tail.filter(|l| !gist.contains(l)) {
                    gist.push(line);
                }
                eprintln!(
                    "\nknown failure (still failing): {} (tiers {tier_list}): {reason}\n{}",
                    item.label,
                    gist.join("\n")
                );
            }
            Verdict::NowPasses => {
                eprintln!(
                    "\nnow passes — remove it from known-failures: {} ({list}: {reason})",
                    item.label
                );
                problems.push(format!("{} now passes", item.label));
            }
        }
    }
    tally
}
