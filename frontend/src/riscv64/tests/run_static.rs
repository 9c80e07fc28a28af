//! Smoke test on real code: a static glibc program (printf of doubles, math, string
//! functions) runs through this frontend and the IR interpreter with a minimal ELF loader and
//! a handful of Linux syscalls emulated here, and must print exactly what qemu-riscv64 prints.
//! This is not the linux-user implementation, only enough of one to drive the translator over
//! glibc's startup, stdio and libm code.

use std::process::Command;
use std::sync::Arc;

use emu_ir::interp::{interpret, BlockExit};
use emu_ir::{ExitReason, Translator};

use crate::riscv64::{Rv64Cpu, Rv64Translator};
use crate::BufferFetch;

const PROGRAM: &str = r#"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    double x = 2.5;
    char buf[64];
    snprintf(buf, sizeof buf, "%s-%d", "abc", 42);
    printf("%f %g %e %.17g\n", sqrt(x), x * 3, exp(x), log(x));
    printf("%s %zu %ld %x\n", buf, strlen(buf), (long)(x * 1e6), 0xdeadbeefu);
    float f = 1.0f / 3.0f;
    printf("%a %.9g %d\n", f, f, (int)lround(x));
    return argc - 1;
}
"#;

/// Size of the guest address window (a power of two; addresses are masked to it).
const WINDOW: usize = 1 << 26;
const STACK_TOP: u64 = 0x300_0000;
const MMAP_TOP: u64 = 0x3f0_0000;

fn u64_at(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8)
        .map_or(0, |s| u64::from_le_bytes(s.try_into().unwrap_or([0; 8])))
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .map_or(0, |s| u32::from_le_bytes(s.try_into().unwrap_or([0; 4])))
}

/// The loaded program: entry point, program headers' address and count, end of the image.
struct Image {
    entry: u64,
    phdr: u64,
    phnum: u64,
    end: u64,
}

/// Load the PT_LOAD segments of a static, non-PIE ELF64 into `mem`.
fn load_elf(elf: &[u8], mem: &mut [u8]) -> Image {
    let (entry, phoff) = (u64_at(elf, 0x18), u64_at(elf, 0x20) as usize);
    let phnum = usize::from(u16::from_le_bytes([elf[0x38], elf[0x39]]));
    let (mut end, mut phdr) = (0, 0);
    for n in 0..phnum {
        let ph = phoff + 56 * n;
        if u32_at(elf, ph) != 1 {
            continue;
        }
        let (off, vaddr) = (
            u64_at(elf, ph + 8) as usize,
            u64_at(elf, ph + 0x10) as usize,
        );
        let (filesz, memsz) = (
            u64_at(elf, ph + 0x20) as usize,
            u64_at(elf, ph + 0x28) as usize,
        );
        mem[vaddr..vaddr + filesz].copy_from_slice(&elf[off..off + filesz]);
        if off == 0 {
            phdr = (vaddr + phoff) as u64;
        }
        end = end.max((vaddr + memsz) as u64);
    }
    Image {
        entry,
        phdr,
        phnum: phnum as u64,
        end,
    }
}

/// Build the initial stack (argc, argv, envp, auxv) and return the stack pointer.
fn initial_stack(mem: &mut [u8], image: &Image) -> u64 {
    let name = b"prog\0";
    let strings = STACK_TOP - 64;
    mem[strings as usize..strings as usize + name.len()].copy_from_slice(name);
    let random = strings + 16; // 16 bytes of AT_RANDOM data (zeros)
    let auxv: [(u64, u64); 12] = [
        (3, image.phdr),
        (4, 56),
        (5, image.phnum),
        (6, 4096),
        (9, image.entry),
        (11, 0),
        (12, 0),
        (13, 0),
        (14, 0),
        (23, 0),
        (25, random),
        (0, 0),
    ];
    let mut words = vec![1, strings, 0, 0]; // argc, argv[0], NULL, envp NULL
    for (k, v) in auxv {
        words.extend([k, v]);
    }
    let sp = (strings - 8 * words.len() as u64) & !15;
    for (n, w) in words.iter().enumerate() {
        let at = sp as usize + 8 * n;
        mem[at..at + 8].copy_from_slice(&w.to_le_bytes());
    }
    sp
}

/// The emulated process state the syscalls need.
struct Process {
    brk: u64,
    mmap_next: u64,
    stdout: Vec<u8>,
    exit: Option<u64>,
}

