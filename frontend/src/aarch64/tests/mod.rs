//! Unit tests of the aarch64 frontend.

mod decode;
