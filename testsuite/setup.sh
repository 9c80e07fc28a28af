#!/usr/bin/env bash
# Installs what building and testing emu needs on Debian: the riscv64 and aarch64 cross compilers
# and libcs, qemu-user (the oracle and the benchmark peer), cmake (softfloat-sys), a C toolchain,
# gdb-multiarch (tests/gdb.rs drives emu-user -g with it),
# and Rust through rustup when cargo is missing; then real Debian arm64 and amd64 programs
# (fetch-debian.sh: enables the arm64 foreign architecture once, downloads the .debs with
# apt-get download and unpacks them into testsuite/build/debian-ARCH/root for
# tests/real_programs.rs; a failed download only warns, and those cases skip). Only missing
# pieces are installed; safe to rerun.
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
aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
qemu-riscv64 qemu-user
cmake cmake
cc build-essential
make build-essential
curl curl
gdb-multiarch gdb-multiarch
LIST
for pkg in libc6-dev-riscv64-cross libc6-dev-arm64-cross; do
    if ! dpkg -s "$pkg" > /dev/null 2>&1; then
        needed+=("$pkg")
    fi
done

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

# Real Debian arm64 and amd64 programs (busybox-static, lua, python3, sqlite3, ...), unpacked
# (not installed) into testsuite/build/debian-ARCH/root for tests/real_programs.rs.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for arch in arm64 amd64; do
    if ! "$here/fetch-debian.sh" "$arch"; then
        echo "setup: warning: could not download the Debian $arch programs; tests/real_programs.rs will skip them" >&2
    fi
done
