//! `emu-bench`: builds the workloads for a guest arch (riscv64 by default, aarch64, or x86_64),
//! runs each N times under `emu-user` and under `qemu-ARCH` (and natively for x86_64), checks
//! that every run prints the reference output (native's, else qemu's), prints a markdown table
//! of median times, ratios and peak RSS, and writes it with the JSON and an SVG chart to
//! `bench/results-ARCH.{md,json,svg}`.
//!
//! Usage: `cargo run --release -p emu-bench -- [--arch A] [--runs N] [--emu PATH]
//! [--emu-arg ARG]... [--qemu PATH] [--out PREFIX] [--timeout SECS] [--no-emu] [--no-native]
//! [WORKLOAD-FILTER...]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use emu_bench::measure::{time_runs, Runner, Timing};
use emu_bench::report::{json, markdown, Report, Row};
use emu_bench::svg::chart;
use emu_bench::workloads::{build, BuildConfig, Workload};

const USAGE: &str = "usage: emu-bench [--arch A] [--runs N] [--emu PATH] [--emu-arg ARG]... \
[--qemu PATH] [--out PREFIX] [--timeout SECS] [--no-emu] [--no-native] [WORKLOAD-FILTER...]
  --arch A       guest arch: riscv64 (default), aarch64 or x86_64 (x86_64 also runs natively)
  --runs N       runs per workload and runner (default 5; the median is reported)
  --emu PATH     emulator under test (default $EMU_USER or target/release/emu-user)
  --emu-arg ARG  option passed to emu before the program (repeatable, e.g. -tier1-threshold)
  --qemu PATH    the peer (default $QEMU_ARCH, e.g. $QEMU_RISCV64, or qemu-ARCH)
  --out PREFIX   write PREFIX.md, PREFIX.json and PREFIX.svg (default bench/results-ARCH)
  --timeout SECS kill a run after this long and report it as failed (default 120)
  --no-emu       time qemu (and native) only
  --no-native    x86_64: do not run natively";

const ARCHES: [&str; 3] = ["riscv64", "aarch64", "x86_64"];

#[derive(Debug)]
struct Options {
    arch: String,
    runs: usize,
    emu: Option<Runner>,
    qemu: Runner,
    native: Option<Runner>,
    out_prefix: PathBuf,
    filters: Vec<String>,
}

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn default_emu_path() -> PathBuf {
    if let Some(p) = std::env::var_os("EMU_USER") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| bench_dir().join("../target"));
    target.join("release/emu-user")
}

/// The command-line settings before the runners are made from them.
struct Args {
    arch: String,
    runs: usize,
    emu_path: PathBuf,
    emu_args: Vec<String>,
    use_emu: bool,
    use_native: bool,
    qemu: Option<String>,
    out_prefix: Option<PathBuf>,
    timeout: Duration,
    filters: Vec<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        arch: "riscv64".to_string(),
        runs: 5,
        emu_path: default_emu_path(),
        emu_args: Vec::new(),
        use_emu: true,
        use_native: true,
        qemu: None,
        out_prefix: None,
        timeout: Duration::from_secs(120),
        filters: Vec::new(),
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--arch" => {
                a.arch = value("--arch")?;
                if !ARCHES.contains(&a.arch.as_str()) {
                    return Err(format!("--arch: {} is not one of {ARCHES:?}", a.arch));
                }
            }
            "--runs" => {
                a.runs = value("--runs")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?
            }
            "--emu" => a.emu_path = PathBuf::from(value("--emu")?),
            "--emu-arg" => a.emu_args.push(value("--emu-arg")?),
            "--qemu" => a.qemu = Some(value("--qemu")?),
            "--out" => a.out_prefix = Some(PathBuf::from(value("--out")?)),
            "--timeout" => {
                let secs = value("--timeout")?;
                a.timeout =
                    Duration::from_secs(secs.parse().map_err(|e| format!("--timeout: {e}"))?);
            }
            "--no-emu" => a.use_emu = false,
            "--no-native" => a.use_native = false,
            "-h" | "--help" => return Err(USAGE.to_string()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            _ => a.filters.push(arg),
        }
    }
    Ok(a)
}

