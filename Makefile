# mukernel: a RISC-V Sv39 microkernel. `make run` boots it on QEMU virt; `make test` tests it.
# Every target that needs a tool installs it first (tools/setup.sh); build output is in build/.

BOARD ?= qemu-virt
BOARDS := qemu-virt visionfive2 hifive-unmatched hifive-unleashed
ifeq ($(filter $(BOARD),$(BOARDS)),)
$(error BOARD must be one of: $(BOARDS))
endif

CROSS ?= riscv64-unknown-elf-
CC := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
# KDEBUG=1: the debug kernel, with fault injection at every allocation (failalloc=N,
# kernel/lib/failalloc.h), built apart in build/kdebug so the ordinary build is unaffected.
KDEBUG ?= 0
B := build$(if $(filter 1,$(KDEBUG)),/kdebug)
PY := /usr/bin/python3
SETUP := tools/setup.sh

# Flags that run on every supported core (the FU540's U54 has no Zba/Zbb).
ARCH := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
# A section per function and variable, so the linker can put the hot path together
# (kernel/boot/hot.ld).
KCFLAGS := -std=gnu11 $(ARCH) -ffreestanding -nostdlib -fno-builtin -fno-common -fno-pie \
	-mno-relax -O2 -g -Wall -Wextra -Werror -I. -MMD -MP -ffunction-sections -fdata-sections
ifeq ($(KDEBUG),1)
KCFLAGS += -DKDEBUG
endif
KLDFLAGS := -nostdlib -no-pie -Wl,--no-relax -Wl,--build-id=none -T kernel/boot/kernel.ld
HOSTCC := gcc
HOSTCFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer

