//! The public binary64 API (`f64_*`, `*_to_f64`), raw bits as `u64`.

use crate::format::F64;

float_api! {
    format: F64, bits: u64, name: "binary64",
    add: f64_add, sub: f64_sub, mul: f64_mul, div: f64_div,
    sqrt: f64_sqrt, mul_add: f64_mul_add,
    eq: f64_eq, lt: f64_lt, le: f64_le,
    min: f64_min, max: f64_max, classify: f64_classify,
    to_i32: f64_to_i32, to_u32: f64_to_u32, to_i64: f64_to_i64, to_u64: f64_to_u64,
    from_i32: i32_to_f64, from_u32: u32_to_f64, from_i64: i64_to_f64, from_u64: u64_to_f64,
}
