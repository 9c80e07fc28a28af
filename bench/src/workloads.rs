//! Building the benchmark workloads for a guest arch: every `bench/workloads/NAME.c`, plus
//! `manyfuncs`, whose C source `gen_manyfuncs.sh` generates (the translation-bound workload),
//! compiled with `ARCH-linux-gnu-gcc -O2 -static` (the host `gcc` for x86_64) into
//! `<target>/emu-bench/ARCH/`. Rebuilt only when a source is newer than its binary.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One benchmark program, ready to run.
#[derive(Clone, Debug)]
pub struct Workload {
    pub name: String,
    pub binary: PathBuf,
    /// Dominated by translating code that runs once (`manyfuncs`), not by steady-state
    /// execution: reported apart, with its own target.
    pub translation_bound: bool,
}

/// Where the workload sources live and where binaries go.
#[derive(Clone, Debug)]
pub struct BuildConfig {
    pub source_dir: PathBuf,
    pub out_dir: PathBuf,
    pub cc: String,
}

impl BuildConfig {
    /// Sources in `bench/workloads`, binaries under the workspace target directory
    /// (`$CARGO_TARGET_DIR` if set), compiler `$ARCH_CC` (`RISCV64_CC`, `AARCH64_CC`,
    /// `X86_64_CC`) or `ARCH-linux-gnu-gcc` (`gcc` for x86_64, the host).
    pub fn from_env(arch: &str) -> Self {
        let bench_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| bench_dir.join("../target"));
        BuildConfig {
            source_dir: bench_dir.join("workloads"),
            out_dir: target.join("emu-bench").join(arch),
            cc: std::env::var(format!("{}_CC", arch.to_uppercase())).unwrap_or_else(
                |_| match arch {
                    "x86_64" => "gcc".to_string(),
                    _ => format!("{arch}-linux-gnu-gcc"),
                },
            ),
        }
    }
}

/// The name of the generated workload and the script that writes its source.
const GENERATED: (&str, &str) = ("manyfuncs", "gen_manyfuncs.sh");

fn is_newer(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(a), modified(b)) {
        (Some(a), Some(b)) => a > b,
        _ => true,
    }
}

fn run_checked(cmd: &mut Command, what: &str) -> io::Result<()> {
    let status = cmd.status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("{what} failed: {status}")))
    }
}

fn compile(config: &BuildConfig, source: &Path, out: &Path) -> io::Result<()> {
    eprintln!("  CC  {}", out.display());
    let tmp = out.with_extension("tmp");
    run_checked(
        Command::new(&config.cc)
            .args(["-O2", "-static", "-o"])
            .arg(&tmp)
            .arg(source)
            .arg("-lm"),
        &format!("{} {}", config.cc, source.display()),
    )?;
    fs::rename(tmp, out)
}

/// Writes the generated C source when the generator script is newer than it.
fn generate_source(config: &BuildConfig) -> io::Result<PathBuf> {
    let script = config.source_dir.join(GENERATED.1);
    let source = config.out_dir.join(format!("{}.c", GENERATED.0));
    if is_newer(&script, &source) {
        let output = Command::new("bash").arg(&script).output()?;
        if !output.status.success() {
            return Err(io::Error::other(format!("{} failed", script.display())));
        }
        fs::write(&source, output.stdout)?;
    }
    Ok(source)
}

/// The C sources to build, as (name, source path), sorted by name.
fn sources(config: &BuildConfig) -> io::Result<Vec<(String, PathBuf)>> {
    let mut list = Vec::new();
    for entry in fs::read_dir(&config.source_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "c") {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            list.push((name, path));
        }
    }
    list.push((GENERATED.0.to_string(), generate_source(config)?));
    list.sort();
    Ok(list)
}

/// Builds the workloads whose names contain one of `filters` (all if empty).
pub fn build(config: &BuildConfig, filters: &[String]) -> io::Result<Vec<Workload>> {
    fs::create_dir_all(&config.out_dir)?;
    let mut built = Vec::new();
    for (name, source) in sources(config)? {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let binary = config.out_dir.join(&name);
        if is_newer(&source, &binary) {
            compile(config, &source, &binary)?;
        }
        let translation_bound = name == GENERATED.0;
        built.push(Workload {
            name,
            binary,
            translation_bound,
        });
    }
    Ok(built)
}
