#!/usr/bin/env bash
# Install the Debian packages a make target needs, once. Usage: tools/setup.sh build|run|test|linux
# Missing packages are installed with apt-get (through sudo when not root); if that is
# impossible, one line names the packages to install by hand.
set -euo pipefail

build=(gcc make gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf lld
	device-tree-compiler libfdt-dev python3)
run=("${build[@]}" qemu-system-misc opensbi gdb-multiarch)
# test: also the Linux build of forkbench, run under qemu-user (format check only)
test=("${run[@]}" u-boot-qemu u-boot-tools mtools dosfstools clang-format cppcheck python3-serial
	python3-matplotlib gcc-riscv64-linux-gnu libc6-dev-riscv64-cross qemu-user)
# linux: make bench-linux builds a small Linux from Debian's source to compare with
linux=("${test[@]}" linux-source-6.1 flex bison bc xz-utils patch)

case "${1:-}" in
build) want=("${build[@]}") ;;
run) want=("${run[@]}") ;;
test) want=("${test[@]}") ;;
linux) want=("${linux[@]}") ;;
*) echo "usage: $0 build|run|test|linux" >&2; exit 2 ;;
esac

stamp="build/.setup-$1"
[ -f "$stamp" ] && exit 0

mkdir -p build
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
		echo "setup: missing Debian packages, install them as root: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >build/setup.log 2>&1; then
		echo "setup: apt-get failed (see build/setup.log); install by hand: apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi
mkdir -p build
touch "$stamp"
