//! emu-bench: STUB being written.
