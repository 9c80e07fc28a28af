//! emu-frontend: STUB being written.
