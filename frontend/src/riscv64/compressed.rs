//! The C extension (RVC) for RV64: each 16-bit instruction is expanded to the 32-bit
//! instruction it stands for, which the main decoder then translates. Reserved encodings
//! (including the all-zero halfword) expand to `None`, an illegal instruction. HINT encodings
//! expand to their base instruction (which writes x0 or does nothing), as the spec allows.

/// Bits `hi..=lo` of `h`.
fn bits(h: u32, hi: u32, lo: u32) -> u32 {
    (h >> lo) & ((1 << (hi - lo + 1)) - 1)
}

fn bit(h: u32, n: u32) -> u32 {
    (h >> n) & 1
}

/// Sign-extend the low `width` bits of `v`.
fn sext(v: u32, width: u32) -> u32 {
    let shift = 32 - width;
    (((v << shift) as i32) >> shift) as u32
}

/// A register from a 3-bit compressed field (x8..x15).
fn creg(field: u32) -> u32 {
    field + 8
}

const OP_LOAD: u32 = 0x03;
const OP_LOAD_FP: u32 = 0x07;
const OP_IMM: u32 = 0x13;
const OP_IMM_32: u32 = 0x1b;
const OP_STORE: u32 = 0x23;
const OP_STORE_FP: u32 = 0x27;
const OP: u32 = 0x33;
const OP_LUI: u32 = 0x37;
const OP_32: u32 = 0x3b;
const OP_BRANCH: u32 = 0x63;
const OP_JALR: u32 = 0x67;
const OP_JAL: u32 = 0x6f;
const EBREAK: u32 = 0x0010_0073;

fn enc_r(funct7: u32, rs2: u32, rs1: u32, funct3: u32, rd: u32, op: u32) -> u32 {
    funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | op
}

