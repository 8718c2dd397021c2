# Board images: make image BOARD=<board> [ARGS="..."] [FDT=file.dtb] [IMAGE_DIR=dir]
# Included from the top Makefile, which defines B, PY, SETUP, BOARD, ARGS and $(B)/Image.
#
# $(IMAGE_DIR) (default $(B)/image/$(BOARD)) receives:
#   Image                   the kernel: one Image boots on every board (docs/boot.md)
#   extlinux/extlinux.conf  read by U-Boot's distro boot
#   boot.cmd, boot.scr      the same boot as a U-Boot script, for set-ups without extlinux
#   boot-$(BOARD).vfat      a FAT32 boot partition holding the files above, and bin/ with
#                           the programs APPS= builds
#   sdcard-$(BOARD).img     an MBR disk: that partition at sector 2048, type 0x0c
#   tftp.txt                the U-Boot commands for a network boot
# No root and no loop devices: mkfs.vfat -C, mtools and tools/mkdisk.py work on plain files.
# docs/boards.md says how to use each file on each board.
#
# Variables:
#   ARGS         kernel command line (extlinux append, bootargs); e.g. ARGS=ktest
#   FDT          a DTB to ship as /dtbs/$(fdtfile) and boot with, instead of the tree U-Boot
#                itself runs with (${fdtcontroladdr}, the default: it carries the firmware's
#                fix-ups, such as OpenSBI's reserved memory)
#   IMAGE_BOOT   which boot files go on the partition: "extlinux script" (default); with only
#                "script", U-Boot's distro boot finds no extlinux.conf and runs boot.scr
#   TFTP_SERVER  the TFTP server address written into tftp.txt

# Per board:
#   ram_base       start of RAM
#   kernel_pa      where the kernel runs: RAM base + the Image header's text_offset (0x200000).
#                  booti moves the Image there from wherever U-Boot loaded it.
#   kernel_addr_r  where U-Boot loads it: the default in U-Boot's board environment (upstream
#                  U-Boot, and Debian's build for QEMU). Only for reading: the boot files use
#                  ${kernel_addr_r} as the board's U-Boot has it.
#   fdtfile        the board's DTB as U-Boot's ${fdtfile} names it (QEMU makes its own tree,
#                  so that name is ours); used only with FDT=.
ram_base.qemu-virt := 0x80000000
kernel_pa.qemu-virt := 0x80200000
kernel_addr_r.qemu-virt := 0x84000000
fdtfile.qemu-virt := qemu/qemu-virt.dtb
model.qemu-virt := QEMU virt

ram_base.visionfive2 := 0x40000000
kernel_pa.visionfive2 := 0x40200000
kernel_addr_r.visionfive2 := 0x40200000
fdtfile.visionfive2 := starfive/jh7110-starfive-visionfive-2-v1.3b.dtb
model.visionfive2 := StarFive VisionFive 2

ram_base.hifive-unmatched := 0x80000000
kernel_pa.hifive-unmatched := 0x80200000
kernel_addr_r.hifive-unmatched := 0x84000000
fdtfile.hifive-unmatched := sifive/hifive-unmatched-a00.dtb
model.hifive-unmatched := SiFive HiFive Unmatched

ram_base.hifive-unleashed := 0x80000000
kernel_pa.hifive-unleashed := 0x80200000
kernel_addr_r.hifive-unleashed := 0x84000000
fdtfile.hifive-unleashed := sifive/hifive-unleashed-a00.dtb
model.hifive-unleashed := SiFive HiFive Unleashed

BOARD_RAM_BASE := $(ram_base.$(BOARD))
BOARD_KERNEL_PA := $(kernel_pa.$(BOARD))
BOARD_KERNEL_ADDR_R := $(kernel_addr_r.$(BOARD))
BOARD_FDTFILE := $(fdtfile.$(BOARD))
BOARD_MODEL := $(model.$(BOARD))

IMAGE_DIR ?= $(B)/image/$(BOARD)
IMAGE_BOOT ?= extlinux script
FDT ?=
TFTP_SERVER ?= 192.168.1.2
# FAT32 (partition type 0x0c) needs at least 65525 clusters: 64 MiB of 512-byte clusters.
BOOT_PART_MIB := 64
BOOT_PART_LABEL := MUKERNEL
# The FAT volume id, fixed so that a rebuild gives the same partition.
BOOT_PART_VOLID := 6d6b726e
KIB_PER_MIB := 1024

IMG := $(IMAGE_DIR)
VFAT := $(IMG)/boot-$(BOARD).vfat
SDCARD := $(IMG)/sdcard-$(BOARD).img
# What goes on the partition: the Image, the DTB if FDT is set, the boot files IMAGE_BOOT names.
BOOT_FILES := Image $(if $(FDT),dtbs) $(if $(filter extlinux,$(IMAGE_BOOT)),extlinux) \
	$(if $(filter script,$(IMAGE_BOOT)),boot.cmd boot.scr)
# The tree handed to the kernel: U-Boot's own, or the one shipped on the partition.
FDT_ADDR = $(if $(FDT),$${fdt_addr_r},$${fdtcontroladdr})
MTOOLS := env MTOOLS_SKIP_CHECK=1

