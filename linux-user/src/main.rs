//! `emu-user [options] PROGRAM [ARGS...]`: run a Linux program of another ISA. Options follow
//! qemu-user's spelling (single-dash long options such as `-strace`); everything after
//! PROGRAM goes to the guest unparsed. The exit status is the guest's.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use clap::Parser;
use emu_linux_user::debuglog::ITEMS as LOG_ITEMS;
use emu_linux_user::runner::{self, RunConfig};
use emu_linux_user::syscall::LogOptions;

#[derive(Parser, Debug)]
#[command(
    name = "emu-user",
    about = "Run a Linux program built for another ISA (riscv64, aarch64, x86_64) on this host",
    disable_version_flag = true,
    trailing_var_arg = true
)]
struct Cli {
    /// Guest sysroot: the ELF interpreter and absolute guest paths are looked up under it
    /// first (default: $QEMU_LD_PREFIX, else $EMU_LD_PREFIX).
    #[arg(short = 'L', value_name = "path")]
    prefix: Option<PathBuf>,
    /// Set a guest environment variable (repeatable).
    #[arg(short = 'E', value_name = "var=value")]
    set_env: Vec<String>,
    /// Remove a guest environment variable (repeatable).
    #[arg(short = 'U', value_name = "var")]
    unset_env: Vec<String>,
    /// The guest's argv0 (default: PROGRAM).
    #[arg(short = '0', value_name = "argv0")]
    argv0: Option<OsString>,
    /// Log items, comma separated ('-d help' lists them).
    #[arg(short = 'd', value_name = "item[,...]")]
    log_items: Option<String>,
    /// Write logs to this file instead of stderr.
    #[arg(short = 'D', value_name = "logfile")]
    log_file: Option<PathBuf>,
    /// Log only guest code in these ranges: START..END, START+LEN or END-LEN, comma separated.
    #[arg(long = "dfilter", value_name = "range[,...]")]
    dfilter: Option<String>,
    /// Translate one guest instruction per block (for exact -d exec traces; slow).
    #[arg(long = "one-insn-per-tb", alias = "singlestep")]
    one_insn_per_tb: bool,
    /// Append to the -D file (set when a guest exec re-executes emu-user).
    #[arg(long = "log-append", hide = true)]
    log_append: bool,
    /// Log every system call (qemu's -strace).
    #[arg(long = "strace")]
    strace: bool,
    /// Block executions before Cranelift compiles a block (0 = always, 'never' = interpret only).
    #[arg(long = "tier1-threshold", value_name = "N|never", value_parser = parse_threshold)]
    tier1_threshold: Option<u32>,
    /// Wait for gdb on this TCP port before the first instruction (gdb: target remote :port).
    #[arg(short = 'g', value_name = "port")]
    gdb_port: Option<u16>,
    /// CPU model: 'max' (every feature emu implements; the only one per guest arch). '-cpu
    /// help' lists the models and their features.
    #[arg(long = "cpu", value_name = "model")]
    cpu: Option<String>,
    /// Print the version and exit.
    #[arg(long = "version")]
    version: bool,
    /// Print binfmt_misc registration lines (one per supported guest arch, qemu's magic and
    /// mask, this binary as interpreter, no flags) and exit.
    #[arg(long = "binfmt-conf")]
    binfmt_conf: bool,
    /// The program and its arguments.
    #[arg(value_name = "PROGRAM [ARGS...]", allow_hyphen_values = true)]
    command: Vec<OsString>,
}

fn parse_threshold(s: &str) -> Result<u32, String> {
    match s {
        "never" => Ok(u32::MAX),
        _ => s
            .parse()
            .map_err(|_| format!("'{s}' is not a number or 'never'")),
    }
}

/// Options that take a value (their value is never PROGRAM).
const VALUE_OPTIONS: &[&str] = &[
    "-L",
    "-E",
    "-U",
    "-0",
    "-d",
    "-D",
    "-dfilter",
    "--dfilter",
    "-tier1-threshold",
    "--tier1-threshold",
    "-g",
    "-cpu",
    "--cpu",
];
/// qemu-style single-dash long options, rewritten to clap's double-dash spelling.
const SINGLE_DASH_LONG: &[&str] = &[
    "-strace",
    "-version",
    "-tier1-threshold",
    "-help",
    "-binfmt-conf",
    "-dfilter",
    "-one-insn-per-tb",
    "-singlestep",
    "-cpu",
];

/// Rewrite qemu-style options before PROGRAM; nothing after PROGRAM is touched.
fn normalize_args(args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut iter = args.into_iter();
    if let Some(argv0) = iter.next() {
        out.push(argv0);
    }
    let mut expect_value = false;
    let mut in_options = true;
    for a in iter {
        if !in_options || expect_value {
            expect_value = false;
            out.push(a);
            continue;
        }
        let s = a.to_string_lossy().into_owned();
        if s == "--" || !s.starts_with('-') {
            in_options = false;
            if s != "--" {
                // Make sure clap does not take the guest's options as ours.
                out.push("--".into());
            }
            out.push(a);
            continue;
        }
        expect_value = VALUE_OPTIONS.contains(&s.as_str());
        if SINGLE_DASH_LONG.contains(&s.as_str()) {
            out.push(format!("-{s}").into());
        } else {
            out.push(a);
        }
    }
    out
}

