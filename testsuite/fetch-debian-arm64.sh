#!/usr/bin/env bash
# Downloads real Debian arm64 programs and the libraries they need (apt-get download, no
# installation) and unpacks them into testsuite/build/debian-arm64/root, the sysroot
# testsuite/tests/debian_arm64.rs runs them from with -L. Needs the arm64 architecture in dpkg
# (added here if missing). Safe to rerun: does nothing once the sysroot is complete.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/build/debian-arm64"
root="$dest/root"
packages=(
    libc6 libgcc-s1 libstdc++6 zlib1g libtinfo6 libncursesw6 libreadline8 libselinux1
    libpcre2-8-0 libacl1 libattr1 libgmp10 libmpfr6 libsigsegv2 libcrypt1 libexpat1 libssl3
    lua5.4 liblua5.4-0 gzip xz-utils liblzma5 bzip2 libbz2-1.0 sqlite3 libsqlite3-0 bc
    jq libjq1 libonig5 gawk grep sed coreutils perl-base
    python3.11-minimal libpython3.11-minimal
)
stamp="$dest/complete"
if [[ -f $stamp && $(cat "$stamp") == "${packages[*]}" ]]; then
    exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo_cmd[@]}" dpkg --add-architecture arm64
    "${sudo_cmd[@]}" apt-get update -q
fi

rm -rf "$dest"
mkdir -p "$dest/debs" "$root"
cd "$dest/debs"
# apt drops privileges to _apt for downloads; let it write here.
chmod 777 .
apt-get download -q "${packages[@]/%/:arm64}"
for deb in *.deb; do
    dpkg -x "$deb" "$root"
done
echo "${packages[*]}" > "$stamp"
echo "fetch-debian-arm64: $(ls | wc -l) packages unpacked into ${root#"$here/"}" >&2
