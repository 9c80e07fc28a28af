//! Unit tests of the aarch64 frontend.

mod decode;
mod int;
mod ldst;
mod simd;
