//! emu-difftest: a differential CPU tester. Random short instruction sequences with random
//! register, flag, FP and memory state run under a reference (qemu-user, or the host CPU for
//! x86_64) and under emu-user (tier 0 and/or tier 1); every architectural result is
//! compared, and mismatches are shrunk to a minimal case and printed. This file owns the
//! command line, the run loop and the summary; see README.md for the design.

mod arch;
mod elf;
mod filter;
mod layout;
mod program;
mod report;
mod rng;
mod runner;
mod session;
mod shrink;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use arch::{ArchSpec, Reference};
use filter::{print_skips, Filter};
use rng::Rng;
use runner::Runner;
use session::{Case, Outcome, Session};

/// Differential CPU tester: emu-user against qemu-user (riscv64, aarch64) or the host CPU
/// (x86_64).
#[derive(Parser, Debug)]
#[command(name = "emu-difftest", version)]
struct Args {
    /// Guest architecture.
    #[arg(long, value_parser = ["riscv64", "aarch64", "x86_64"])]
    arch: String,
    /// Number of cases.
    #[arg(long, default_value_t = 1000)]
    iterations: u64,
    /// Random seed (a run is a pure function of its options).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// emu-user tiers to test: 0 (IR interpreter), 1 (Cranelift) or both.
    #[arg(long, default_value = "both", value_parser = ["0", "1", "both"])]
    tier: String,
    /// Instructions per case.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=16))]
    insns: u32,
    /// emu-user binary (default: the one next to this binary).
    #[arg(long)]
    emu: Option<PathBuf>,
    /// Reference command (default: qemu-riscv64 / qemu-aarch64 from PATH; x86_64: run natively).
    #[arg(long)]
    reference: Option<PathBuf>,
    /// Save the one-case program of every reported minimal mismatch in this directory.
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Temporarily skip instructions by generator name or mnemonic (printed in the summary).
    #[arg(long = "exclude", value_name = "NAME")]
    exclude: Vec<String>,
    /// Temporarily stop comparing some bits of a register, e.g. `mxcsr:0x2` (printed in the
    /// summary; for a known mismatch that would hide everything else).
    #[arg(long = "mask", value_name = "FIELD:BITS")]
    mask: Vec<String>,
    /// Cases per batch program.
    #[arg(long, default_value_t = 250)]
    batch: usize,
    /// Mismatches shrunk and printed in full (the rest get one line each).
    #[arg(long, default_value_t = 10)]
    max_reports: usize,
    /// Print progress and every mismatch as it is found.
    #[arg(short, long)]
    verbose: bool,
}

/// A setup problem: exit status 2.
struct SetupError(String);

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(SetupError(msg)) => {
            eprintln!("emu-difftest: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Looks `name` up in PATH.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn reference_runner(arch: &dyn ArchSpec, args: &Args) -> Result<Runner, SetupError> {
    let timeout = Duration::from_secs(60);
    match (arch.reference(), &args.reference) {
        (_, Some(path)) if !path.is_file() => Err(SetupError(format!(
            "reference {} does not exist",
            path.display()
        ))),
        (_, Some(path)) => Ok(Runner {
            label: format!("reference {}", path.display()),
            prefix: vec![path.into()],
            timeout,
        }),
        (Reference::Qemu(name), None) => {
            let path = which(name).ok_or_else(|| {
                SetupError(format!(
                    "reference {name} not found in PATH (install qemu-user, or pass --reference)"
                ))
            })?;
            Ok(Runner {
                label: name.to_string(),
                prefix: vec![path.into()],
                timeout,
            })
        }
        (Reference::Native, None) if cfg!(target_arch = "x86_64") => Ok(Runner {
            label: "host CPU".to_string(),
            prefix: Vec::new(),
            timeout,
        }),
        (Reference::Native, None) => Err(SetupError(format!(
            "the {} reference is the host CPU, but this host is not {}",
            arch.name(),
            arch.name()
        ))),
    }
}

fn emu_runners(args: &Args) -> Result<Vec<Runner>, SetupError> {
    let emu = match &args.emu {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("emu-user")))
            .ok_or_else(|| SetupError("cannot locate emu-user; pass --emu".into()))?,
    };
    if !emu.is_file() {
        return Err(SetupError(format!(
            "emu-user not found at {} (build it with `cargo build -p emu-linux-user`, or pass --emu)",
            emu.display()
        )));
    }
    let tiers: &[(&str, &str)] = match args.tier.as_str() {
        "0" => &[("tier0", "never")],
        "1" => &[("tier1", "0")],
        _ => &[("tier0", "never"), ("tier1", "0")],
    };
    Ok(tiers
        .iter()
        .map(|(label, threshold)| Runner {
            label: format!("emu {label}"),
            prefix: vec![
                emu.clone().into(),
                OsString::from("-tier1-threshold"),
                OsString::from(*threshold),
            ],
            timeout: Duration::from_secs(120),
        })
        .collect())
}

