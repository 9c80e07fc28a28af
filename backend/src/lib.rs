//! emu-backend: STUB being written.
