//! The run loop of `emu-user`: build the address space, load the program (and its ELF
//! interpreter, looked up under the sysroot first), build the stack,
//! create CPU, translator and engine, then run guest code, dispatching syscalls, turning
//! guest exceptions into guest signals and delivering pending signals ([`crate::signals`]).
//! It also hands stale-code ranges (self-modifying code, unmapped or re-protected code) to the
//! engine between runs.

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use emu_backend::{DebugExit, Engine, EngineConfig, LogHook, LogWants};
use emu_ir::ExitReason;

use crate::codefetch::GuestCodeFetch;
use crate::debuglog::{self, DebugLog, LogTarget};
use crate::elf::{self, ElfError, FileSpan, LoadedProgram};
use crate::fault;
use crate::gdb::Attached;
use crate::guest_cpu::{self, GuestCpu};
use crate::memory::{AddressSpace, Layout, MapFile};
use crate::signals;
use crate::stack::{self, StackInput};
use crate::symbols::Symbols;
use crate::syscall::{Log, LogOptions, Process};
use crate::sysroot;

/// Everything the command line decides.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub program: PathBuf,
    /// The guest's argv (`argv[0]` included).
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    pub tier1_threshold: u32,
    pub log: LogOptions,
    pub log_file: Option<PathBuf>,
    /// Append to `log_file` instead of truncating it (an emu-user re-executed by a guest exec).
    pub log_append: bool,
    /// `-L` prefix for guest absolute paths.
    pub sysroot: Option<PathBuf>,
    /// `-dfilter`: the guest address ranges `-d` logs (as given).
    pub dfilter: Option<String>,
    /// `-one-insn-per-tb`: blocks of one guest instruction.
    pub one_insn_per_tb: bool,
    /// `-g PORT`: wait for gdb on this TCP port before the first instruction.
    pub gdb_port: Option<u16>,
}

/// Why the guest could not be started. `Display` is the whole message after "emu-user: ".
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}: {1}")]
    Open(String, String),
    #[error("{0}: {1}")]
    Elf(String, ElfError),
    /// Program, interpreter path, OS error text, and a hint when no sysroot was given.
    #[error("{0}: cannot open the ELF interpreter {1}: {2}{3}")]
    Interp(String, String, String, &'static str),
    #[error("{0}: ELF interpreter {1}: {2}")]
    InterpElf(String, String, ElfError),
    #[error("{0}")]
    Setup(String),
}

/// The text of an OS error without Rust's " (os error N)" suffix, as C programs print it.
fn os_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Run the guest to its end; returns only on a start-up error.
pub fn run(cfg: &RunConfig) -> RunError {
    match start(cfg) {
        Ok(never) => match never {},
        Err(e) => e,
    }
}

