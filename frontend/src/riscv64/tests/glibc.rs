//! Coverage on real code: every instruction objdump finds in a static glibc program built with
//! the Debian cross compiler (rv64gc) must translate to something other than an illegal
//! instruction.

use std::process::Command;

use emu_ir::{Block, Builder, ExitReason, Terminal};

use crate::riscv64::Rv64Arch;
use crate::translator::GuestArch;

const PROGRAM: &str = r#"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
static void *work(void *p) { return (void *)(long)(strlen((char *)p) * 3); }
int main(int argc, char **argv) {
    double x = atof(argc > 1 ? argv[1] : "2.5");
    float f = (float)x * 1.25f;
    long l = (long)(x * 1e6);
    pthread_t t;
    void *r;
    pthread_create(&t, 0, work, "abc");
    pthread_join(t, &r);
    printf("%f %g %ld %lu %e %a %p\n", sqrt(x), f, l, (unsigned long)fabs(x), exp(x), log(x), r);
    return 0;
}
"#;

fn translates(bytes: &[u8]) -> bool {
    let mut block = Block::new(0x1000, 0);
    Rv64Arch.translate_insn(0x1000, bytes, &mut Builder::new(&mut block));
    !matches!(
        block.terminal,
        Terminal::Exit {
            reason: ExitReason::IllegalInsn | ExitReason::FetchFault,
            ..
        }
    )
}

#[test]
fn every_instruction_of_a_static_glibc_program_translates() {
    let dir = std::env::temp_dir();
    let stem = dir.join(format!("emu-frontend-glibc-{}", std::process::id()));
    let (c, exe) = (stem.with_extension("c"), stem.with_extension("elf"));
    if std::fs::write(&c, PROGRAM).is_err() {
        return;
    }
    let built = Command::new("riscv64-linux-gnu-gcc")
        .args(["-O2", "-static", "-pthread", "-o"])
        .arg(&exe)
        .arg(&c)
        .arg("-lm")
        .status();
    let _ = std::fs::remove_file(&c);
    if !matches!(built, Ok(s) if s.success()) {
        eprintln!("riscv64-linux-gnu-gcc not available: skipping");
        return;
    }
    let dump = Command::new("riscv64-linux-gnu-objdump")
        .args(["-d", "-M", "no-aliases"])
        .arg(&exe)
        .output();
    let _ = std::fs::remove_file(&exe);
    let Ok(dump) = dump else {
        return;
    };
    let text = String::from_utf8_lossy(&dump.stdout);
    let (mut checked, mut failures) = (0, Vec::new());
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 || !fields[0].trim_end().ends_with(':') {
            continue;
        }
        let (hex, mnemonic) = (fields[1].trim(), fields[2].trim());
        if mnemonic.starts_with('.') || mnemonic.ends_with("unimp") {
            continue; // data, or the deliberate illegal instruction
        }
        let Ok(word) = u32::from_str_radix(hex, 16) else {
            continue;
        };
        let bytes = word.to_le_bytes();
        let len = if hex.len() == 4 { 2 } else { 4 };
        checked += 1;
        if !translates(&bytes[..len]) {
            failures.push(line.to_string());
        }
    }
    assert!(checked > 10_000, "objdump listing not understood");
    let shown: Vec<_> = failures.iter().take(20).collect();
    assert!(
        failures.is_empty(),
        "{} of {checked} illegal:\n{shown:#?}",
        failures.len()
    );
}
