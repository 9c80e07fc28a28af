//! Unit tests of the x86_64 frontend: instruction snippets assembled with the host's GNU
//! assembler run natively on the host CPU (the oracle) and through the translator and the IR
//! interpreter, on random register, flag, XMM and memory states; the whole states must match.

mod align;
mod harness;
mod int;
mod mmx;
mod sse;
mod sse4;
mod x87;
