//! emu-hw: device models, the `pc` machine and the `emu-system` binary. Not built yet: system mode
//! is a later issue.
