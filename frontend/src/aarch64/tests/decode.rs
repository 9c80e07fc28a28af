//! Decoder table sanity: every row's pattern is consistent and the index finds each row.

use crate::aarch64::decode::{all_entries, decode};

#[test]
fn every_row_is_reachable_through_the_index() {
    for e in all_entries() {
        assert_eq!(e.bits & !e.mask, 0, "{e:?}: fixed bits outside the mask");
        // The row's own canonical word decodes to a row with the same pattern or an earlier,
        // more specific one that overlaps it.
        let found = decode(e.bits).expect("the index lost a row");
        assert!(found.matches(e.bits), "{e:?} decoded to {found:?}");
    }
}

#[test]
fn unallocated_word_is_illegal() {
    // 0x00000000 is UDF #0 (permanently undefined).
    assert!(decode(0).is_none_or(|e| e.name == "udf"));
}
