//! Dead-code elimination: drop pure instructions whose result is unused.

use super::{is_pure, Edit};
use crate::verify::{for_each_operand, terminal_operand};
use crate::Block;

/// Remove every pure instruction (see [`is_pure`]) whose result nothing uses. One backward walk
/// suffices because operands are always defined earlier.
pub fn eliminate_dead_code(block: &mut Block) {
    let mut used = vec![false; block.value_types.len()];
    if let Some(u) = terminal_operand(&block.terminal).and_then(|v| used.get_mut(v.index())) {
        *u = true;
    }
    let mut edit = Edit::new(block);
    for (i, data) in block.insts.iter().enumerate().rev() {
        let result_used = data
            .result
            .is_some_and(|r| used.get(r.index()).copied().unwrap_or(true));
        if is_pure(&data.inst) && !result_used {
            edit.drop_inst(i);
        } else {
            for_each_operand(&data.inst, |v| {
                if let Some(u) = used.get_mut(v.index()) {
                    *u = true;
                }
            });
        }
    }
    edit.finish(block);
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{blk, check_pass};
    use super::eliminate_dead_code as dce;

    #[test]
    fn drops_unused_pure_chain() {
        check_pass(
            dce,
            &blk(
                "v0:i64 = read_reg 8\n v1:i64 = const 1\n v2:i64 = add v0, v1\n v3:i64 = mul v2, v2",
                "goto 0x1004",
            ),
            &blk("", "goto 0x1004"),
        );
    }

    #[test]
    fn keeps_effects_and_their_operands() {
        let body = "v0:i64 = read_reg 8
            v1:i64 = const 1
            v2:i64 = add v0, v1
            v3:i32 = load v0
            store v0, v2
            write_reg 16, v1
            v4:i64 = atomic_rmw add v0, v1
            fence
            v5:i8 = icmp eq v0, v1
            exit_if v5, syscall, 0x1000
            call unit_writes1(v1)
            v6:i64 = call unit_reads1(v1)";
        check_pass(dce, &blk(body, "goto 0x1004"), &blk(body, "goto 0x1004"));
    }

    #[test]
    fn drops_unused_pure_call_and_renumbers() {
        check_pass(
            dce,
            &blk(
                "v0:i64 = const 1\n v1:i64 = call unit_pure2(v0, v0)\n v2:i64 = read_reg 8",
                "indirect v2",
            ),
            &blk("v0:i64 = read_reg 8", "indirect v0"),
        );
    }
}
