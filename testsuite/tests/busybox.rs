//! Debian's `busybox-static` for arm64 under emu-user, checked against qemu-aarch64: every case
//! runs one applet (or, for `sh`, a shell script with pipelines) in a fresh scratch directory
//! holding the same input files, under qemu-aarch64 (the oracle) and under the emulator at each
//! tier setting, and stdout and the exit status must match byte for byte.
//!
//! `testsuite/setup.sh` unpacks the binary into `testsuite/build/sysroot-arm64/bin/busybox`
//! (`apt-get download busybox-static:arm64`); without it, or without qemu-aarch64, the test
//! skips with the reason. Cases listed in `testsuite/known-failures/busybox-aarch64.txt` may
//! still fail (pipelines need fork in emu-user); one that passes must leave the list.
//!
//! Knobs as in `guest_programs.rs`: `EMU_USER` (e.g. `/usr/bin/qemu-aarch64`, to check the
//! harness; the known-failures list then does not apply), `EMU_TIERS`, `EMU_TEST_FILTER` (a
//! substring of the case name), `EMU_TEST_TIMEOUT`, `EMU_TEST_JOBS`, and `EMU_TEST_ARCH`
//! (the test runs only when it includes `aarch64`).

mod common;

use common::{Item, KnownFailures, RunOutput};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

const QEMU: &str = "qemu-aarch64";

/// One case: the busybox command lines run in order in one scratch directory (each starts with
/// the applet name), and an optional file (in that directory) to feed as stdin to every step.
struct Case {
    name: &'static str,
    steps: &'static [&'static [&'static str]],
    stdin: Option<&'static str>,
}

const fn case(name: &'static str, steps: &'static [&'static [&'static str]]) -> Case {
    Case {
        name,
        steps,
        stdin: None,
    }
}

