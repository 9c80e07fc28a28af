//! The public binary32 API (`f32_*`, `*_to_f32`), raw bits as `u32`.

use crate::format::F32;

float_api! {
    format: F32, bits: u32, name: "binary32",
    add: f32_add, sub: f32_sub, mul: f32_mul, div: f32_div,
    sqrt: f32_sqrt, mul_add: f32_mul_add,
    eq: f32_eq, lt: f32_lt, le: f32_le,
    min: f32_min, max: f32_max, classify: f32_classify,
    to_i32: f32_to_i32, to_u32: f32_to_u32, to_i64: f32_to_i64, to_u64: f32_to_u64,
    from_i32: i32_to_f32, from_u32: u32_to_f32, from_i64: i64_to_f32, from_u64: u64_to_f32,
}
