//! Real Debian programs under emu-user, for two guests: arm64 checked against qemu-aarch64, and
//! amd64 checked against the host itself (an x86_64 host runs them natively). Debian's static
//! `busybox` (one applet, or a shell script with pipelines, a case) and dynamic programs
//! (interpreters, compressors, a database, text tools) run from a Debian sysroot with `-L`; the
//! native amd64 oracle runs a program through the sysroot's own `ld.so --library-path`, so both
//! sides load the same libraries. Every case runs its command lines in a fresh scratch directory
//! holding the same input files, under the oracle and under the emulator at each tier setting;
//! stdout and the exit status of every step must match byte for byte.
//!
//! `testsuite/fetch-debian.sh ARCH` (run by `setup.sh`) unpacks the packages into
//! `testsuite/build/debian-ARCH/root`; without it, or without the oracle, the guest's tests skip
//! with the reason. Cases listed in `testsuite/known-failures/real-programs-GUEST.txt` may still
//! fail; one that passes must leave the list.
//!
//! Knobs as in `guest_programs.rs`: `EMU_USER` (e.g. `/usr/bin/qemu-aarch64`, to check the
//! harness; the known-failures list then does not apply), `EMU_TIERS`, `EMU_TEST_FILTER` (a
//! substring of the case name), `EMU_TEST_TIMEOUT`, `EMU_TEST_JOBS`, and `EMU_TEST_ARCH`
//! (a guest runs only when it is listed).

mod common;

use common::{Item, KnownFailures, RunOutput};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// A guest architecture and the oracle its programs are checked against.
#[derive(Clone, Copy)]
struct Guest {
    /// The name `EMU_TEST_ARCH` and the known-failures file use.
    arch: &'static str,
    /// The Debian architecture of the sysroot (`testsuite/build/debian-DEBIAN/root`).
    debian: &'static str,
    oracle: Oracle,
}

#[derive(Clone, Copy)]
enum Oracle {
    /// A qemu-user binary.
    Qemu(&'static str),
    /// The host CPU (the guest arch is the host's).
    Native,
}

const AARCH64: Guest = Guest {
    arch: "aarch64",
    debian: "arm64",
    oracle: Oracle::Qemu("qemu-aarch64"),
};

const X86_64: Guest = Guest {
    arch: "x86_64",
    debian: "amd64",
    oracle: Oracle::Native,
};

impl Guest {
    /// The Debian sysroot `fetch-debian.sh` unpacks.
    fn sysroot(self) -> PathBuf {
        common::testsuite_dir().join(format!("build/debian-{}/root", self.debian))
    }

    fn oracle_name(self) -> &'static str {
        match self.oracle {
            Oracle::Qemu(q) => q,
            Oracle::Native => "the host CPU",
        }
    }
}

/// One case: command lines run in order in one scratch directory, and an optional file (in that
/// directory) to feed as stdin to every step. A busybox case's steps start with the applet name;
/// a Debian case's with the program's path inside the sysroot.
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