const CASES: &[Case] = &[
    case("echo", &[&["echo", "hello", "world"], &["echo", "-n", "no newline"], &["echo", "-e", "tab\\there\\nline2\\x41"]]),
    case("printf", &[&["printf", "%5d|%-4s|%x|%o|%c|%%|%.3f|%e\\n", "42", "ab", "255", "8", "z", "3.14159", "12345.678"]]),
    case("seq", &[&["seq", "5"], &["seq", "1", "3", "20"], &["seq", "-w", "8", "11"], &["seq", "-s", ",", "3", "-1", "-3"]]),
    case("wc", &[&["wc", "words.txt"], &["wc", "-l", "nums.txt", "data.csv"], &["wc", "-c", "-w", "words.txt"]]),
    case("sort", &[&["sort", "words.txt"], &["sort", "-r", "-n", "nums.txt"], &["sort", "-u", "-f", "words.txt"], &["sort", "-t", ",", "-k", "2", "-n", "data.csv"]]),
    case("md5sum", &[&["md5sum", "words.txt", "nums.txt", "data.csv"]]),
    case("sha256sum", &[&["sha256sum", "words.txt", "tree/d/e.txt"]]),
    case("sed", &[&["sed", "-e", "s/a/A/g", "-e", "2d", "words.txt"], &["sed", "-n", "/^b/p", "words.txt"], &["sed", "s/\\([a-z]*\\),\\([0-9]*\\)/\\2:\\1/", "data.csv"]]),
    case("awk", &[&["awk", "-F", ",", "{ s += $2; n[$3]++ } END { print s, NR; for (k in n) c++; print c }", "data.csv"], &["awk", "BEGIN { printf \"%.3f %d %s %s %g\\n\", 10 / 4, 7 / 2, toupper(\"abc\"), substr(\"hello\", 2, 3), 1e6 * 3.25 }"], &["awk", "length($0) > 4 { print NR \": \" $0 }", "words.txt"]]),
    case("find", &[&["find", "tree"], &["find", "tree", "-name", "*.txt", "-type", "f"], &["find", "tree", "-type", "d"]]),
    case("tar", &[&["tar", "-cf", "out.tar", "tree"], &["tar", "-tf", "out.tar"], &["mkdir", "x"], &["tar", "-xf", "out.tar", "-C", "x"], &["md5sum", "x/tree/c.txt", "x/tree/d/e.txt"]]),
    case("grep", &[&["grep", "-n", "-i", "AP", "words.txt"], &["grep", "-c", "a", "words.txt"], &["grep", "-v", "-e", "a", "-e", "e", "words.txt"], &["grep", "-r", "-l", "needle", "tree"], &["grep", "zzz", "words.txt"]]),
    case("cut", &[&["cut", "-d", ",", "-f", "1,3", "data.csv"], &["cut", "-c", "2-4", "words.txt"]]),
    Case {
        name: "tr",
        steps: &[&["tr", "a-z", "A-Z"], &["tr", "-d", "aeiou\\n"], &["tr", "-s", "p"]],
        stdin: Some("words.txt"),
    },
    case("uniq", &[&["uniq", "sorted.txt"], &["uniq", "-c", "sorted.txt"], &["uniq", "-d", "sorted.txt"]]),
    case("head", &[&["head", "-n", "3", "words.txt"], &["head", "-c", "10", "nums.txt"]]),
    case("tail", &[&["tail", "-n", "2", "words.txt"], &["tail", "-c", "7", "data.csv"], &["tail", "-n", "+5", "nums.txt"]]),
    case("expr", &[&["expr", "6", "*", "7"], &["expr", "length", "hello"], &["expr", "5", ">", "9"], &["expr", "abcdef", ":", "a\\(..\\)"], &["expr", "17", "%", "5"]]),
    case("basename", &[&["basename", "/a/b/c.txt", ".txt"], &["basename", "/usr/lib/"], &["dirname", "/a/b/c.txt"]]),
    case("od", &[&["od", "-A", "x", "-t", "x1z", "data.csv"]]),
    case("ls", &[&["ls", "tree", "tree/d"], &["ls", "-1", "-R", "tree"]]),
    case("cat", &[&["cat", "-n", "data.csv", "sorted.txt"]]),
    case("base64", &[&["base64", "data.csv"], &["base64", "-d", "encoded.txt"]]),
    case("paste", &[&["paste", "-d", ":", "words.txt", "data.csv"]]),
    case("date", &[&["date", "-u", "-d", "@1234567890", "+%Y-%m-%d %H:%M:%S %j %a %s"]]),
    case("factor", &[&["factor", "360", "1000000007", "18446744073709551615"]]),
    case("rev", &[&["rev", "data.csv"]]),
    case("sh", &[&["sh", "-c", "x=0; for i in 1 2 3 4; do x=$((x + i * i)); done; echo \"sum $x\"; test -f words.txt && echo yes; case abc in a*) echo glob;; esac; exit 3"]]),
    case("sh_pipeline", &[&["sh", "-c", "seq 1 20 | sort -r -n | head -n 3"], &["sh", "-c", "tr a-z A-Z < words.txt | sort | uniq -c | sort -n -r -k1,1 -s"]]),
    case("sh_subst", &[&["sh", "-c", "echo \"$(expr 2 + 3) $(basename /x/y.c .c)\"; n=$(wc -l < nums.txt); echo lines $n"]]),
    case("sh_find_md5", &[&["sh", "-c", "find tree -type f | sort | xargs md5sum"]]),
];

/// The input files every case finds in its scratch directory.
const FIXTURES: &[(&str, &str)] = &[
    (
        "words.txt",
        "banana\napple\ncherry\nApple\nbanana\ndate\nelderberry\nfig\napple\ngrape\n",
    ),
    ("nums.txt", "10\n-3\n7\n100\n0\n42\n7\n-20\n3.5\n"),
    (
        "data.csv",
        "alice,34,paris\nbob,27,berlin\ncarol,41,paris\ndave,19,rome\n",
    ),
    ("sorted.txt", "a\na\nb\nc\nc\nc\nd\n"),
    ("encoded.txt", "aGVsbG8sIGJ1c3lib3gK\n"),
    ("tree/c.txt", "the needle is here\n"),
    ("tree/a/b.txt", "nothing to see\n"),
    ("tree/d/e.txt", "another needle\nsecond line\n"),
    ("tree/d/f.dat", "binary-ish \x01\x02\n"),
];

fn busybox_path() -> PathBuf {
    common::testsuite_dir().join("build/sysroot-arm64/bin/busybox")
}