fn enc_i(imm: u32, rs1: u32, funct3: u32, rd: u32, op: u32) -> u32 {
    (imm & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | op
}

fn enc_s(imm: u32, rs2: u32, rs1: u32, funct3: u32, op: u32) -> u32 {
    bits(imm, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | bits(imm, 4, 0) << 7 | op
}

fn enc_b(imm: u32, rs2: u32, rs1: u32, funct3: u32) -> u32 {
    bit(imm, 12) << 31
        | bits(imm, 10, 5) << 25
        | rs2 << 20
        | rs1 << 15
        | funct3 << 12
        | bits(imm, 4, 1) << 8
        | bit(imm, 11) << 7
        | OP_BRANCH
}

fn enc_u(imm: u32, rd: u32, op: u32) -> u32 {
    (imm & 0xffff_f000) | rd << 7 | op
}

fn enc_j(imm: u32, rd: u32) -> u32 {
    bit(imm, 20) << 31
        | bits(imm, 10, 1) << 21
        | bit(imm, 11) << 20
        | bits(imm, 19, 12) << 12
        | rd << 7
        | OP_JAL
}

/// Expand a 16-bit RVC instruction to its 32-bit equivalent; `None` for reserved encodings.
/// `h` must have low bits other than `0b11` (those are 32-bit instructions).
pub fn expand(h: u16) -> Option<u32> {
    let h = u32::from(h);
    let funct3 = bits(h, 15, 13);
    match h & 3 {
        0 => quadrant0(h, funct3),
        1 => quadrant1(h, funct3),
        2 => quadrant2(h, funct3),
        _ => None,
    }
}

/// Offset of c.ld/c.sd/c.fld/c.fsd: uimm[5:3] = h[12:10], uimm[7:6] = h[6:5].
fn offset_d(h: u32) -> u32 {
    bits(h, 12, 10) << 3 | bits(h, 6, 5) << 6
}

/// Offset of c.lw/c.sw: uimm[5:3] = h[12:10], uimm[2] = h[6], uimm[6] = h[5].
fn offset_w(h: u32) -> u32 {
    bits(h, 12, 10) << 3 | bit(h, 6) << 2 | bit(h, 5) << 6
}

fn quadrant0(h: u32, funct3: u32) -> Option<u32> {
    let rd = creg(bits(h, 4, 2));
    let rs1 = creg(bits(h, 9, 7));
    Some(match funct3 {
        0 => {
            // c.addi4spn: nzuimm[5:4|9:6|2|3] = h[12:5]
            let imm = bits(h, 12, 11) << 4 | bits(h, 10, 7) << 6 | bit(h, 6) << 2 | bit(h, 5) << 3;
            if imm == 0 {
                return None;
            }
            enc_i(imm, 2, 0, rd, OP_IMM)
        }
        1 => enc_i(offset_d(h), rs1, 3, rd, OP_LOAD_FP), // c.fld
        2 => enc_i(offset_w(h), rs1, 2, rd, OP_LOAD),    // c.lw
        3 => enc_i(offset_d(h), rs1, 3, rd, OP_LOAD),    // c.ld
        5 => enc_s(offset_d(h), rd, rs1, 3, OP_STORE_FP), // c.fsd (rs2' in h[4:2])
        6 => enc_s(offset_w(h), rd, rs1, 2, OP_STORE),   // c.sw
        7 => enc_s(offset_d(h), rd, rs1, 3, OP_STORE),   // c.sd
        _ => return None,                                // 4: reserved
    })
}

/// The 6-bit signed immediate imm[5] = h[12], imm[4:0] = h[6:2].
fn imm6(h: u32) -> u32 {
    sext(bit(h, 12) << 5 | bits(h, 6, 2), 6)
}

/// The 6-bit shift amount shamt[5] = h[12], shamt[4:0] = h[6:2].
fn shamt6(h: u32) -> u32 {
    bit(h, 12) << 5 | bits(h, 6, 2)
}

fn quadrant1(h: u32, funct3: u32) -> Option<u32> {
    let rd = bits(h, 11, 7);
    Some(match funct3 {
        0 => enc_i(imm6(h), rd, 0, rd, OP_IMM), // c.addi / c.nop
        1 if rd != 0 => enc_i(imm6(h), rd, 0, rd, OP_IMM_32), // c.addiw
        1 => return None,
        2 => enc_i(imm6(h), 0, 0, rd, OP_IMM), // c.li
        3 if rd == 2 => {
            // c.addi16sp: nzimm[9] = h[12], nzimm[4|6|8:7|5] = h[6:2]
            let raw = bit(h, 12) << 9
                | bit(h, 6) << 4
                | bit(h, 5) << 6
                | bits(h, 4, 3) << 7
                | bit(h, 2) << 5;
            if raw == 0 {
                return None;
            }
            enc_i(sext(raw, 10), 2, 0, 2, OP_IMM)
        }
        3 => {
            // c.lui: nzimm[17] = h[12], nzimm[16:12] = h[6:2]
            let raw = bit(h, 12) << 17 | bits(h, 6, 2) << 12;
            if raw == 0 {
                return None;
            }
            enc_u(sext(raw, 18), rd, OP_LUI)
        }
        4 => return misc_alu(h),
        5 => {
            // c.j: offset[11|4|9:8|10|6|7|3:1|5] = h[12:2]
            let raw = bit(h, 12) << 11
                | bit(h, 11) << 4
                | bits(h, 10, 9) << 8
                | bit(h, 8) << 10
                | bit(h, 7) << 6
                | bit(h, 6) << 7
                | bits(h, 5, 3) << 1
                | bit(h, 2) << 5;
            enc_j(sext(raw, 12), 0)
        }
        _ => {
            // c.beqz / c.bnez: offset[8|4:3] = h[12:10], offset[7:6|2:1|5] = h[6:2]
            let raw = bit(h, 12) << 8
                | bits(h, 11, 10) << 3
                | bits(h, 6, 5) << 6
                | bits(h, 4, 3) << 1
                | bit(h, 2) << 5;
            enc_b(sext(raw, 9), 0, creg(bits(h, 9, 7)), funct3 - 6)
        }
    })
}

/// c.srli, c.srai, c.andi, c.sub, c.xor, c.or, c.and, c.subw, c.addw.
fn misc_alu(h: u32) -> Option<u32> {
    let rd = creg(bits(h, 9, 7));
    let rs2 = creg(bits(h, 4, 2));
    Some(match bits(h, 11, 10) {
        0 => enc_i(shamt6(h), rd, 5, rd, OP_IMM),
        1 => enc_i(0x400 | shamt6(h), rd, 5, rd, OP_IMM),
        2 => enc_i(imm6(h), rd, 7, rd, OP_IMM),
        _ => match (bit(h, 12), bits(h, 6, 5)) {
            (0, 0) => enc_r(0x20, rs2, rd, 0, rd, OP),
            (0, 1) => enc_r(0, rs2, rd, 4, rd, OP),
            (0, 2) => enc_r(0, rs2, rd, 6, rd, OP),
            (0, 3) => enc_r(0, rs2, rd, 7, rd, OP),
            (1, 0) => enc_r(0x20, rs2, rd, 0, rd, OP_32),
            (1, 1) => enc_r(0, rs2, rd, 0, rd, OP_32),
            _ => return None,
        },
    })
}

/// Offset of c.ldsp/c.fldsp: uimm[5] = h[12], uimm[4:3] = h[6:5], uimm[8:6] = h[4:2].
fn offset_ldsp(h: u32) -> u32 {
    bit(h, 12) << 5 | bits(h, 6, 5) << 3 | bits(h, 4, 2) << 6
}

/// Offset of c.sdsp/c.fsdsp: uimm[5:3] = h[12:10], uimm[8:6] = h[9:7].
fn offset_sdsp(h: u32) -> u32 {
    bits(h, 12, 10) << 3 | bits(h, 9, 7) << 6
}

fn quadrant2(h: u32, funct3: u32) -> Option<u32> {
    let rd = bits(h, 11, 7);
    let rs2 = bits(h, 6, 2);
    Some(match funct3 {
        0 => enc_i(shamt6(h), rd, 1, rd, OP_IMM),         // c.slli
        1 => enc_i(offset_ldsp(h), 2, 3, rd, OP_LOAD_FP), // c.fldsp
        2 if rd != 0 => {
            // c.lwsp: uimm[5] = h[12], uimm[4:2] = h[6:4], uimm[7:6] = h[3:2]
            let imm = bit(h, 12) << 5 | bits(h, 6, 4) << 2 | bits(h, 3, 2) << 6;
            enc_i(imm, 2, 2, rd, OP_LOAD)
        }
        3 if rd != 0 => enc_i(offset_ldsp(h), 2, 3, rd, OP_LOAD), // c.ldsp
        4 => return jump_move_add(h, rd, rs2),
        5 => enc_s(offset_sdsp(h), rs2, 2, 3, OP_STORE_FP), // c.fsdsp
        6 => {
            // c.swsp: uimm[5:2] = h[12:9], uimm[7:6] = h[8:7]
            let imm = bits(h, 12, 9) << 2 | bits(h, 8, 7) << 6;
            enc_s(imm, rs2, 2, 2, OP_STORE)
        }
        7 => enc_s(offset_sdsp(h), rs2, 2, 3, OP_STORE), // c.sdsp
        _ => return None,                                // c.lwsp / c.ldsp with rd = x0
    })
}

/// c.jr, c.mv, c.ebreak, c.jalr, c.add.
fn jump_move_add(h: u32, rd: u32, rs2: u32) -> Option<u32> {
    Some(match (bit(h, 12), rd, rs2) {
        (0, 0, 0) => return None,
        (0, _, 0) => enc_i(0, rd, 0, 0, OP_JALR),
        (0, _, _) => enc_r(0, rs2, 0, 0, rd, OP),
        (_, 0, 0) => EBREAK,
        (_, _, 0) => enc_i(0, rd, 0, 1, OP_JALR),
        (_, _, _) => enc_r(0, rs2, rd, 0, rd, OP),
    })
}