const ENOSYS: u64 = (-38i64) as u64;
const ENOENT: u64 = (-2i64) as u64;

impl Process {
    fn syscall(&mut self, cpu: &mut Rv64Cpu, mem: &mut [u8]) -> u64 {
        let a = |n: usize| cpu.x[10 + n];
        let mask = (WINDOW - 1) as u64;
        match cpu.x[17] {
            64 => {
                let (fd, buf, len) = (a(0), (a(1) & mask) as usize, a(2) as usize);
                if fd == 1 {
                    self.stdout.extend_from_slice(&mem[buf..buf + len]);
                }
                len as u64
            }
            93 | 94 => {
                self.exit = Some(a(0));
                0
            }
            96 => 1000,
            214 => {
                if a(0) >= self.brk {
                    self.brk = a(0);
                }
                self.brk
            }
            222 => {
                let len = (a(1) + 4095) & !4095;
                self.mmap_next -= len;
                self.mmap_next
            }
            215 | 226 | 57 => 0,
            261 => {
                let old = (a(3) & mask) as usize;
                if old != 0 {
                    mem[old..old + 8].copy_from_slice(&(8u64 << 20).to_le_bytes());
                    mem[old + 8..old + 16].copy_from_slice(&u64::MAX.to_le_bytes());
                }
                0
            }
            278 => a(1),
            56 | 78 => ENOENT,
            _ => ENOSYS,
        }
    }
}

fn build(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let c = dir.join(format!("emu-frontend-static-{}.c", std::process::id()));
    let exe = c.with_extension("elf");
    std::fs::write(&c, PROGRAM).ok()?;
    let ok = Command::new("riscv64-linux-gnu-gcc")
        .args(["-O2", "-static", "-o"])
        .arg(&exe)
        .arg(&c)
        .arg("-lm")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let _ = std::fs::remove_file(&c);
    ok.then_some(exe)
}

#[test]
fn static_glibc_program_prints_what_qemu_prints() {
    let Some(exe) = build(&std::env::temp_dir()) else {
        eprintln!("riscv64-linux-gnu-gcc not available: skipping");
        return;
    };
    let want = Command::new("qemu-riscv64").arg(&exe).output();
    let elf = std::fs::read(&exe).unwrap_or_default();
    let _ = std::fs::remove_file(&exe);
    let Ok(want) = want else {
        eprintln!("qemu-riscv64 not available: skipping");
        return;
    };

    let mut mem = vec![0u8; WINDOW];
    let image = load_elf(&elf, &mut mem);
    let code = mem[..image.end as usize].to_vec();
    let translator = Rv64Translator::new(Arc::new(BufferFetch::new(0, code)));
    let mut cpu = Box::new(Rv64Cpu::new());
    cpu.header.mem_base = mem.as_mut_ptr() as u64;
    cpu.header.mem_mask = (WINDOW - 1) as u64;
    cpu.header.pc = image.entry;
    cpu.x[2] = initial_stack(&mut mem, &image);
    let mut process = Process {
        brk: (image.end + 4095) & !4095,
        mmap_next: MMAP_TOP,
        stdout: Vec::new(),
        exit: None,
    };
    let mut blocks = std::collections::HashMap::new();
    for _ in 0..20_000_000u64 {
        let pc = cpu.header.pc;
        let block = blocks
            .entry(pc)
            .or_insert_with(|| translator.translate(pc, 0));
        let env = (&mut *cpu as *mut Rv64Cpu).cast::<u8>();
        // SAFETY: `env` is a live Rv64Cpu whose memory window is `mem` (every address masked
        // to its size), which outlives the call.
        match unsafe { interpret(block, env) } {
            BlockExit::Goto(_) | BlockExit::Indirect(_) => {}
            BlockExit::Exit(ExitReason::Syscall) => {
                let ret = process.syscall(&mut cpu, &mut mem);
                cpu.x[10] = ret;
                if process.exit.is_some() {
                    break;
                }
            }
            BlockExit::Exit(reason) => panic!(
                "guest stopped with {reason:?} at {:#x}; output so far: {}",
                cpu.header.pc,
                String::from_utf8_lossy(&process.stdout)
            ),
        }
    }
    assert_eq!(process.exit, Some(0), "the program did not exit normally");
    assert!(want.stdout.len() > 50, "qemu printed too little");
    assert_eq!(
        String::from_utf8_lossy(&process.stdout),
        String::from_utf8_lossy(&want.stdout)
    );
}