/// The guest environment: the host's, with `-U` removals and `-E` settings applied in order.
fn guest_env(cli: &Cli) -> Vec<Vec<u8>> {
    let mut env: Vec<(Vec<u8>, Vec<u8>)> = std::env::vars_os()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect();
    env.retain(|(k, _)| !cli.unset_env.iter().any(|u| u.as_bytes() == k.as_slice()));
    for setting in &cli.set_env {
        let (k, v) = setting.split_once('=').unwrap_or((setting, ""));
        match env.iter_mut().find(|(ek, _)| ek == k.as_bytes()) {
            Some(slot) => slot.1 = v.as_bytes().to_vec(),
            None => env.push((k.as_bytes().to_vec(), v.as_bytes().to_vec())),
        }
    }
    env.into_iter()
        .map(|(mut k, v)| {
            k.push(b'=');
            k.extend(v);
            k
        })
        .collect()
}

/// Parse `-d` items; `Err` carries the message for an unknown item.
fn log_options(cli: &Cli) -> Result<LogOptions, String> {
    let mut opts = LogOptions {
        strace: cli.strace,
        ..LogOptions::default()
    };
    if let Some(items) = &cli.log_items {
        opts.enable(items)?;
    }
    Ok(opts)
}

fn main() {
    let cli = Cli::parse_from(normalize_args(std::env::args_os().collect()));
    if cli.version {
        println!("emu-user version {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    if cli.binfmt_conf {
        let exe = std::env::current_exe().unwrap_or_else(|e| fail(&format!("own path: {e}")));
        print!("{}", emu_linux_user::binfmt::conf_lines(&exe));
        return;
    }
    if cli.log_items.as_deref() == Some("help") {
        println!("Log items (comma separated):");
        for (name, what) in LOG_ITEMS {
            println!("{name:<15} {what}");
        }
        return;
    }
    match cli.cpu.as_deref() {
        Some("help") => {
            print_cpu_models();
            return;
        }
        Some(model) if !CPU_MODELS.contains(&model) => {
            fail(&format!("unknown CPU model '{model}' (try -cpu help)"))
        }
        _ => {}
    }
    let log = log_options(&cli).unwrap_or_else(|e| fail(&e));
    let Some((program, args)) = cli.command.split_first() else {
        fail("no program given (try --help)");
    };
    let mut argv: Vec<Vec<u8>> = vec![cli
        .argv0
        .clone()
        .unwrap_or_else(|| program.clone())
        .as_bytes()
        .to_vec()];
    argv.extend(args.iter().map(|a| a.as_bytes().to_vec()));
    let cfg = RunConfig {
        program: PathBuf::from(program),
        argv,
        envp: guest_env(&cli),
        tier1_threshold: cli
            .tier1_threshold
            .unwrap_or(emu_backend::EngineConfig::default().tier1_threshold),
        log,
        log_file: cli.log_file.clone(),
        log_append: cli.log_append,
        sysroot: emu_linux_user::sysroot::choose(cli.prefix.as_deref(), |k| std::env::var_os(k)),
        dfilter: cli.dfilter.clone(),
        one_insn_per_tb: cli.one_insn_per_tb,
        gdb_port: cli.gdb_port,
    };
    let err = runner::run(&cfg);
    fail(&err.to_string());
}

/// `-cpu` names: emu models one CPU per guest arch, with every feature it implements.
const CPU_MODELS: &[&str] = &["max", "any"];

/// `-cpu help`: the model of each guest arch and the features it has (as its
/// `/proc/cpuinfo` names them).
fn print_cpu_models() {
    println!("Available CPUs (one per guest arch; 'any' is an alias of 'max'):");
    for a in emu_linux_user::arch::ARCHES.iter().filter(|a| a.supported) {
        let features = emu_linux_user::procfs::features(a.arch, a.hwcap);
        println!("  {:<8} max  {features}", a.name);
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("emu-user: {msg}");
    std::process::exit(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn qemu_style_options_and_guest_arguments() {
        let n = normalize_args(v(&[
            "emu-user", "-strace", "-E", "-x=1", "prog", "-strace", "-d",
        ]));
        assert_eq!(
            n,
            v(&["emu-user", "--strace", "-E", "-x=1", "--", "prog", "-strace", "-d"])
        );
        let cli = Cli::parse_from(n);
        assert!(cli.strace);
        assert_eq!(cli.set_env, ["-x=1"]);
        assert_eq!(cli.command, v(&["prog", "-strace", "-d"]));
        let cli = Cli::parse_from(normalize_args(v(&[
            "emu-user",
            "-tier1-threshold",
            "never",
            "p",
        ])));
        assert_eq!(cli.tier1_threshold, Some(u32::MAX));
        let cli = Cli::parse_from(normalize_args(v(&["emu-user", "-binfmt-conf"])));
        assert!(cli.binfmt_conf && cli.command.is_empty());
    }

    #[test]
    fn environment_edits() {
        let cli = Cli::parse_from(v(&[
            "emu-user",
            "-U",
            "PATH",
            "-E",
            "EMU_T=a=b",
            "-E",
            "EMU_T=c",
            "p",
        ]));
        let env = guest_env(&cli);
        assert!(!env.iter().any(|e| e.starts_with(b"PATH=")));
        assert_eq!(
            env.iter()
                .filter(|e| e.starts_with(b"EMU_T="))
                .collect::<Vec<_>>(),
            [b"EMU_T=c"]
        );
    }
}
