//! `emu-bench`: builds the workloads for a guest arch (riscv64 by default), runs each N times
//! under `emu-user` and under `qemu-ARCH`, prints a markdown table of median times and the
//! emu/qemu ratio (with the geometric mean), and writes the same as JSON (default
//! `bench/results.json`, or `bench/results-ARCH.json` for another arch).
//!
//! Usage: `cargo run --release -p emu-bench -- [--arch A] [--runs N] [--emu PATH]
//! [--emu-arg ARG]... [--qemu PATH] [--json PATH] [--timeout SECS] [--no-emu]
//! [WORKLOAD-FILTER...]`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use emu_bench::measure::{time_runs, Emulator, Timing};
use emu_bench::report::{json, markdown, Row};
use emu_bench::workloads::{build, BuildConfig};

const USAGE: &str = "usage: emu-bench [--arch A] [--runs N] [--emu PATH] [--emu-arg ARG]... \
[--qemu PATH] [--json PATH] [--timeout SECS] [--no-emu] [WORKLOAD-FILTER...]
  --arch A       guest arch: riscv64 (default) or aarch64
  --runs N       runs per workload and emulator (default 5; the median is reported)
  --emu PATH     emulator under test (default $EMU_USER or target/release/emu-user)
  --emu-arg ARG  option passed to emu before the program (repeatable, e.g. -tier1-threshold)
  --qemu PATH    the peer (default $QEMU_ARCH, e.g. $QEMU_RISCV64, or qemu-ARCH)
  --json PATH    where to write the results (default bench/results.json for riscv64,
                 bench/results-ARCH.json otherwise)
  --timeout SECS kill a run after this long and report it as failed (default 120)
  --no-emu       time qemu only";

#[derive(Debug)]
struct Options {
    arch: String,
    runs: usize,
    emu: Option<Emulator>,
    qemu: Emulator,
    json_path: PathBuf,
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

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut arch = "riscv64".to_string();
    let mut runs = 5;
    let mut emu_path = default_emu_path();
    let mut emu_args = Vec::new();
    let mut use_emu = true;
    let mut qemu = None;
    let mut json_path = None;
    let mut filters = Vec::new();
    let mut timeout = Duration::from_secs(120);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--arch" => {
                arch = value("--arch")?;
                if !["riscv64", "aarch64"].contains(&arch.as_str()) {
                    return Err(format!("--arch: {arch} is not riscv64 or aarch64"));
                }
            }
            "--runs" => {
                runs = value("--runs")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?
            }
            "--emu" => emu_path = PathBuf::from(value("--emu")?),
            "--emu-arg" => emu_args.push(value("--emu-arg")?),
            "--qemu" => qemu = Some(value("--qemu")?),
            "--json" => json_path = Some(PathBuf::from(value("--json")?)),
            "--timeout" => {
                let secs = value("--timeout")?;
                timeout = Duration::from_secs(secs.parse().map_err(|e| format!("--timeout: {e}"))?);
            }
            "--no-emu" => use_emu = false,
            "-h" | "--help" => return Err(USAGE.to_string()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            _ => filters.push(arg),
        }
    }
    let qemu = qemu.unwrap_or_else(|| {
        std::env::var(format!("QEMU_{}", arch.to_uppercase()))
            .unwrap_or_else(|_| format!("qemu-{arch}"))
    });
    let json_path = json_path.unwrap_or_else(|| match arch.as_str() {
        "riscv64" => bench_dir().join("results.json"),
        _ => bench_dir().join(format!("results-{arch}.json")),
    });
    Ok(Options {
        arch,
        runs: runs.max(1),
        emu: use_emu.then_some(Emulator {
            program: emu_path,
            args: emu_args,
            timeout,
        }),
        qemu: Emulator {
            program: PathBuf::from(qemu),
            args: Vec::new(),
            timeout,
        },
        json_path,
        filters,
    })
}

fn describe(emu: &Emulator) -> String {
    let mut parts = vec![emu.program.display().to_string()];
    parts.extend(emu.args.iter().cloned());
    parts.join(" ")
}

fn run(opts: &Options) -> Result<(), String> {
    let workloads = build(&BuildConfig::from_env(&opts.arch), &opts.filters)
        .map_err(|e| format!("building workloads: {e}"))?;
    if workloads.is_empty() {
        return Err("no workload matches the filters".into());
    }
    let emu = opts.emu.as_ref().filter(|e| {
        let exists = e.program.is_file();
        if !exists {
            eprintln!(
                "note: {} not found (build it: cargo build --release -p emu-linux-user)",
                e.program.display()
            );
        }
        exists
    });
    let mut rows = Vec::new();
    for w in &workloads {
        eprintln!("  {} ...", w.name);
        let (qemu, reference) = time_runs(&opts.qemu, &w.binary, opts.runs, None);
        let emu = match emu {
            Some(e) => time_runs(e, &w.binary, opts.runs, reference.as_deref()).0,
            None => Timing::Skipped,
        };
        rows.push(Row {
            workload: w.name.clone(),
            emu,
            qemu,
        });
    }
    print!("{}", markdown(&rows));
    let emu_desc = opts
        .emu
        .as_ref()
        .map_or_else(|| "(not run)".to_string(), describe);
    let doc = json(&rows, opts.runs, &emu_desc, &describe(&opts.qemu));
    std::fs::write(&opts.json_path, doc)
        .map_err(|e| format!("writing {}: {e}", opts.json_path.display()))?;
    eprintln!("wrote {}", opts.json_path.display());
    Ok(())
}

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(|opts| run(&opts));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("emu-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
