//! emu-testsuite: STUB being written.