/// Debian's busybox-static: `busybox STEP...`.
const BUSYBOX_CASES: &[Case] = &[
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

/// Dynamic Debian programs, run from the sysroot: `SYSROOT/STEP[0] STEP[1..]`.
const DEBIAN_CASES: &[Case] = &[
    case("lua", &[&["usr/bin/lua5.4", "-e", "local t = {} for i = 1, 20000 do t[i] = (i * 7919) % 10007 end table.sort(t) local s = 0 for i = 1, #t do s = s + t[i] * i end local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end print(s, fib(22), string.format('%.12f %g', math.sin(1.5) * math.sqrt(2), 2^0.5), ('abc'):rep(3):upper(), string.find('hello world', 'o w'))"]]),
    case("python3", &[&["usr/bin/python3.11", "-S", "-c", "import math, re\nd = {i: i * i for i in range(1000)}\nprint(sum(d.values()), math.factorial(40), re.sub(r'(\\d)', r'<\\1>', 'a1b22'), 1 / 3, 2 ** 0.5, float('1e308') * 10, sorted('python'), '%.5e' % math.pi, int('ff', 16), divmod(-7, 2))\nclass A:\n    def __init__(s, x): s.x = x\n    def __repr__(s): return 'A(%r)' % s.x\nprint([A(i) for i in range(3)], bytes(range(5)).hex(), [x for x in range(30) if x % 7 == 3])"]]),
    case("python3_threads", &[&["usr/bin/python3.11", "-S", "-c", "import threading\nres = {}\nlock = threading.Lock()\ncv = threading.Condition()\ndef work(i):\n    s = sum(j * j for j in range(i * 20000))\n    with lock:\n        res[i] = s\n    with cv:\n        cv.notify_all()\nts = [threading.Thread(target=work, args=(i,)) for i in range(6)]\nfor t in ts: t.start()\nfor t in ts: t.join()\nprint(sorted(res.items()), threading.active_count())\nev = threading.Event()\nout = []\ndef waiter():\n    ev.wait(); out.append(threading.current_thread().name)\nw = threading.Thread(target=waiter, name='w1'); w.start(); ev.set(); w.join()\nprint(out)"]]),
    case("perl", &[&["usr/bin/perl", "-e", "my %h; $h{$_ % 17} += $_ for 1 .. 5000; print join(',', map { \"$_=$h{$_}\" } sort { $a <=> $b } keys %h), \"\\n\"; printf(\"%.10f\\n\", atan2(1, 1) * 4); $_ = 'hello world'; s/(\\w+)/\\u$1/g; print \"$_\\n\";"]]),
    case("gzip", &[&["bin/gzip", "-9", "-n", "-k", "words.txt"], &["bin/gzip", "-l", "words.txt.gz"], &["bin/gzip", "-d", "-c", "words.txt.gz"], &["usr/bin/md5sum", "words.txt.gz"]]),
    case("xz", &[&["usr/bin/xz", "-k", "nums.txt"], &["usr/bin/xz", "-l", "nums.txt.xz"], &["usr/bin/xz", "-d", "-c", "nums.txt.xz"], &["usr/bin/md5sum", "nums.txt.xz"]]),
    case("bzip2", &[&["bin/bzip2", "-k", "data.csv"], &["bin/bzip2", "-d", "-c", "data.csv.bz2"], &["usr/bin/md5sum", "data.csv.bz2"]]),
    case("sqlite3", &[&["usr/bin/sqlite3", ":memory:", "create table t(name, age int, city); .import --csv data.csv t", "select city, count(*), avg(age) from t group by city order by city;", "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000) select sum(x * x), printf('%.4f', avg(x)) from c;", "select upper(name) || ':' || age from t where age > 20 order by age desc;"]]),
    Case {
        name: "bc",
        steps: &[&["usr/bin/bc", "-l"]],
        stdin: Some("bc.txt"),
    },
    case("jq", &[&["usr/bin/jq", "-c", ".a[2].b, (.d * 2), ([.a[] | numbers] | add), (keys)", "doc.json"]]),
    case("gawk", &[&["usr/bin/gawk", "-F", ",", "{ s += $2; n[$3]++; print toupper($1), length($1), sqrt($2) } END { printf \"%d %.4f\\n\", s, s / NR; PROCINFO[\"sorted_in\"] = \"@ind_str_asc\"; for (k in n) print k, n[k] }", "data.csv"]]),
    case("grep_sed", &[&["bin/grep", "-n", "-E", "an+a|^[ef]", "words.txt"], &["bin/sed", "-E", "s/([a-z]+),([0-9]+)/\\2=\\1/; y/abc/ABC/", "data.csv"]]),
    case("coreutils", &[&["usr/bin/sort", "-t", ",", "-k", "2n", "data.csv"], &["usr/bin/sha256sum", "words.txt", "nums.txt"], &["usr/bin/factor", "1234567890123", "600851475143"], &["usr/bin/seq", "-f", "%.3f", "0", "0.25", "1"], &["usr/bin/cut", "-d", ",", "-f", "3", "data.csv"], &["usr/bin/wc", "words.txt"], &["usr/bin/od", "-A", "d", "-t", "x2", "sorted.txt"]]),
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
    ("bc.txt", "scale=40\n4*a(1)\ne(1)\nsqrt(2)\n2^100\n"),
    (
        "doc.json",
        "{\"a\": [1, 2, {\"b\": \"c\"}, 4.5], \"d\": 3.5, \"z\": null}\n",
    ),
    ("tree/c.txt", "the needle is here\n"),
    ("tree/a/b.txt", "nothing to see\n"),
    ("tree/d/e.txt", "another needle\nsecond line\n"),
    ("tree/d/f.dat", "binary-ish \x01\x02\n"),
];

/// How a suite's steps become command lines.
#[derive(Clone, Copy)]
enum Launch {
    /// `busybox STEP...` (the static binary, no sysroot needed).
    Busybox,
    /// `-L SYSROOT SYSROOT/STEP[0] STEP[1..]` (dynamic programs).
    Sysroot,
}

/// A named set of cases.
struct Suite {
    name: &'static str,
    cases: &'static [Case],
    launch: Launch,
}

const BUSYBOX: Suite = Suite {
    name: "busybox",
    cases: BUSYBOX_CASES,
    launch: Launch::Busybox,
};

const DEBIAN: Suite = Suite {
    name: "debian",
    cases: DEBIAN_CASES,
    launch: Launch::Sysroot,
};

/// Who runs a step.
#[derive(Clone, Copy)]
enum Runner<'a> {
    /// An emulator (emu-user or qemu-user) with its options.
    Emulator(&'a Path, &'a [&'a str]),
    /// The host, natively.
    Native,
}

impl Launch {
    /// The program and arguments that run `step` of `guest` under `runner`.
    fn command_line(self, guest: Guest, runner: Runner, step: &[&str]) -> Vec<OsString> {
        let root = guest.sysroot();
        let mut line: Vec<OsString> = Vec::new();
        let program = match self {
            Launch::Busybox => root.join("bin/busybox"),
            Launch::Sysroot => root.join(step.first().copied().unwrap_or_default()),
        };
        match (runner, self) {
            (Runner::Emulator(emu, opts), _) => {
                line.push(emu.into());
                line.extend(opts.iter().map(Into::into));
                if let Launch::Sysroot = self {
                    line.extend(["-L".into(), root.clone().into_os_string()]);
                }
            }
            (Runner::Native, Launch::Busybox) => {}
            (Runner::Native, Launch::Sysroot) => {
                let lib = |dir: &str| root.join(dir).into_os_string();
                let mut path = lib("lib/x86_64-linux-gnu");
                path.push(":");
                path.push(lib("usr/lib/x86_64-linux-gnu"));
                line.extend([
                    lib("lib64/ld-linux-x86-64.so.2"),
                    "--library-path".into(),
                    path,
                ]);
            }
        }
        line.push(program.into_os_string());
        let args = match self {
            Launch::Busybox => step,
            Launch::Sysroot => step.get(1..).unwrap_or_default(),
        };
        line.extend(args.iter().map(Into::into));
        line
    }
}

/// A fresh scratch directory with the fixtures, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(case: &str, who: &str) -> Result<Scratch, String> {
        let dir =
            std::env::temp_dir().join(format!("emu-real-{}-{case}-{who}", std::process::id()));
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

/// Runs every step of `case` under `runner` in one scratch directory; the result is the steps'
/// stdouts, each followed by a `[exit N]` line, and the last step's status.
fn run_case(
    guest: Guest,
    runner: Runner,
    launch: Launch,
    case: &Case,
    who: &str,
    timeout: Duration,
) -> Result<RunOutput, String> {
    let scratch = Scratch::new(&format!("{}-{}", guest.arch, case.name), who)?;
    let mut all = RunOutput {
        stdout: Vec::new(),
        stderr: Vec::new(),
        status: 0,
        timed_out: false,
    };
    for step in case.steps {
        let line = launch.command_line(guest, runner, step);
        let mut cmd = Command::new(&line[0]);
        cmd.args(&line[1..]).current_dir(&scratch.0);
        let stdin = case.stdin.map(|f| scratch.0.join(f));
        let run = common::run_with_stdin(cmd, timeout, stdin.as_deref())
            .map_err(|e| format!("{}: {e}", line[0].to_string_lossy()))?;
        all.stdout.extend_from_slice(&run.stdout);
        all.stdout
            .extend_from_slice(format!("[exit {}]\n", run.status).as_bytes());
        all.stderr.extend_from_slice(&run.stderr);
        all.status = run.status;
        all.timed_out |= run.timed_out;
    }
    Ok(all)
}

/// Why `guest`'s tests cannot run here, if they cannot.
fn skip_reason(guest: Guest) -> Option<String> {
    if let Some(arches) = common::env_var("EMU_TEST_ARCH") {
        if !arches.split(',').any(|a| a.trim() == guest.arch) {
            return Some(format!("EMU_TEST_ARCH={arches} excludes {}", guest.arch));
        }
    }
    let stamp = guest.sysroot().with_file_name("complete");
    if !stamp.is_file() {
        return Some(format!(
            "{} is missing (testsuite/fetch-debian.sh {} downloads the packages)",
            guest.sysroot().display(),
            guest.debian
        ));
    }
    match guest.oracle {
        Oracle::Qemu(q) if !common::tool_available(q) => {
            Some(format!("{q} not found (apt-get install qemu-user)"))
        }
        Oracle::Native if !cfg!(target_arch = "x86_64") => {
            Some("the host cannot run amd64 programs natively".to_string())
        }
        _ => None,
    }
}

/// The known-failures list of `guest` (both suites), checked to name only existing cases.
fn known_failures(guest: Guest, emu: &Path) -> KnownFailures {
    if common::is_qemu(emu) {
        return KnownFailures::default();
    }
    let list = format!("real-programs-{}", guest.arch);
    let known = KnownFailures::load(&list).unwrap_or_else(|e| panic!("{e}"));
    let all = BUSYBOX.cases.iter().chain(DEBIAN.cases);
    if let Some(stale) = known
        .entries
        .keys()
        .find(|n| !all.clone().any(|c| c.name == n.as_str()))
    {
        panic!(
            "{} lists {stale}, which is not a case",
            known.display_path()
        );
    }
    known
}

#[test]
fn busybox_matches_qemu() {
    run_suite(AARCH64, &BUSYBOX);
}

#[test]
fn debian_programs_match_qemu() {
    run_suite(AARCH64, &DEBIAN);
}

#[test]
fn amd64_busybox_matches_native() {
    run_suite(X86_64, &BUSYBOX);
}

#[test]
fn amd64_debian_programs_match_native() {
    run_suite(X86_64, &DEBIAN);
}

/// Runs every selected case of `suite` for `guest` under the oracle and the emulator and
/// compares.
fn run_suite(guest: Guest, suite: &Suite) {
    if let Some(why) = skip_reason(guest) {
        eprintln!("SKIPPED {} {} programs: {why}", guest.arch, suite.name);
        return;
    }
    let emu = common::emulator().unwrap_or_else(|e| panic!("no emulator to test: {e}"));
    let tiers = common::tier_settings(&emu).unwrap_or_else(|e| panic!("{e}"));
    let known = known_failures(guest, &emu);
    let filter = common::env_var("EMU_TEST_FILTER");
    let cases: Vec<&Case> = suite
        .cases
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|f| c.name.contains(f.as_str())))
        .collect();
    if cases.is_empty() {
        eprintln!("no {} cases selected by EMU_TEST_FILTER", suite.name);
        return;
    }
    let timeout = common::run_timeout();
    eprintln!(
        "running {} {} {} cases x {} tier settings under {} (oracle: {})",
        cases.len(),
        guest.arch,
        suite.name,
        tiers.len(),
        emu.display(),
        guest.oracle_name()
    );

    let items: Vec<Item> = cases
        .iter()
        .map(|c| Item {
            label: format!("{} {} {}", guest.arch, suite.name, c.name),
            known: known.reason(c.name).map(str::to_string),
        })
        .collect();
    // The oracle runs once per case, on first need.
    let oracle: Vec<OnceLock<Result<RunOutput, String>>> =
        cases.iter().map(|_| OnceLock::new()).collect();
    let results = common::run_queue(&items, &tiers, |index, tier| {
        let case = cases[index];
        let expected = oracle[index].get_or_init(|| {
            let runner = match guest.oracle {
                Oracle::Qemu(q) => Runner::Emulator(Path::new(q), &[]),
                Oracle::Native => Runner::Native,
            };
            run_case(guest, runner, suite.launch, case, "oracle", timeout)
        });
        let expected = expected
            .as_ref()
            .map_err(|e| format!("    the oracle failed to run: {e}\n"))?;
        let runner = Runner::Emulator(&emu, tier.args);
        let run = run_case(guest, runner, suite.launch, case, tier.label, timeout)?;
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
    let what = format!("{} {} cases", guest.arch, suite.name);
    let summary = tally.summary(&what, cases.len(), tiers.len());
    eprintln!("{summary}");
    assert!(
        tally.ok(),
        "{} {} programs differ from {}: {summary}: {}",
        guest.arch,
        suite.name,
        guest.oracle_name(),
        problems.join(", ")
    );
}