# The kernel's sources, one folder per part (README.md, "Where things live").
KDIRS := kernel/boot kernel/cpu kernel/core kernel/io kernel/lib kernel/selftest sbi vm drivers
KSRC := $(foreach d,$(KDIRS),$(wildcard $(d)/*.c $(d)/*.S))
KOBJ := $(patsubst %,$(B)/k/%.o,$(basename $(KSRC)))

# QEMU
QEMU := qemu-system-riscv64
OPENSBI := /usr/lib/riscv64-linux-gnu/opensbi/generic
FW ?= dynamic
MEM ?= 128M
SMP ?= 1
ARGS ?=
QEMU_VIRT = $(QEMU) -M virt -m $(MEM) -smp $(SMP) -nographic -bios $(OPENSBI)/fw_$(FW).bin \
	-kernel $(B)/Image

DTS := $(wildcard dts/*.dts)
DTBS := $(patsubst dts/%.dts,$(B)/dtb/%.dtb,$(DTS))
HOST_TESTS := $(B)/host/test_units $(B)/host/test_as $(B)/host/test_dt $(B)/host/test_fat \
	$(B)/host/fuzz_fat $(B)/host/test_fstree $(B)/host/test_shparse $(B)/host/test_bootfs \
	$(B)/host/test_glob $(B)/host/test_fslock $(B)/host/test_ldisc $(B)/host/test_fmtext \
	$(B)/host/test_fnmatch
FS_HOST_SRC := userland/lib/fs/bcache.c userland/lib/fs/part.c userland/lib/fs/fat.c

.PHONY: all run debug bench bench-serial bench-linux test test-full fuzz fuzz-fat kdebug lint host-tests \
	deps-build deps-run deps-test deps-linux fdtinfo clean
all: $(B)/Image

# --- set-up: install what is missing, once per machine -----------------------------
deps-build:
	@$(SETUP) build
deps-run:
	@$(SETUP) run
deps-test:
	@$(SETUP) test
deps-linux:
	@$(SETUP) linux

# --- the kernel ---------------------------------------------------------------------
$(B)/k/%.o: %.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@
$(B)/k/%.o: %.S | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@
# The boot archive (user programs) is built into the image's read-only data.
$(B)/k/kernel/boot/archive.o: kernel/boot/archive.S $(B)/archive.bin
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -DARCHIVE_BIN='"$(B)/archive.bin"' -c $< -o $@
$(B)/kernel.elf: $(KOBJ) kernel/boot/kernel.ld kernel/boot/hot.ld
	$(CC) $(KCFLAGS) $(KLDFLAGS) $(KOBJ) -o $@
$(B)/Image: $(B)/kernel.elf tools/check_image.py
	$(OBJCOPY) -O binary $< $@
	@$(PY) tools/check_image.py $@

# make run CMD="prog args": boot, run that one program, power off with its exit status.
ifneq ($(CMD),)
ARGS := run $(CMD)
endif
# make run DISK=path.img: that image as a virtio-blk disk (raw; legacy virtio-mmio, as QEMU
# 7.2 defaults to; VIRTIO=modern for virtio 1.0). fatfs uses it (docs/storage.md).
comma := ,
DISK_ARGS := $(if $(DISK),-drive file=$(DISK)$(comma)if=none$(comma)format=raw$(comma)id=hd0 \
	-device virtio-blk-device$(comma)drive=hd0 \
	$(if $(filter modern,$(VIRTIO)),-global virtio-mmio.force-legacy=false))
run: $(B)/Image | deps-run
	@echo "QEMU virt, $(MEM), $(SMP) hart(s); Ctrl-A X quits"
	$(QEMU_VIRT) $(DISK_ARGS) -append "$(ARGS)"

# The benchmark: QEMU with one instruction per nanosecond, so every figure repeats exactly.
ICOUNT ?= 1
BENCH_ITERS ?= 1000
BENCH_MEM ?= 128M
BENCH_SMP ?= 1
# virt with its ACLINT SSWI, so several harts send IPIs without the firmware
# (docs/benchmark.md); BENCH_MACHINE=virt sends them through SBI. Linux's run uses it too.
BENCH_MACHINE ?= virt,aclint=on
ifeq ($(ICOUNT),1)
ICOUNT_FLAGS := -icount shift=0,sleep=off
endif
bench: $(B)/Image | deps-test
	@echo "forkbench on QEMU $(BENCH_MACHINE), $(BENCH_SMP) hart(s), $(BENCH_MEM), icount=$(ICOUNT) (unit: guest instructions when icount=1)"
	$(QEMU) -M $(BENCH_MACHINE) -m $(BENCH_MEM) -smp $(BENCH_SMP) -nographic $(ICOUNT_FLAGS) -bios $(OPENSBI)/fw_dynamic.bin \
		-kernel $(B)/Image -append "run forkbench icount=$(ICOUNT) iters=$(BENCH_ITERS)" \
		< /dev/null | $(PY) tools/forkbench_report.py --stdin --print --out $(B)/bench
	$(if $(filter 1,$(ICOUNT)),$(PY) tools/file_bench.py --image $(B)/Image --out $(B)/bench)
	@if [ -f $(B)/bench/linux.json ]; then $(PY) tools/forkbench_report.py --compare \
		$(B)/bench/forkbench.json $(B)/bench/linux.json --out $(B)/bench --print; fi

# Collect from a board already booted with `run forkbench` (see docs/benchmark.md).
# LABEL names the run: $(B)/bench/$(LABEL).{json,csv,md,png} (default forkbench).
SERIAL ?= /dev/ttyUSB0
BAUD ?= 115200
LABEL ?= forkbench
bench-serial: | deps-test
	$(PY) tools/forkbench_report.py --serial $(SERIAL) --baud $(BAUD) --print --out $(B)/bench \
		--name $(LABEL)

# The same benchmark on Linux 6.1 (Debian's linux-source-6.1, tools/linux/), same QEMU
# command as `make bench`: $(B)/bench/linux.{json,csv,md,png}. The kernel is built once
# into $(B)/linux/ (minutes); forkbench.c is the same source, built for Linux.
LINUX := $(B)/linux
LINUX_CC := riscv64-linux-gnu-gcc
LINUX_CFLAGS := -std=gnu11 -O2 -static -Wall -Wextra -Werror
$(LINUX)/Image: tools/linux/build.sh tools/linux/forkbench.config tools/linux/sv39.patch | deps-linux
	tools/linux/build.sh $(LINUX)
$(LINUX)/forkbench: userland/bin/forkbench.c userland/bin/forkbench_port.h | deps-test
	@mkdir -p $(dir $@)
	$(LINUX_CC) $(LINUX_CFLAGS) $< -o $@ -lpthread
$(LINUX)/true: tools/linux/true.c | deps-test
	@mkdir -p $(dir $@)
	$(LINUX_CC) $(LINUX_CFLAGS) $< -o $@
$(LINUX)/true_tiny: tools/linux/true_tiny.c | deps-test
	@mkdir -p $(dir $@)
	$(LINUX_CC) $(LINUX_CFLAGS) -nostdlib $< -o $@
# /init is forkbench; gen_init_cpio comes with the kernel tree.
$(LINUX)/initramfs.cpio: $(LINUX)/Image $(LINUX)/forkbench $(LINUX)/true $(LINUX)/true_tiny
	printf '%s\n' 'dir /dev 0755 0 0' 'nod /dev/console 0600 0 0 c 5 1' 'dir /bin 0755 0 0' \
		'file /init $(LINUX)/forkbench 0755 0 0' 'file /bin/true $(LINUX)/true 0755 0 0' \
		'file /bin/true_tiny $(LINUX)/true_tiny 0755 0 0' > $(LINUX)/initramfs.list
	$(LINUX)/src/usr/gen_init_cpio $(LINUX)/initramfs.list > $@
bench-linux: $(LINUX)/Image $(LINUX)/initramfs.cpio | deps-linux
	@echo "forkbench on Linux $$(cat $(LINUX)/src/include/config/kernel.release), QEMU $(BENCH_MACHINE), $(BENCH_SMP) hart(s), $(BENCH_MEM), icount=$(ICOUNT)"
	$(QEMU) -M $(BENCH_MACHINE) -m $(BENCH_MEM) -smp $(BENCH_SMP) -nographic $(ICOUNT_FLAGS) -bios $(OPENSBI)/fw_dynamic.bin \
		-kernel $(LINUX)/Image -initrd $(LINUX)/initramfs.cpio \
		-append "console=ttyS0 quiet -- icount=$(ICOUNT) iters=$(BENCH_ITERS)" \
		< /dev/null | $(PY) tools/forkbench_report.py --stdin --print --out $(B)/bench --name linux
	@if [ -f $(B)/bench/forkbench.json ]; then $(PY) tools/forkbench_report.py --compare \
		$(B)/bench/forkbench.json $(B)/bench/linux.json --out $(B)/bench --print; fi

debug: $(B)/Image | deps-run
	@echo "QEMU is halted with a gdb stub on :1234. In another terminal:"
	@echo "  gdb-multiarch $(B)/kernel.elf -ex 'target remote :1234'"
	$(QEMU_VIRT) -append "$(ARGS)" -s -S

# --- host side: device trees, unit tests, fdtinfo -------------------------------------
# The unit tests share their checks (test/host/check.h).
$(filter-out $(B)/host/fuzz_fat,$(HOST_TESTS)): test/host/check.h
$(B)/dtb/%.dtb: dts/%.dts | deps-build
	@mkdir -p $(dir $@)
	dtc -q -I dts -O dtb -o $@ $<
$(B)/host/test_units: test/host/test_units.c kernel/lib/format.c vm/frame.c vm/memmap.c vm/asid.c \
		vm/asid.h kernel/lib/chacha20.c kernel/lib/chacha20.h | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $(filter %.c,$^) -o $@
# vm/as.c as it is, on a frame pool over host memory (the TLB calls are the test's own).
$(B)/host/test_as: test/host/test_as.c vm/as.c vm/pt.c vm/frame.c | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $(filter %.c,$^) -o $@
$(B)/host/test_dt: test/host/test_dt.c kernel/lib/dt.c | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $(filter %.c,$^) -lfdt -o $@
# The block layer and FAT (userland/lib/fs) on the host: tests against mkfs.fat/mtools
# images, and the fuzzer on damaged ones (make fuzz runs it long; make test briefly).
$(B)/host/test_fat: test/host/test_fat.c $(FS_HOST_SRC) $(wildcard userland/lib/fs/*.h) | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $(filter %.c,$^) -o $@
$(B)/host/fuzz_fat: test/host/fuzz_fat.c $(FS_HOST_SRC) $(wildcard userland/lib/fs/*.h) | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $(filter %.c,$^) -o $@
FUZZ_ROUNDS ?= 100000
fuzz-fat: $(B)/host/test_fat $(B)/host/fuzz_fat | deps-test
	@mkdir -p $(B)/fat-work
	@$(B)/host/test_fat $(B)/fat-work >/dev/null
	$(B)/host/fuzz_fat $(B)/fat-work/fat12.img $(FUZZ_ROUNDS) $(if $(SEED),$(SEED))
	$(B)/host/fuzz_fat $(B)/fat-work/fat16.img $(FUZZ_ROUNDS) $(if $(SEED),$(SEED))

# /boot's logic (bootfs.c) over FAT and the namespace, against mtools and fsck.fat
$(B)/host/test_bootfs: test/host/test_bootfs.c userland/lib/fs/bootfs.c userland/lib/fstree.c \
		$(FS_HOST_SRC) $(wildcard userland/lib/fs/*.h) | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -D_GNU_SOURCE -Iuserland/lib $(filter %.c,$^) -o $@
$(B)/host/test_fslock: test/host/test_fslock.c userland/lib/fslock.c userland/lib/fslock.h | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -Iuserland/lib $(filter %.c,$^) -o $@
$(B)/host/test_fstree: test/host/test_fstree.c userland/lib/fstree.c | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -Iuserland/lib $(filter %.c,$^) -o $@
$(B)/host/test_fmtext: test/host/test_fmtext.c userland/lib/fmtext.c userland/lib/fmtext.h | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -Iuserland/lib $(filter %.c,$^) -o $@
# Built as lib_fnmatch, so the test compares it with the host C library's fnmatch.
$(B)/host/test_fnmatch: test/host/test_fnmatch.c userland/lib/fnmatch.c | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -D_GNU_SOURCE -Dfnmatch=lib_fnmatch -c userland/lib/fnmatch.c \
		-o $(B)/host/fnmatch_lib.o
	$(HOSTCC) $(HOSTCFLAGS) -D_GNU_SOURCE test/host/test_fnmatch.c $(B)/host/fnmatch_lib.o -o $@
$(B)/host/test_glob: test/host/test_glob.c userland/lib/glob.c userland/lib/glob.h | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -D_DEFAULT_SOURCE -Iuserland/lib $(filter %.c,$^) -o $@
$(B)/host/test_shparse: test/host/test_shparse.c userland/lib/shparse.c | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $(filter %.c,$^) -o $@
$(B)/host/test_ldisc: test/host/test_ldisc.c kernel/lib/ldisc.c kernel/lib/ldisc.h \
		kernel/abi/console.h | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $(filter %.c,$^) -o $@
$(B)/host/fdtinfo: tools/fdtinfo.c kernel/lib/dt.c | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $(filter %.c,$^) -o $@

# make fdtinfo DTB=file.dtb (default: this board's own tree)
fdtinfo: $(B)/host/fdtinfo $(DTBS)
	@$(B)/host/fdtinfo $(if $(DTB),$(DTB),$(B)/dtb/$(BOARD).dtb)

# --- tests ----------------------------------------------------------------------------
lint: | deps-test
	@tools/lint.sh

# The debug kernel beside the ordinary one (a make of its own: another build directory).
kdebug:
	@$(MAKE) --no-print-directory KDEBUG=1 all

# test: a sampled fault-injection sweep on the debug kernel; test-full: every allocation.
test: $(B)/Image $(HOST_TESTS) $(DTBS) kdebug $(LINUX)/forkbench | deps-test
	@$(PY) test/run.py
test-full: kdebug | deps-test
	@$(PY) test/failalloc.py --full

# make fuzz SECONDS=600: the system-call and server-protocol fuzzers, until the time is up
# or the first panic, hang or leak (it prints the seed that replays it; docs/testing.md).
SECONDS ?= 60
fuzz: fuzz-fat $(B)/Image kdebug | deps-test
	@$(PY) test/fuzz.py --seconds $(SECONDS) $(if $(SEED),--seed $(SEED))

clean:
	rm -rf $(B)

include dts/boards.mk
include userland/build.mk
-include $(KOBJ:.o=.d)
