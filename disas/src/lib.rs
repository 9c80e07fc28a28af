//! emu-disas: STUB being written.