/// One mismatching (case, tier).
struct Mismatch {
    index: u64,
    tier: usize,
    case: Case,
    r: Outcome,
    e: Outcome,
}

fn run(args: &Args) -> Result<usize, SetupError> {
    let arch = arch::by_name(&args.arch).ok_or_else(|| SetupError("unknown arch".into()))?;
    let reference = reference_runner(arch.as_ref(), args)?;
    let emus = emu_runners(args)?;
    let workdir = std::env::temp_dir().join(format!("emu-difftest-{}", std::process::id()));
    std::fs::create_dir_all(&workdir)
        .map_err(|e| SetupError(format!("cannot create {}: {e}", workdir.display())))?;
    let mut session = Session::new(arch, reference, workdir.clone());
    session.ignored = parse_masks(session.arch.as_ref(), &args.mask)?;
    let result = run_session(&session, &emus, args);
    let _ = std::fs::remove_dir_all(&workdir);
    result
}

/// Parses `--mask FIELD:BITS` options.
fn parse_masks(arch: &dyn ArchSpec, masks: &[String]) -> Result<Vec<(usize, u64)>, SetupError> {
    masks
        .iter()
        .map(|m| {
            let bad = || SetupError(format!("--mask {m}: expected FIELD:BITS, e.g. mxcsr:0x2"));
            let (name, bits) = m.split_once(':').ok_or_else(bad)?;
            let layout = arch.layout();
            let i = layout.field_index(name).ok_or_else(bad)?;
            let bits = bits.trim_start_matches("0x");
            let bits = u64::from_str_radix(bits, 16).map_err(|_| bad())?;
            Ok((i, bits))
        })
        .collect()
}

/// Checks that the reference runs an empty case (catches a broken reference early).
fn sanity_check(s: &Session, rng: &mut Rng) -> Result<(), SetupError> {
    let case = Case {
        insns: Vec::new(),
        input: arch::random_state(s.arch.as_ref(), rng),
    };
    match &s.run(&s.reference, &[case])[0] {
        Ok(r) if r.sig == 0 => Ok(()),
        Ok(r) => Err(SetupError(format!(
            "the reference faulted (signal {}) on an empty case",
            r.sig
        ))),
        Err(e) => Err(SetupError(format!(
            "the reference cannot run the test program: {e}"
        ))),
    }
}

fn run_session(s: &Session, emus: &[Runner], args: &Args) -> Result<usize, SetupError> {
    let mut rng = Rng::new(args.seed);
    sanity_check(s, &mut Rng::new(0))?;
    let mut filter = Filter {
        arch: s.arch.as_ref(),
        exclude: &args.exclude,
        hits: BTreeMap::new(),
    };
    let mut mismatches = Vec::new();
    let mut ref_failures = 0;
    let mut index = 0u64;
    while index < args.iterations {
        let n = (args.iterations - index).min(args.batch.max(1) as u64);
        let cases: Vec<Case> = (0..n)
            .map(|_| Case {
                insns: filter.sequence(&mut rng, args.insns as usize),
                input: arch::random_state(s.arch.as_ref(), &mut rng),
            })
            .collect();
        ref_failures += run_batch(s, emus, args, index, &cases, &mut mismatches);
        index += n;
        if args.verbose {
            println!(
                "{index}/{} cases, {} mismatches",
                args.iterations,
                mismatches.len()
            );
        }
    }
    report_mismatches(s, emus, args, &mismatches);
    print_skips(s, &filter);
    if ref_failures > 0 {
        println!("{ref_failures} cases the reference failed to run (not compared)");
    }
    let cases: BTreeSet<u64> = mismatches.iter().map(|m| m.index).collect();
    println!("{} cases, {} mismatches", args.iterations, cases.len());
    Ok(cases.len())
}

