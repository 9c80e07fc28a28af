//! emu-accel-kvm: a KVM vCPU driving the shared `hw` machine. Not built yet: system mode is a later
//! issue.
