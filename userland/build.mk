# User programs: the runtime library, the programs in userland/bin and userland/tests,
# the user's own APPS="a.c b.c", and the boot archive that carries them all.
# Included from the top Makefile (uses B, CROSS, ARCH, PY).

UCFLAGS := -std=gnu11 $(ARCH) --specs=picolibc.specs -O2 -g -Wall -Wextra -Werror -I. \
	-Iuserland/lib -ffunction-sections -fdata-sections -MMD -MP
# Linking names the plain ISA so gcc picks picolibc's rv64imac/lp64 multilib. -u takes
# our locking hooks (libc_lock.c) from lib.a before picolibc's empty ones in libc.a.
# --wrap puts streams.c in front of picolibc's fdopen, fclose, fflush, setenv, ftell,
# ftello, fseek, fseeko and the character, string, block and formatted reads and writes,
# and fopen.c in front of its freopen.
ULDFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany --specs=picolibc.specs -nostartfiles -static -T userland/lib/user.ld \
	-Wl,--gc-sections -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-u,__lock___libc_recursive_mutex \
	-Wl,--wrap=fdopen -Wl,--wrap=fclose -Wl,--wrap=fflush -Wl,--wrap=setenv \
	-Wl,--wrap=freopen -Wl,--wrap=ftell -Wl,--wrap=ftello -Wl,--wrap=fseek -Wl,--wrap=fseeko \
	-Wl,--wrap=fputc -Wl,--wrap=fgetc -Wl,--wrap=fputs -Wl,--wrap=fgets -Wl,--wrap=fwrite \
	-Wl,--wrap=fread -Wl,--wrap=vfprintf -Wl,--wrap=vfscanf

ULIB_SRC := $(wildcard userland/lib/*.c userland/lib/*.S userland/lib/fs/*.c)
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
# with the dynamic relocations also applied in the file (right at the link address). They
# link the runtime built -fPIE (lib-pie.a). picolibc's libc.a is not PIC: some of its
# read-only data holds absolute pointers (strftime's names, strsignal's table...), so
# -z notext lets ld.lld relocate read-only data too (those pages are private when moved);
# text must still have no relocation, which tools/piecheck.py checks after each link (and
# the loader on each load), with the rest of what would go wrong away from the link
# address; docs/loader.md. `make PIE=1 APPS=...` builds the user's programs so too.
PIE_PROGS := pie_hello pie_libc $(if $(filter 1,$(PIE)),$(basename $(notdir $(APPS))))
UPIE_LDFLAGS := $(subst userland/lib/user.ld,userland/lib/user-pie.ld,$(ULDFLAGS)) \
	-B$(B)/lld -Wl,-pie -Wl,--no-dynamic-linker -Wl,-z,notext -Wl,--apply-dynamic-relocs
ULIB_PIE_OBJ := $(patsubst %,$(B)/upie/%.o,$(basename $(ULIB_SRC)))
$(B)/upie/%.o: %.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -fPIE -c $< -o $@
$(B)/upie/%.o: %.S | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -fPIE -c $< -o $@
$(B)/user/lib-pie.a: $(ULIB_PIE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(CROSS)ar rcs $@ $^
$(B)/lld/ld:
	@mkdir -p $(dir $@)
	ln -sf $(shell command -v ld.lld) $@
# What non-PIC picolibc would get wrong away from the link address (the weak symbols it
# tests for, _init_tls): userland/lib/pie/pie_rt.c, linked as an object, since a weak
# reference pulls nothing from an archive.
UPIE_RT := $(B)/upie/userland/lib/pie/pie_rt.o
# A PIE program's own object is built -fPIE too, under upie/ (so PIE=1 never reuses a
# non-PIC object of the same source).
is_pie = $(filter $(basename $(notdir $(1))),$(PIE_PROGS))
prog_obj = $(B)/$(if $(call is_pie,$(1)),upie,u)/$(basename $(1)).o

# One rule per program, so a program may come from any directory (APPS).
define user_prog
$(B)/user/$(basename $(notdir $(1))).elf: $(call prog_obj,$(1)) userland/lib/user.ld \
		$(if $(call is_pie,$(1)),$(UPIE_RT) $(B)/user/lib-pie.a userland/lib/user-pie.ld $(B)/lld/ld,$(B)/user/lib.a) \
		$(B)/user/pie.list $(if $(call is_pie,$(1)),tools/piecheck.py)
	@mkdir -p $$(dir $$@)
	$(CC) $(if $(call is_pie,$(1)),$(UPIE_LDFLAGS),$(ULDFLAGS)) $(call prog_obj,$(1)) \
		-Wl,--start-group $(if $(call is_pie,$(1)),$(UPIE_RT) $(B)/user/lib-pie.a,$(B)/user/lib.a) -lc -Wl,--end-group -o $$@
	$(if $(call is_pie,$(1)),@$(PY) tools/piecheck.py $$@ || { rm -f $$@; exit 1; })
endef
$(foreach s,$(UPROG_SRC),$(eval $(call user_prog,$(s))))

# Programs relink when the set built position-independent changes (PIE=1).
$(B)/user/pie.list: FORCE
	@mkdir -p $(dir $@)
	@echo "$(PIE_PROGS)" | cmp -s - $@ || echo "$(PIE_PROGS)" > $@
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
-include $(ULIB_OBJ:.o=.d) $(ULIB_PIE_OBJ:.o=.d) $(UPIE_RT:.o=.d) $(foreach s,$(UPROG_SRC),$(basename $(call prog_obj,$(s))).d)