fn start(cfg: &RunConfig) -> Result<std::convert::Infallible, RunError> {
    let name = cfg.program.display().to_string();
    let image =
        std::fs::read(&cfg.program).map_err(|e| RunError::Open(name.clone(), os_message(&e)))?;
    let setup = |what: &str, e: &dyn std::fmt::Display| RunError::Setup(format!("{what}: {e}"));
    let mut space = AddressSpace::new(Layout::default())
        .map_err(|e| setup("cannot reserve guest memory", &e))?;
    let mut prog = elf::load(&image, &mut space).map_err(|e| RunError::Elf(name.clone(), e))?;
    let mut symbols = Symbols::default();
    if wants_symbols(&cfg.log) {
        symbols.add_elf(&image, prog.bias);
    }
    let exe_path = std::fs::canonicalize(&cfg.program).unwrap_or_else(|_| cfg.program.clone());
    label(&mut space, &exe_path, &prog.file_spans);
    if let Some(interp) = prog.interp.clone() {
        let interp_image = load_interpreter(
            &name,
            &interp,
            cfg.sysroot.as_deref(),
            &mut space,
            &mut prog,
        )?;
        if wants_symbols(&cfg.log) {
            symbols.add_elf(&interp_image, prog.interp_base);
        }
    }
    let execfn = cfg.program.as_os_str().as_encoded_bytes().to_vec();
    let input = StackInput {
        argv: &cfg.argv,
        envp: &cfg.envp,
        execfn: &execfn,
        random: stack::random_bytes(),
    };
    let stack = stack::build(&mut space, &prog, &input)
        .map_err(|e| setup("cannot build the stack", &e.0))?;
    let sp = stack.sp;

    let mem = space.mem.clone();
    let fetch = Arc::new(GuestCodeFetch::new(mem.clone()));
    let max_insns = cfg.one_insn_per_tb.then_some(1);
    let (cpu, translator) = guest_cpu::create(
        prog.arch.arch,
        prog.start,
        sp,
        &mem.window,
        fetch,
        max_insns,
    )
    .ok_or_else(|| RunError::Elf(name.clone(), ElfError::UnsupportedArch(prog.arch.name)))?;
    let log = open_log(cfg)?;
    let filter = match &cfg.dfilter {
        Some(f) => debuglog::parse_dfilter(f).map_err(RunError::Setup)?,
        None => Vec::new(),
    };
    let target = LogTarget {
        out: log.clone(),
        arch: prog.arch.arch,
        mem: mem.clone(),
        symbols: Arc::new(symbols),
        one_insn: cfg.one_insn_per_tb,
    };
    let hook = (cfg.log.engine_wants() != LogWants::default())
        .then(|| LogHook(Arc::new(DebugLog::new(cfg.log, filter, target))));
    let config = EngineConfig {
        tier1_threshold: cfg.tier1_threshold,
        log: hook,
        ..EngineConfig::default()
    };
    let engine =
        Engine::new(translator, config).map_err(|e| setup("cannot start the engine", &e))?;

    let mut process = Process::new(space, prog.arch, exe_path);
    process.log_options = cfg.log;
    process.sysroot = cfg.sysroot.clone();
    process.argv = cfg.argv.clone();
    process.auxv = stack.auxv;
    name_host_thread(&cfg.program);
    process.emulator.engine = Some(engine);
    process.emulator.options = crate::syscall::Emulator::options_for(cfg);
    process.log = log;
    // Rust starts with SIGPIPE ignored; the guest starts with the default action.
    crate::syscall::mirror_sigpipe(0);
    fault::install(&mem).map_err(|e| setup("cannot install the fault handler", &e))?;
    signals::install(&mut process.signals)
        .map_err(|e| setup("cannot install the signal handlers", &e))?;
    let debugger = match cfg.gdb_port {
        Some(port) => Some(
            crate::gdb::listen(port, prog.arch.arch)
                .map_err(|e| setup(&format!("gdb port {port}"), &e))?,
        ),
        None => None,
    };
    process.debugger = debugger.map(Box::new);
    run_thread(cpu, &mut process);
    // The main thread called `exit` while other threads run: the last of them ends the
    // process.
    loop {
        std::thread::park();
    }
}

