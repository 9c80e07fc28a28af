#!/usr/bin/env bash
# Installs what building and testing emu needs on Debian: the riscv64 cross compiler and libc,
# qemu-user (the oracle and the benchmark peer), cmake (softfloat-sys), a C toolchain, and Rust
# through rustup when cargo is missing. Only missing pieces are installed; safe to rerun.
# Non-interactive; uses sudo when not root.
set -euo pipefail

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi

# "command package" pairs: the package is needed when the command is missing.
needed=()
while read -r cmd pkg; do
    command -v "$cmd" > /dev/null || needed+=("$pkg")
done <<'LIST'
riscv64-linux-gnu-gcc gcc-riscv64-linux-gnu
qemu-riscv64 qemu-user
cmake cmake
cc build-essential
make build-essential
curl curl
LIST
if ! dpkg -s libc6-dev-riscv64-cross > /dev/null 2>&1; then
    needed+=(libc6-dev-riscv64-cross)
fi

if [[ ${#needed[@]} -gt 0 ]]; then
    echo "setup: installing ${needed[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -q
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends ca-certificates "${needed[@]}"
fi

if ! command -v cargo > /dev/null && [[ ! -x "$HOME/.cargo/bin/cargo" ]]; then
    echo "setup: installing Rust with rustup (the toolchain is pinned by rust-toolchain.toml)" >&2
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
    echo "setup: Rust is in ~/.cargo/bin; open a new shell or run: . \"\$HOME/.cargo/env\"" >&2
fi
