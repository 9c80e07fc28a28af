//! Fuzzing entry point for the ELF loader: arbitrary bytes as the guest executable, through
//! everything `emu-user PROGRAM` does before running guest code (see [`crate::runner`]):
//! header checks and arch detection, segment mapping into a fresh guest address space, the
//! symbol table `-d` logging reads, `PT_INTERP` lookup under a sysroot, loading an ELF
//! interpreter, the initial stack, the CPU and translator for the detected arch, and the
//! translation of the first block at the start address out of guest memory.
//!
//! The `cargo fuzz` target `elf_loader` and the stable regression test
//! (`tests/fuzz_regressions.rs`) both call [`load_image`]. It must return for every input:
//! a malformed file is an [`ElfError`]; a panic, a hang or an allocation sized by a header
//! field is a bug.

use std::path::Path;
use std::sync::Arc;

use crate::codefetch::GuestCodeFetch;
use crate::elf::{self, ElfError, LoadedProgram};
use crate::guest_cpu;
use crate::memory::{AddressSpace, Layout};
use crate::stack::{self, StackInput};
use crate::symbols::Symbols;
use crate::sysroot;

/// The sysroot a `PT_INTERP` path is resolved under (never read: the interpreter image is the
/// input itself).
const SYSROOT: &str = "/nonexistent-sysroot";

/// Load `image` as `emu-user` loads a program. A program with a `PT_INTERP` gets `image`
/// itself as its interpreter (always refused: an interpreter has no interpreter); a static
/// one is then loaded a second time as its own interpreter (`ld.so` is a static PIE), so both
/// loading paths see every input and execution starts in the second copy. Returns the loaded
/// program.
///
/// # Panics
/// Only on a bug (or when the host cannot reserve the guest address space).
pub fn load_image(image: &[u8]) -> Result<LoadedProgram, ElfError> {
    let mut space = AddressSpace::new(Layout::default()).expect("reserve the guest window");
    let mut prog = elf::load(image, &mut space)?;
    let mut symbols = Symbols::default();
    symbols.add_elf(image, prog.bias);
    if let Some(interp) = prog.interp.clone() {
        sysroot::resolve(Some(Path::new(SYSROOT)), &interp);
    }
    // Unlike the runner, a refused interpreter does not end the load: the stack and the first
    // block are still worth checking.
    if let Ok(spans) = elf::load_interpreter(image, &mut space, &mut prog) {
        assert!(
            prog.interp.is_none(),
            "an interpreter with PT_INTERP loaded"
        );
        for s in spans {
            assert!(s.start < s.end, "empty interpreter file span {s:?}");
        }
    }
    let input = StackInput {
        argv: &[b"prog".to_vec()],
        envp: &[b"A=1".to_vec()],
        execfn: b"prog",
        random: [0; 16],
    };
    let Ok(stack) = stack::build(&mut space, &prog, &input) else {
        return Ok(prog);
    };
    let fetch = Arc::new(GuestCodeFetch::new(space.mem.clone()));
    let (_cpu, translator) = guest_cpu::create(
        prog.arch.arch,
        prog.start,
        stack.sp,
        &space.mem.window,
        fetch,
        None,
    )
    .ok_or(ElfError::UnsupportedArch(prog.arch.name))?;
    let mut block = translator.translate(prog.start, 0);
    emu_ir::passes::optimize(&mut block);
    if let Err(e) = emu_ir::verify::verify(&block) {
        panic!("invalid first block at {:#x}: {e}", prog.start);
    }
    Ok(prog)
}