/// A fresh scratch directory with the fixtures, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(case: &str, who: &str) -> Result<Scratch, String> {
        let dir =
            std::env::temp_dir().join(format!("emu-busybox-{}-{case}-{who}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (name, text) in FIXTURES {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs every step of `case` under `runner` (with `args` first) in one scratch directory; the
/// result is the steps' stdouts, each followed by a `[exit N]` line, and the last step's status.
fn run_case(
    runner: &Path,
    args: &[&str],
    case: &Case,
    who: &str,
    timeout: Duration,
) -> Result<RunOutput, String> {
    let scratch = Scratch::new(case.name, who)?;
    let mut all = RunOutput {
        stdout: Vec::new(),
        stderr: Vec::new(),
        status: 0,
        timed_out: false,
    };
    for step in case.steps {
        let mut cmd = Command::new(runner);
        cmd.args(args)
            .arg(busybox_path())
            .args(*step)
            .current_dir(&scratch.0);
        let stdin = case.stdin.map(|f| scratch.0.join(f));
        let run = common::run_with_stdin(cmd, timeout, stdin.as_deref())
            .map_err(|e| format!("{}: {e}", runner.display()))?;
        all.stdout.extend_from_slice(&run.stdout);
        all.stdout
            .extend_from_slice(format!("[exit {}]\n", run.status).as_bytes());
        all.stderr.extend_from_slice(&run.stderr);
        all.status = run.status;
        all.timed_out |= run.timed_out;
    }
    Ok(all)
}

/// Why the test cannot run here, if it cannot.
fn skip_reason() -> Option<String> {
    if let Some(arches) = common::env_var("EMU_TEST_ARCH") {
        if !arches.split(',').any(|a| a.trim() == "aarch64") {
            return Some(format!("EMU_TEST_ARCH={arches} excludes aarch64"));
        }
    }
    if !busybox_path().is_file() {
        return Some(format!(
            "{} is missing (testsuite/setup.sh downloads busybox-static:arm64)",
            busybox_path().display()
        ));
    }
    if !common::tool_available(QEMU) {
        return Some(format!("{QEMU} not found (apt-get install qemu-user)"));
    }
    None
}

#[test]
fn busybox_matches_qemu() {
    if let Some(why) = skip_reason() {
        eprintln!("SKIPPED busybox_matches_qemu: {why}");
        return;
    }
    let emu = common::emulator().unwrap_or_else(|e| panic!("no emulator to test: {e}"));
    let tiers = common::tier_settings(&emu).unwrap_or_else(|e| panic!("{e}"));
    let known = if common::is_qemu(&emu) {
        KnownFailures::default()
    } else {
        KnownFailures::load("busybox-aarch64").unwrap_or_else(|e| panic!("{e}"))
    };
    if let Some(stale) = known
        .entries
        .keys()
        .find(|n| !CASES.iter().any(|c| c.name == n.as_str()))
    {
        panic!(
            "{} lists {stale}, which is not a case",
            known.display_path()
        );
    }
    let filter = common::env_var("EMU_TEST_FILTER");
    let cases: Vec<&Case> = CASES
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|f| c.name.contains(f.as_str())))
        .collect();
    assert!(!cases.is_empty(), "no busybox cases selected");
    let timeout = common::run_timeout();
    eprintln!(
        "running {} busybox cases x {} tier settings under {} (oracle: {QEMU})",
        cases.len(),
        tiers.len(),
        emu.display()
    );

    let items: Vec<Item> = cases
        .iter()
        .map(|c| Item {
            label: format!("busybox {}", c.name),
            known: known.reason(c.name).map(str::to_string),
        })
        .collect();
    // The oracle runs once per case, on first need.
    let oracle: Vec<OnceLock<Result<RunOutput, String>>> =
        cases.iter().map(|_| OnceLock::new()).collect();
    let results = common::run_queue(&items, &tiers, |index, tier| {
        let case = cases[index];
        let expected =
            oracle[index].get_or_init(|| run_case(Path::new(QEMU), &[], case, "qemu", timeout));
        let expected = expected
            .as_ref()
            .map_err(|e| format!("    the oracle failed to run: {e}\n"))?;
        let run = run_case(&emu, tier.args, case, tier.label, timeout)?;
        common::compare_run(&run, &expected.stdout, expected.status, timeout)
    });
    let mut problems = Vec::new();
    let selected: Vec<usize> = (0..cases.len()).collect();
    let tally = common::report(
        &items,
        &selected,
        &results,
        tiers.len(),
        &known.display_path(),
        &mut problems,
    );
    let summary = tally.summary("busybox cases", cases.len(), tiers.len());
    eprintln!("{summary}");
    assert!(
        tally.ok(),
        "busybox differs from qemu: {summary}: {}",
        problems.join(", ")
    );
}
