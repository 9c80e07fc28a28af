//! Disassembles hand-picked encodings of each architecture. The expected texts were checked
//! against the ISA manuals and GNU objdump's reading of the same bytes (capstone spells
//! compressed RISC-V instructions with their `c.` names and immediates in hex).

use emu_disas::{disassemble, listing, Arch, Insn};

/// Disassembles `code` at `addr` and renders each instruction with `Display`.
fn lines(arch: Arch, code: &[u8], addr: u64) -> Vec<String> {
    disassemble(arch, code, addr)
        .expect("disassembly succeeds")
        .iter()
        .map(Insn::to_string)
        .collect()
}

#[test]
fn riscv64_base_and_compressed() {
    let code = [
        0x13, 0x00, 0x00, 0x00, // addi x0, x0, 0
        0x41, 0x11, // c.addi sp, -16
        0x73, 0x00, 0x00, 0x00, // ecall
        0x53, 0x75, 0xb5, 0x02, // fadd.d fa0, fa0, fa1 (rm = dyn)
        0x13, 0x01, 0x01, 0xff, // addi sp, sp, -16
    ];
    assert_eq!(
        lines(Arch::Riscv64, &code, 0x10078),
        [
            "0x10078:  nop",
            "0x1007c:  c.addi sp, -0x10",
            "0x1007e:  ecall",
            "0x10082:  fadd.d fa0, fa0, fa1",
            "0x10086:  addi sp, sp, -0x10",
        ]
    );
}

#[test]
fn insn_fields() {
    let insns = disassemble(Arch::Riscv64, &[0x41, 0x11], 0x400).unwrap();
    assert_eq!(
        insns,
        [Insn {
            addr: 0x400,
            bytes: vec![0x41, 0x11],
            mnemonic: "c.addi".into(),
            op_str: "sp, -0x10".into(),
        }]
    );
}

#[test]
fn x86_64_intel_syntax() {
    let code = [0x90, 0x48, 0x89, 0xe5, 0xc3];
    assert_eq!(
        lines(Arch::X86_64, &code, 0x1000),
        ["0x1000:  nop", "0x1001:  mov rbp, rsp", "0x1004:  ret"]
    );
}

#[test]
fn aarch64() {
    let code = [
        0x1f, 0x20, 0x03, 0xd5, // nop
        0xfd, 0x7b, 0xbf, 0xa9, // stp x29, x30, [sp, #-0x10]!
        0xc0, 0x03, 0x5f, 0xd6, // ret
    ];
    assert_eq!(
        lines(Arch::Aarch64, &code, 0x2000),
        [
            "0x2000:  nop",
            "0x2004:  stp x29, x30, [sp, #-0x10]!",
            "0x2008:  ret"
        ]
    );
}

#[test]
fn undecodable_bytes_become_data_and_decoding_continues() {
    // 0xffff is not a valid 16-bit RISC-V parcel; 0x06 is invalid in 64-bit x86 mode;
    // 0xffffffff is unallocated in AArch64.
    assert_eq!(
        lines(Arch::Riscv64, &[0xff, 0xff, 0x13, 0, 0, 0], 0),
        ["0x0:  .byte 0xff, 0xff", "0x2:  nop"]
    );
    assert_eq!(
        lines(Arch::X86_64, &[0x06, 0x90], 0),
        ["0x0:  .byte 0x06", "0x1:  nop"]
    );
    assert_eq!(
        lines(Arch::Aarch64, &[0xff; 4], 0),
        ["0x0:  .byte 0xff, 0xff, 0xff, 0xff"]
    );
}

#[test]
fn truncated_and_empty_input() {
    assert!(disassemble(Arch::Riscv64, &[], 0).unwrap().is_empty());
    // Half of a 32-bit instruction: nothing decodes, and nothing panics.
    let insns = disassemble(Arch::Riscv64, &[0x13], 0).unwrap();
    assert!(insns.iter().all(|i| i.bytes.len() <= 1));
}

#[test]
fn listing_is_one_line_per_insn() {
    assert_eq!(
        listing(Arch::X86_64, &[0x90, 0xc3], 0x10),
        "0x10:  nop\n0x11:  ret\n"
    );
}

#[test]
fn usable_from_several_threads() {
    let handles: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(|| lines(Arch::X86_64, &[0x90], 0)))
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), ["0x0:  nop"]);
    }
}