fn options(a: Args) -> Options {
    let qemu = a.qemu.unwrap_or_else(|| {
        std::env::var(format!("QEMU_{}", a.arch.to_uppercase()))
            .unwrap_or_else(|_| format!("qemu-{}", a.arch))
    });
    let host_arch = std::env::consts::ARCH;
    let out_prefix = a
        .out_prefix
        .unwrap_or_else(|| bench_dir().join(format!("results-{}", a.arch)));
    Options {
        runs: a.runs.max(1),
        emu: a
            .use_emu
            .then(|| Runner::emulator(a.emu_path, a.emu_args, a.timeout)),
        qemu: Runner::emulator(PathBuf::from(qemu), Vec::new(), a.timeout),
        native: (a.use_native && a.arch == host_arch).then(|| Runner::native(a.timeout)),
        arch: a.arch,
        out_prefix,
        filters: a.filters,
    }
}

/// The emulator under test, if it is to run and exists.
fn usable_emu(opts: &Options) -> Option<&Runner> {
    opts.emu.as_ref().filter(|e| {
        let program = e.wrapper.as_deref().unwrap_or(Path::new(""));
        let exists = program.is_file();
        if !exists {
            eprintln!(
                "note: {} not found (build it: cargo build --release -p emu-linux-user)",
                program.display()
            );
        }
        exists
    })
}

/// Runs one workload: natively first (when possible), then qemu, then emu; each checked
/// against the first correct output (native's, else qemu's).
fn measure(opts: &Options, emu: Option<&Runner>, w: &Workload) -> Row {
    eprintln!("  {} ...", w.name);
    let (native, native_out) = match &opts.native {
        Some(n) => {
            let (t, out) = time_runs(n, &w.binary, opts.runs, None);
            let out = matches!(t, Timing::Ok(_)).then_some(out).flatten();
            (Some(t), out)
        }
        None => (None, None),
    };
    let (qemu, qemu_out) = time_runs(&opts.qemu, &w.binary, opts.runs, native_out.as_deref());
    let qemu_out = matches!(qemu, Timing::Ok(_)).then_some(qemu_out).flatten();
    let reference = native_out.or(qemu_out);
    let emu = match emu {
        Some(e) => time_runs(e, &w.binary, opts.runs, reference.as_deref()).0,
        None => Timing::Skipped,
    };
    Row {
        workload: w.name.clone(),
        translation_bound: w.translation_bound,
        emu,
        qemu,
        native,
    }
}

fn write_outputs(report: &Report, prefix: &Path) -> Result<(), String> {
    let outputs = [
        ("md", markdown(report)),
        ("json", json(report)),
        ("svg", chart(report)),
    ];
    for (ext, text) in outputs {
        let mut name = prefix.as_os_str().to_owned();
        name.push(format!(".{ext}"));
        let path = PathBuf::from(name);
        std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The workloads some runner failed on.
fn failures(report: &Report) -> Vec<&str> {
    let failed = |t: &Timing| matches!(t, Timing::Failed(_));
    report
        .rows
        .iter()
        .filter(|r| failed(&r.emu) || failed(&r.qemu) || r.native.as_ref().is_some_and(failed))
        .map(|r| r.workload.as_str())
        .collect()
}

fn run(opts: &Options) -> Result<(), String> {
    let workloads = build(&BuildConfig::from_env(&opts.arch), &opts.filters)
        .map_err(|e| format!("building workloads: {e}"))?;
    if workloads.is_empty() {
        return Err("no workload matches the filters".into());
    }
    let emu = usable_emu(opts);
    let rows = workloads.iter().map(|w| measure(opts, emu, w)).collect();
    let report = Report {
        arch: opts.arch.clone(),
        runs: opts.runs,
        emu_command: emu.map_or_else(|| "(not run)".to_string(), Runner::describe),
        qemu_command: opts.qemu.describe(),
        native: opts.native.is_some(),
        rows,
    };
    print!("{}", markdown(&report));
    write_outputs(&report, &opts.out_prefix)?;
    match failures(&report).as_slice() {
        [] => Ok(()),
        failed => Err(format!("failed or wrong output: {}", failed.join(", "))),
    }
}

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(|a| run(&options(a)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("emu-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