/// Runs one batch (cases numbered from `first`) under the reference and every emu tier,
/// appends the mismatches, and returns how many cases the reference failed to run.
fn run_batch(
    s: &Session,
    emus: &[Runner],
    args: &Args,
    first: u64,
    cases: &[Case],
    mismatches: &mut Vec<Mismatch>,
) -> usize {
    let refs = s.run(&s.reference, cases);
    for (i, r) in refs.iter().enumerate() {
        if let Err(e) = r {
            println!("reference failed on case {}: {e}", first + i as u64);
        }
    }
    for (t, emu) in emus.iter().enumerate() {
        let outs = s.run(emu, cases);
        for (i, (case, (r, e))) in cases.iter().zip(refs.iter().zip(outs)).enumerate() {
            if !s.mismatches(case, r, &e) {
                continue;
            }
            let m = Mismatch {
                index: first + i as u64,
                tier: t,
                case: case.clone(),
                r: r.clone(),
                e,
            };
            if args.verbose {
                println!("{}", one_line(s, emus, &m));
            }
            mismatches.push(m);
        }
    }
    refs.iter().filter(|r| r.is_err()).count()
}

fn one_line(s: &Session, emus: &[Runner], m: &Mismatch) -> String {
    let names: Vec<&str> = m.case.insns.iter().map(|i| i.mnemonic.as_str()).collect();
    format!(
        "mismatch: case {} {}: [{}] differ: {}",
        m.index,
        emus[m.tier].label,
        names.join("; "),
        report::diff_names(s, &m.case, &m.r, &m.e)
    )
}

/// Shrinks and prints up to `--max-reports` mismatches (preferring ones with instructions
/// not seen in an earlier report), then one line for each of the others.
fn report_mismatches(s: &Session, emus: &[Runner], args: &Args, ms: &[Mismatch]) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut seen_cases = BTreeSet::new();
    let mut reported = 0;
    for m in ms {
        let new =
            m.case.insns.iter().any(|i| !seen.contains(&i.mnemonic)) && seen_cases.insert(m.index);
        if reported >= args.max_reports || !new {
            if !args.verbose {
                println!("{}", one_line(s, emus, m));
            }
            continue;
        }
        reported += 1;
        let emu = &emus[m.tier];
        let min = shrink::shrink(s, emu, &m.case);
        let (_, r, e) = s.check(emu, std::slice::from_ref(&min)).remove(0);
        seen.extend(min.insns.iter().map(|i| i.mnemonic.clone()));
        println!(
            "\n=== mismatch {reported}: {} {} (case {} of seed {}), minimal case:",
            s.arch.name(),
            emu.label,
            m.index,
            args.seed
        );
        print!("{}", report::disassembly(s, &min));
        println!("  input:");
        print!("{}", report::input_state(s, &min));
        println!("  output:");
        print!("{}", report::outputs(s, &min, &r, &e));
        if let Some(dir) = &args.keep {
            keep(
                s,
                dir,
                &format!("{}-case{}-{}.elf", s.arch.name(), m.index, reported),
                &min,
            );
        }
    }
}

fn keep(s: &Session, dir: &Path, name: &str, case: &Case) {
    match s.keep(dir, name, case) {
        Ok(p) => println!("  kept: {}", p.display()),
        Err(e) => println!("  cannot keep {name}: {e}"),
    }
}
