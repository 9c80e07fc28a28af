//! emu-linux-user: STUB being written.
