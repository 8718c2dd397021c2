# User programs: the runtime library, the programs in userland/bin and userland/tests,
# the user's own APPS="a.c b.c", and the boot archive that carries them all.
# Included from the top Makefile (uses B, CROSS, ARCH, PY).

UCFLAGS := -std=gnu11 $(ARCH) --specs=picolibc.specs -O2 -g -Wall -Wextra -Werror -I. \
	-Iuserland/lib -ffunction-sections -fdata-sections -MMD -MP
# Linking names the plain ISA so gcc picks picolibc's rv64imac/lp64 multilib.
ULDFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany --specs=picolibc.specs -nostartfiles -static -T userland/lib/user.ld \
	-Wl,--gc-sections -Wl,--build-id=none -Wl,-z,max-page-size=4096

ULIB_SRC := $(wildcard userland/lib/*.c userland/lib/*.S)
ULIB_OBJ := $(patsubst %,$(B)/u/%.o,$(basename $(ULIB_SRC)))
UPROG_SRC := $(wildcard userland/bin/*.c userland/tests/*.c) $(APPS)
UPROG_NAMES := $(basename $(notdir $(UPROG_SRC)))
USER_PROGS := $(patsubst %,$(B)/user/%.elf,$(UPROG_NAMES))
UPROG_DUPS := $(strip $(foreach n,$(sort $(UPROG_NAMES)),$(if $(word 2,$(filter $(n),$(UPROG_NAMES))),$(n))))
ifneq ($(UPROG_DUPS),)
$(error more than one user program is called: $(UPROG_DUPS))
endif

$(B)/u/%.o: %.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -c $< -o $@
$(B)/u/%.o: %.S | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -c $< -o $@
$(B)/user/lib.a: $(ULIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(CROSS)ar rcs $@ $^

# Programs built position-independent: ld.lld -pie (GNU ld for riscv64-elf has no -pie),
# with the dynamic relocations also applied in the file (right at the link address).
# ld.lld 14 refuses picolibc's errno ("STT_TLS symbol but no SHF_TLS section"), so only
# programs that use no C library can be PIE for now; see docs/loader.md.
PIE_PROGS := pie_hello
UPIE_LDFLAGS := $(subst userland/lib/user.ld,userland/lib/user-pie.ld,$(ULDFLAGS)) \
	-B$(B)/lld -Wl,-pie -Wl,--no-dynamic-linker -Wl,-z,text -Wl,--apply-dynamic-relocs
$(B)/lld/ld:
	@mkdir -p $(dir $@)
	ln -sf $(shell command -v ld.lld) $@
$(foreach n,$(PIE_PROGS),$(eval $(B)/u/userland/bin/$(n).o: UCFLAGS += -fPIE))

# One rule per program, so a program may come from any directory (APPS).
define user_prog
$(B)/user/$(basename $(notdir $(1))).elf: $(B)/u/$(basename $(1)).o $(B)/user/lib.a userland/lib/user.ld \
		$(if $(filter $(basename $(notdir $(1))),$(PIE_PROGS)),userland/lib/user-pie.ld $(B)/lld/ld)
	@mkdir -p $$(dir $$@)
	$(CC) $(if $(filter $(basename $(notdir $(1))),$(PIE_PROGS)),$(UPIE_LDFLAGS),$(ULDFLAGS)) \
		$(B)/u/$(basename $(1)).o $(B)/user/lib.a -o $$@
endef
$(foreach s,$(UPROG_SRC),$(eval $(call user_prog,$(s))))

# The archive is rebuilt when the set of programs changes, not only their contents.
$(B)/user/progs.list: FORCE
	@mkdir -p $(dir $@)
	@echo "$(UPROG_NAMES)" | cmp -s - $@ || echo "$(UPROG_NAMES)" > $@
# The archive carries stripped copies; the .elf files keep symbols for addr2line and gdb.
$(B)/user/strip/%: $(B)/user/%.elf
	@mkdir -p $(dir $@)
	$(CROSS)strip --strip-all -o $@ $<
$(B)/archive.bin: $(UPROG_NAMES:%=$(B)/user/strip/%) $(B)/user/progs.list tools/mkarchive.py
	$(PY) tools/mkarchive.py -o $@ $(foreach n,$(UPROG_NAMES),$(n)=$(B)/user/strip/$(n))

.PHONY: FORCE
FORCE:
-include $(ULIB_OBJ:.o=.d) $(patsubst %,$(B)/u/%.d,$(basename $(UPROG_SRC)))
