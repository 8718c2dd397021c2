#!/usr/bin/env bash
# make lint: every C file must match .clang-format, cppcheck must find nothing, and the
# hot-path list must name only functions the built kernel has.
set -uo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find . -path ./build -prune -o \( -name '*.c' -o -name '*.h' \) -print)
status=0
bad=$(clang-format --dry-run --Werror $files 2>&1 | grep -E '^[^ ]+:[0-9]+:[0-9]+: error' | cut -d: -f1 | sort -u)
if [ -n "$bad" ]; then
	echo "lint: not clang-formatted (run: clang-format -i FILE):"
	echo "$bad" | sed 's/^/  /'
	status=1
fi
if ! cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	--suppress=unknownMacro --std=c11 -I. -D__riscv=1 -D__riscv_xlen=64 \
	--suppress=missingIncludeSystem --suppress=constStatement:userland/lib/syscall.h $files 2>&1; then
	echo "lint: cppcheck found problems (above)"
	status=1
fi
# The hot-path list (kernel/boot/hot.ld) may name only functions the kernel still has.
if [ -f build/kernel.elf ] && ! python3 tools/hotlist.py --check build/kernel.elf kernel/boot/hot.ld; then
	echo "lint: kernel/boot/hot.ld is out of date (above)"
	status=1
fi
[ $status -eq 0 ] && echo "lint: $(echo $files | wc -w) files clean"
exit $status
