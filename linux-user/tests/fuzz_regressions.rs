//! Replays the `elf_loader` fuzz target's kept inputs (`fuzz/regressions/elf_loader/`, each a
//! crash, hang or runaway allocation the fuzzer found, and the seeds in `fuzz/seeds/elf_loader/`)
//! through the function the target calls: loading must end in a program or an `ElfError`.

use std::path::Path;

#[test]
fn elf_loader_regressions() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    for path in emu_frontend::fuzzing::kept_inputs(&fuzz, "elf_loader") {
        let image = std::fs::read(&path).expect("read a kept input");
        let result = emu_linux_user::fuzzing::load_image(&image);
        eprintln!("{}: {:?}", path.display(), result.map(|p| p.entry));
    }
}