/// Run one guest thread on the calling host thread until it calls `exit` (the process's end
/// never returns), under gdb when the process has a debugger. Each thread has its own CPU
/// state and vCPU; the engine is shared.
pub fn run_thread(mut cpu: Box<dyn GuestCpu>, process: &mut Process) {
    let Some(engine) = process.emulator.engine.clone() else {
        return;
    };
    let mut vcpu = engine.vcpu();
    fault::set_exit_request(&cpu.header().exit_request);
    if let Some(mut d) = process.debugger.take() {
        d.set_vcpu(vcpu.exit_handle());
        if d.attach(cpu.as_mut(), process) == Attached::Yes {
            process.debugger = Some(d);
        }
    }
    while process.thread.exit_status.is_none() {
        cpu.header().exit_request.store(0, Ordering::Release);
        invalidate_stale_code(&engine, process);
        let env = cpu.env();
        let result = match process.debugger.as_ref().filter(|d| d.is_ours()) {
            None => fault::run_guarded(&mut || {
                // SAFETY: `cpu` is the translator's CPU state with a valid window (the memory
                // stays alive for the whole loop through `process.space`).
                DebugExit::Exit(unsafe { vcpu.run(env) })
            }),
            Some(d) => d.run(|run| {
                fault::run_guarded(&mut || {
                    // SAFETY: as above.
                    unsafe { vcpu.run_debug(env, run) }
                })
            }),
        };
        let exit = match result {
            Ok(exit) => {
                if let DebugExit::Exit(reason) = exit {
                    handle_exit(reason, cpu.as_mut(), process);
                }
                Some(exit)
            }
            Err(f) => {
                vcpu.fault_recovered();
                signals::memory_fault(cpu.as_mut(), process, f);
                None
            }
        };
        if let Some(mut d) = process.debugger.take().filter(|d| d.is_ours()) {
            if d.after_run(exit, cpu.as_mut(), process) == Attached::Yes {
                process.debugger = Some(d);
            }
        }
    }
    crate::threads::finish(process);
}

/// Name the emulator's main thread after the guest program (`/proc/self/comm`, `ps`), as the
/// kernel names a process after the file it executes (15 bytes at most).
fn name_host_thread(program: &Path) {
    let base = program.file_name().map_or(&b""[..], |n| n.as_bytes());
    let mut name = [0u8; 16];
    let n = base.len().min(15);
    name[..n].copy_from_slice(&base[..n]);
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes from a local.
    unsafe { libc::prctl(libc::PR_SET_NAME, name.as_ptr()) };
}

/// The `-D` file, or stderr.
fn open_log(cfg: &RunConfig) -> Result<Log, RunError> {
    let Some(path) = &cfg.log_file else {
        return Ok(Log::new(Box::new(std::io::stderr())));
    };
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .append(cfg.log_append)
        .truncate(!cfg.log_append)
        .open(path)
        .map_err(|e| RunError::Setup(format!("{}: {e}", path.display())))?;
    Ok(Log::new(Box::new(f)))
}

/// Whether the `-d` items print symbol names.
fn wants_symbols(log: &LogOptions) -> bool {
    log.in_asm || log.exec
}

/// Read the program's `PT_INTERP` file (under the sysroot first) and load it; returns its
/// image.
fn load_interpreter(
    name: &str,
    interp: &[u8],
    sysroot: Option<&Path>,
    space: &mut AddressSpace,
    prog: &mut LoadedProgram,
) -> Result<Vec<u8>, RunError> {
    let shown = String::from_utf8_lossy(interp).into_owned();
    let host = sysroot::resolve(sysroot, interp);
    let path = Path::new(OsStr::from_bytes(&host));
    let image = std::fs::read(path).map_err(|e| {
        let hint = if sysroot.is_none() {
            " (give the guest sysroot with -L or QEMU_LD_PREFIX)"
        } else {
            ""
        };
        RunError::Interp(name.to_string(), shown.clone(), os_message(&e), hint)
    })?;
    let spans = elf::load_interpreter(&image, space, prog)
        .map_err(|e| RunError::InterpElf(name.to_string(), shown, e))?;
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    label(space, &path, &spans);
    Ok(image)
}

/// Name the loader-filled pages of `path` for `/proc/self/maps`.
fn label(space: &mut AddressSpace, path: &Path, spans: &[FileSpan]) {
    use std::os::unix::fs::MetadataExt;
    let (dev, inode) = std::fs::metadata(path).map_or((0, 0), |m| (m.dev(), m.ino()));
    let file = Arc::new(MapFile {
        path: path.to_path_buf(),
        dev,
        inode,
    });
    for s in spans {
        space.add_label(s.start, s.end, s.offset, &file);
    }
}