EXTLINUX_FDT_NOTE = $(if $(FDT),# The kernel gets /dtbs/$(BOARD_FDTFILE) (U-Boot adds the \
	firmware's reserved memory).,# With no fdt line, U-Boot passes on its own device tree.)

# No append line when ARGS is empty: U-Boot 2023.01 rejects an empty one, then crashes.
define EXTLINUX_CONF
# mukernel for $(BOARD_MODEL), read by U-Boot's distro boot (make image BOARD=$(BOARD)).
$(EXTLINUX_FDT_NOTE)
default mukernel
timeout 0

label mukernel
	menu label mukernel ($(BOARD))
	kernel /Image
$(if $(FDT),	fdt /dtbs/$(BOARD_FDTFILE)
)$(if $(strip $(ARGS)),	append $(ARGS))
endef

define BOOT_CMD
# mukernel for $(BOARD_MODEL): U-Boot's distro boot runs boot.scr when it finds no
# extlinux.conf, with devtype, devnum and distro_bootpart naming the partition it is on.
# Rebuild boot.scr after editing: mkimage -A riscv -O linux -T script -C none -d boot.cmd boot.scr
echo "mukernel: loading /Image from $${devtype} $${devnum}:$${distro_bootpart}"
setenv bootargs "$(ARGS)"
load $${devtype} $${devnum}:$${distro_bootpart} $${kernel_addr_r} /Image
$(if $(FDT),load $${devtype} $${devnum}:$${distro_bootpart} $${fdt_addr_r} /dtbs/$(BOARD_FDTFILE)
)booti $${kernel_addr_r} - $(FDT_ADDR)
endef

# tftp.txt's commands, separated by "|"; written one a line, and joined into one line for
# pasting (U-Boot's network commands poll the console for Ctrl-C and eat type-ahead).
TFTP_NET = setenv autoload no|dhcp|setenv serverip $(TFTP_SERVER)|setenv bootargs "$(ARGS)"
TFTP_LOAD = tftpboot $${kernel_addr_r} Image$(if $(FDT),|tftpboot $${fdt_addr_r} $(BOARD_FDTFILE))
TFTP_CMDS = $(TFTP_NET)|$(TFTP_LOAD)|booti $${kernel_addr_r} - $(FDT_ADDR)
define newline


endef

define TFTP_TXT
# Network boot of mukernel on $(BOARD_MODEL), typed at the U-Boot prompt.
# Copy Image$(if $(FDT), and $(BOARD_FDTFILE),) into the TFTP server's root directory.
# serverip is that server (make image TFTP_SERVER=...). With no DHCP, setenv ipaddr instead.
# U-Boot loads the Image at $${kernel_addr_r} (usually $(BOARD_KERNEL_ADDR_R) on this board),
# then booti moves it to $(BOARD_KERNEL_PA): RAM base $(BOARD_RAM_BASE) + 2 MiB.
# Type one line at a time, or paste this single line:
# $(subst |,; ,$(TFTP_CMDS))
$(subst |,$(newline),$(TFTP_CMDS))
endef

# The programs APPS= builds also go in the partition's /bin (stripped), for fatfs run.
IMAGE_APPS := $(basename $(notdir $(APPS)))

.PHONY: image
image: $(B)/Image $(FDT) $(IMAGE_APPS:%=$(B)/user/strip/%) | deps-test $(IMG)/extlinux
	$(file >$(IMG)/extlinux/extlinux.conf,$(EXTLINUX_CONF))
	$(file >$(IMG)/boot.cmd,$(BOOT_CMD))
	$(file >$(IMG)/tftp.txt,$(TFTP_TXT))
	cp $(B)/Image $(IMG)/Image
	rm -rf $(IMG)/dtbs
	$(if $(FDT),mkdir -p $(dir $(IMG)/dtbs/$(BOARD_FDTFILE)) && cp $(FDT) $(IMG)/dtbs/$(BOARD_FDTFILE))
	mkimage -A riscv -O linux -T script -C none -n "mukernel $(BOARD)" \
		-d $(IMG)/boot.cmd $(IMG)/boot.scr >/dev/null
	rm -f $(VFAT)
	mkfs.vfat -C -F 32 -s 1 -n $(BOOT_PART_LABEL) -i $(BOOT_PART_VOLID) $(VFAT) \
		$$(($(BOOT_PART_MIB) * $(KIB_PER_MIB))) >/dev/null
	cd $(IMG) && $(MTOOLS) mcopy -s -i $(notdir $(VFAT)) $(BOOT_FILES) ::/
	$(MTOOLS) mmd -i $(VFAT) ::/bin
	$(if $(IMAGE_APPS),cd $(B)/user/strip && $(MTOOLS) mcopy -i $(abspath $(VFAT)) \
		$(IMAGE_APPS) ::/bin/)
	$(PY) tools/mkdisk.py $(SDCARD) $(VFAT)
	@echo "image: $(IMG) ($(BOARD_MODEL), kernel at $(BOARD_KERNEL_PA), append \"$(ARGS)\")"

$(IMG)/extlinux:
	mkdir -p $@
