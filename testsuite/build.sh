#!/usr/bin/env bash
# Builds the guest test programs for every guest arch:
#   testsuite/guest/NAME.c         portable programs, built for every arch
#   testsuite/guest/ARCH/NAME.c    programs for one arch (inline asm tables and the like)
# into testsuite/build/ARCH/NAME with ARCH-linux-gnu-gcc -O2 -static ... -lm, plus the words in
# NAME.cflags and NAME.ARCH.cflags next to the source (e.g. -latomic, -march=...), plus the
# variants below. For aarch64 every portable program is also built with -O3 -ftree-vectorize as
# NAME.vec, so the auto-vectorized (NEON) code paths run too (the arch-specific programs are
# inline-asm tables, which vectorizing does not change).
# Incremental: a program is rebuilt only when its source, flags or this script are newer.
#
#   build.sh [--arch A]... [NAME...]      build every program, or the named ones
#   build.sh [--arch A] --list            print "NAME SOURCE" per program (SOURCE relative to
#                                         guest/, so guest/${SOURCE%.c}.args holds its arguments)
#
# A NAME selects the program of that name and the variants built from the same source
# (hello -> hello, hello.vec; bitmanip -> bitmanip, bitmanip_zbb). --arch takes riscv64 or aarch64
# (repeatable or comma-separated); without it every arch is built, and an arch whose compiler
# is missing is skipped with a message. Environment: RISCV64_CC and AARCH64_CC override the
# compilers, BUILD_JOBS the parallel compiles (default: nproc).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src_dir="$here/guest"
all_arches=(riscv64 aarch64)
base_flags=(-O2 -static)
vec_flags=(-O3 -ftree-vectorize)

# Extra builds of an existing source per arch: "NAME SOURCE FLAGS...".
variants_riscv64=(
    "bitmanip_zbb bitmanip.c -march=rv64gc_zba_zbb_zbs"
    "rv64_alu_zbb riscv64/rv64_alu.c -march=rv64gc_zba_zbb_zbs"
)
variants_aarch64=()

compiler() {
    case $1 in
        riscv64) echo "${RISCV64_CC:-riscv64-linux-gnu-gcc}" ;;
        aarch64) echo "${AARCH64_CC:-aarch64-linux-gnu-gcc}" ;;
    esac
}

install_hint() {
    case $1 in
        riscv64) echo "apt-get install gcc-riscv64-linux-gnu libc6-dev-riscv64-cross" ;;
        aarch64) echo "apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
    esac
}

# Prints "NAME SOURCE [FLAGS...]" for every program of arch $1.
programs() {
    local arch="$1" src name variants_var line
    for src in "$src_dir"/*.c "$src_dir/$arch"/*.c; do
        [[ -f $src ]] || continue
        name="$(basename "$src" .c)"
        echo "$name ${src#"$src_dir/"}"
    done
    variants_var="variants_$arch[@]"
    for line in "${!variants_var}"; do
        echo "$line"
    done
}

# Like programs, plus the NAME.vec builds of the portable programs on aarch64.
all_programs() {
    local arch="$1" name source flags
    programs "$arch"
    if [[ $arch == aarch64 ]]; then
        programs "$arch" | while read -r name source flags; do
            if [[ $source != */* ]]; then
                echo "$name.vec $source ${vec_flags[*]} $flags"
            fi
        done
    fi
}

# build_one ARCH NAME SOURCE [EXTRA_FLAGS...]
build_one() {
    local arch="$1" name="$2" source="$src_dir/$3"
    shift 3
    local stem="${source%.c}"
    local out="$here/build/$arch/$name"
    local extra=() words flag_files=("$stem.cflags" "$stem.$arch.cflags") f stale=0
    for f in "${flag_files[@]}"; do
        if [[ -f $f ]]; then
            read -r -a words < "$f"
            extra+=("${words[@]}")
        fi
    done
    if [[ ! -f $out || $source -nt $out || ${BASH_SOURCE[0]} -nt $out ]]; then
        stale=1
    fi
    for f in "${flag_files[@]}"; do
        if [[ -f $f && $f -nt $out ]]; then
            stale=1
        fi
    done
    [[ $stale -eq 1 ]] || return 0
    echo "  CC  $arch/$name" >&2
    # Link to a temporary name and rename, so a reader never sees a half-written binary.
    local tmp="$out.tmp.$$.$BASHPID"
    if "$(compiler "$arch")" "${base_flags[@]}" "$@" -o "$tmp" "$source" -lm "${extra[@]}"; then
        mv -f "$tmp" "$out"
    else
        rm -f "$tmp"
        echo "build.sh: $arch/$name failed to build" >&2
        return 1
    fi
}

# Is program NAME (built from SOURCE) selected by the NAME arguments?
selected() {
    local name="$1" source="$2" want
    [[ ${#wanted[@]} -eq 0 ]] && return 0
    for want in "${wanted[@]}"; do
        if [[ $want == "$name" || $want == "$(basename "$source" .c)" ]]; then
            return 0
        fi
    done
    return 1
}

arches=()
list=0
wanted=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --arch)
            IFS=, read -r -a more <<< "${2:?--arch needs a value}"
            arches+=("${more[@]}")
            shift 2
            ;;
        --arch=*)
            IFS=, read -r -a more <<< "${1#--arch=}"
            arches+=("${more[@]}")
            shift
            ;;
        --list) list=1; shift ;;
        -*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
        *) wanted+=("$1"); shift ;;
    esac
done
explicit_arch=1
if [[ ${#arches[@]} -eq 0 ]]; then
    arches=("${all_arches[@]}")
    explicit_arch=0
fi
for arch in "${arches[@]}"; do
    if [[ " ${all_arches[*]} " != *" $arch "* ]]; then
        echo "build.sh: unknown arch $arch (known: ${all_arches[*]})" >&2
        exit 2
    fi
done

if [[ $list -eq 1 ]]; then
    if [[ ${#arches[@]} -ne 1 ]]; then
        echo "build.sh: --list needs exactly one --arch" >&2
        exit 2
    fi
    all_programs "${arches[0]}" | while read -r name source _; do
        if selected "$name" "$source"; then
            echo "$name $source"
        fi
    done
    exit 0
fi

jobs="${BUILD_JOBS:-$(nproc 2> /dev/null || echo 4)}"
failed=0
for arch in "${arches[@]}"; do
    cc="$(compiler "$arch")"
    if ! command -v "$cc" > /dev/null; then
        echo "build.sh: $cc not found ($(install_hint "$arch"))" >&2
        if [[ $explicit_arch -eq 1 ]]; then
            exit 2
        fi
        continue
    fi
    mkdir -p "$here/build/$arch"
    seen=" "
    running=0
    mapfile -t lines < <(all_programs "$arch")
    for line in "${lines[@]}"; do
        read -r name source flags <<< "$line"
        if [[ $seen == *" $name "* ]]; then
            echo "build.sh: two $arch programs are named $name" >&2
            exit 2
        fi
        seen+="$name "
        selected "$name" "$source" || continue
        if [[ $running -ge $jobs ]]; then
            wait -n || failed=1
            running=$((running - 1))
        fi
        # shellcheck disable=SC2086 # flags are words on purpose
        build_one "$arch" "$name" "$source" $flags &
        running=$((running + 1))
    done
    while [[ $running -gt 0 ]]; do
        wait -n || failed=1
        running=$((running - 1))
    done
done
exit "$failed"
