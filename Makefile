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
B := build
PY := /usr/bin/python3
SETUP := tools/setup.sh

# Flags that run on every supported core (the FU540's U54 has no Zba/Zbb).
ARCH := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
KCFLAGS := -std=gnu11 $(ARCH) -ffreestanding -nostdlib -fno-builtin -fno-common -fno-pie \
	-mno-relax -O2 -g -Wall -Wextra -Werror -I. -MMD -MP
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
HOST_TESTS := $(B)/host/test_units $(B)/host/test_dt

.PHONY: all run debug bench bench-serial test lint host-tests deps-build deps-run deps-test fdtinfo clean
all: $(B)/Image

# --- set-up: install what is missing, once per machine -----------------------------
deps-build:
	@$(SETUP) build
deps-run:
	@$(SETUP) run
deps-test:
	@$(SETUP) test

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
$(B)/kernel.elf: $(KOBJ) kernel/boot/kernel.ld
	$(CC) $(KCFLAGS) $(KLDFLAGS) $(KOBJ) -o $@
$(B)/Image: $(B)/kernel.elf tools/check_image.py
	$(OBJCOPY) -O binary $< $@
	@$(PY) tools/check_image.py $@

# make run CMD="prog args": boot, run that one program, power off with its exit status.
ifneq ($(CMD),)
ARGS := run $(CMD)
endif
run: $(B)/Image | deps-run
	@echo "QEMU virt, $(MEM), $(SMP) hart(s); Ctrl-A X quits"
	$(QEMU_VIRT) -append "$(ARGS)"

# The benchmark: QEMU with one instruction per nanosecond, so every figure repeats exactly.
ICOUNT ?= 1
BENCH_ITERS ?= 1000
BENCH_MEM ?= 128M
BENCH_SMP ?= 1
ifeq ($(ICOUNT),1)
ICOUNT_FLAGS := -icount shift=0,sleep=off
endif
bench: $(B)/Image | deps-test
	@echo "forkbench on QEMU virt, $(BENCH_SMP) hart(s), $(BENCH_MEM), icount=$(ICOUNT) (unit: guest instructions when icount=1)"
	$(QEMU) -M virt -m $(BENCH_MEM) -smp $(BENCH_SMP) -nographic $(ICOUNT_FLAGS) -bios $(OPENSBI)/fw_dynamic.bin \
		-kernel $(B)/Image -append "run forkbench icount=$(ICOUNT) iters=$(BENCH_ITERS)" \
		< /dev/null | $(PY) tools/forkbench_report.py --stdin --print --out $(B)/bench

# Collect from a board already booted with `run forkbench` (see docs/benchmark.md).
SERIAL ?= /dev/ttyUSB0
BAUD ?= 115200
bench-serial: | deps-test
	$(PY) tools/forkbench_report.py --serial $(SERIAL) --baud $(BAUD) --print --out $(B)/bench

debug: $(B)/Image | deps-run
	@echo "QEMU is halted with a gdb stub on :1234. In another terminal:"
	@echo "  gdb-multiarch $(B)/kernel.elf -ex 'target remote :1234'"
	$(QEMU_VIRT) -append "$(ARGS)" -s -S

# --- host side: device trees, unit tests, fdtinfo -------------------------------------
$(B)/dtb/%.dtb: dts/%.dts | deps-build
	@mkdir -p $(dir $@)
	dtc -q -I dts -O dtb -o $@ $<
$(B)/host/test_units: test/host/test_units.c kernel/lib/format.c vm/frame.c vm/memmap.c | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $^ -o $@
$(B)/host/test_dt: test/host/test_dt.c kernel/lib/dt.c | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $^ -lfdt -o $@
$(B)/host/fdtinfo: tools/fdtinfo.c kernel/lib/dt.c | deps-build
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) $^ -o $@

# make fdtinfo DTB=file.dtb (default: this board's own tree)
fdtinfo: $(B)/host/fdtinfo $(DTBS)
	@$(B)/host/fdtinfo $(if $(DTB),$(DTB),$(B)/dtb/$(BOARD).dtb)

# --- tests ----------------------------------------------------------------------------
lint: | deps-test
	@tools/lint.sh

test: $(B)/Image $(HOST_TESTS) $(DTBS) | deps-test
	@$(PY) test/run.py

clean:
	rm -rf $(B)

include dts/boards.mk
include userland/build.mk
-include $(KOBJ:.o=.d)
