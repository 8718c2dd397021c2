#!/usr/bin/env bash
# Build the Linux that `make bench-linux` compares with: Debian's linux-source-6.1,
# tinyconfig plus tools/linux/forkbench.config, Sv39 forced by tools/linux/sv39.patch.
# Usage: tools/linux/build.sh OUTDIR   (writes OUTDIR/Image and OUTDIR/config)
# The tree is unpacked and built under OUTDIR/src once; a later call only rebuilds when
# the fragment, the patch or this script changed (make calls us only then).
set -euo pipefail

out=$1
here=$(cd "$(dirname "$0")" && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
fragment=$here/forkbench.config
src=$out/src
cross=riscv64-linux-gnu-
kmake=(make -C "$src" ARCH=riscv CROSS_COMPILE=$cross)

[ -f "$tarball" ] || { echo "build.sh: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }

# A fresh tree each time the inputs change: the patch is applied exactly once.
rm -rf "$src" "$out/linux-source-6.1"
mkdir -p "$out"
echo "linux: unpacking $tarball"
tar -C "$out" -xJf "$tarball"
mv "$out/linux-source-6.1" "$src"
patch -s -d "$src" -p1 < "$here/sv39.patch"

echo "linux: tinyconfig + $(basename "$fragment")"
"${kmake[@]}" -s tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$fragment" >/dev/null
"${kmake[@]}" -s olddefconfig

# Every line of the fragment must have survived the dependency resolution.
bad=0
while IFS= read -r line; do
	case "$line" in '' | '#'*) continue ;; esac
	if ! grep -qx "$line" "$src/.config"; then
		echo "build.sh: $line did not take (dependency missing?)" >&2
		bad=1
	fi
done < "$fragment"
[ $bad -eq 0 ] || exit 1

echo "linux: building (nice -n 10 make -j2, a few minutes)"
nice -n 10 "${kmake[@]}" -j2 -s Image
cp "$src/arch/riscv/boot/Image" "$out/Image.tmp"
cp "$src/.config" "$out/config"
mv "$out/Image.tmp" "$out/Image"
echo "linux: $out/Image ($(make -s -C "$src" kernelrelease))"