/// Give the engine every guest range whose translations went stale.
fn invalidate_stale_code(engine: &Engine, process: &mut Process) {
    let pending = fault::take_pending();
    if pending.everything {
        engine.invalidate(0, process.space.mem.window.size());
    }
    for page in pending.pages {
        engine.invalidate(page, crate::window::PAGE_SIZE);
    }
    for (start, len) in process.space.take_invalidations() {
        engine.invalidate(start, len);
    }
}

/// `-d unimp`: name the x86_64 instruction that is not implemented (or invalid) at `pc`.
fn log_illegal(process: &mut Process, pc: u64) {
    if !process.log_options.unimp || process.arch.arch != crate::arch::GuestArch::X86_64 {
        return;
    }
    let Some(bytes) = (1..=15)
        .rev()
        .find_map(|n| process.space.read_bytes(pc, n).ok())
    else {
        return;
    };
    let what = emu_frontend::x86_64::describe(&bytes, pc);
    let _ = writeln!(
        process.log,
        "emu-user: illegal instruction at {pc:#x}: {what}"
    );
}

/// Act on why guest code stopped.
fn handle_exit(reason: ExitReason, cpu: &mut dyn GuestCpu, process: &mut Process) {
    if process.arch.arch == crate::arch::GuestArch::X86_64 {
        x86_exception(reason, cpu, process);
    } else {
        generic_exit(reason, cpu, process);
    }
    signals::deliver(cpu, process);
}

/// How riscv64 and aarch64 (and x86_64 syscalls and fetch faults) stop.
fn generic_exit(reason: ExitReason, cpu: &mut dyn GuestCpu, process: &mut Process) {
    let pc = cpu.header().pc;
    match reason {
        ExitReason::Syscall => {
            // Runs the syscall (rt_sigreturn and restarts included) and sets the result.
            signals::syscall(cpu, process);
            crate::syscall::apply_to_cpu(process, cpu);
        }
        ExitReason::Halt => {}
        ExitReason::IllegalInsn => {
            log_illegal(process, pc);
            signals::sync_signal(cpu, process, libc::SIGILL, signals::ILL_ILLOPC, pc);
        }
        ExitReason::Breakpoint => {
            signals::sync_signal(cpu, process, libc::SIGTRAP, signals::TRAP_BRKPT, pc);
        }
        ExitReason::FetchFault | ExitReason::Exception(_) => signals::fetch_fault(cpu, process),
    }
}

/// x86 exceptions become the signals Linux's x86 trap handlers send (vector recorded for
/// the frame's `trapno`): #DE → SIGFPE, #UD → SIGILL (ILL_ILLOPN), #GP → SIGSEGV and INT3
/// (whose pc is already past it: a trap) → SIGTRAP, both SI_KERNEL with no address.
fn x86_exception(reason: ExitReason, cpu: &mut dyn GuestCpu, process: &mut Process) {
    use emu_frontend::x86_64::{EXC_DIVIDE, EXC_GP};
    let pc = cpu.header().pc;
    let (trap, sig, code, addr) = match reason {
        ExitReason::Exception(EXC_DIVIDE) => {
            (signals::TRAP_DIVIDE, libc::SIGFPE, signals::FPE_INTDIV, pc)
        }
        ExitReason::Exception(EXC_GP) => (signals::TRAP_GP, libc::SIGSEGV, signals::SI_KERNEL, 0),
        ExitReason::IllegalInsn => {
            log_illegal(process, pc);
            let code = signals::ILL_ILLOPN;
            (signals::TRAP_INVALID_OPCODE, libc::SIGILL, code, pc)
        }
        ExitReason::Breakpoint => {
            let code = signals::SI_KERNEL;
            (signals::TRAP_BREAKPOINT, libc::SIGTRAP, code, 0)
        }
        other => return generic_exit(other, cpu, process),
    };
    signals::record_trap(process, trap);
    signals::sync_signal(cpu, process, sig, code, addr);
}
