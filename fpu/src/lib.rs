//! emu-fpu: STUB being written.
