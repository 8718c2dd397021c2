#!/usr/bin/env python3
"""Check a position-independent user program right after it is linked (userland/build.mk).

Usage: piecheck.py file.elf

Fails (exit 1, naming each problem) when the file has what would make it wrong or refused
away from its link address, so the build stops instead of the loader or the program:

- an undefined weak symbol: picolibc's libc.a is not position-independent, and its code
  takes such a symbol's address PC-relatively, which gives the load base instead of 0 once
  moved (userland/lib/pie/pie_rt.c defines the ones it uses);
- a dynamic relocation other than R_RISCV_RELATIVE or R_RISCV_NONE (the loader applies
  no other: ELF_RELOC_TYPE);
- a relocation inside an executable segment (text is never relocated, so it stays shared
  between instances: the loader refuses it with ELF_TEXT_RELOC).

The loader checks the last two again on every load (userland/lib/elf.c); this is for an
early, clear message. Needs the unstripped file (for the symbol table).
"""
import struct
import sys

ET_DYN = 3
PT_LOAD, PT_DYNAMIC = 1, 2
PF_X = 1
DT_NULL, DT_RELA, DT_RELASZ = 0, 7, 8
SHT_SYMTAB = 2
STB_WEAK = 2
SHN_UNDEF = 0
R_RISCV_NONE, R_RISCV_RELATIVE = 0, 3

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
DYN = struct.Struct("<qQ")
RELA = struct.Struct("<QQq")


def file_offset(loads, va):
    """The file offset of link address va, or None if no segment's file data holds it."""
    for _flags, off, vaddr, filesz in loads:
        if vaddr <= va < vaddr + filesz:
            return off + va - vaddr
    return None


def check(data):
    problems = []
    (_ident, etype, _mach, _ver, _entry, phoff, shoff, _flags, _ehsize, _phentsize, phnum,
     _shentsize, shnum, _shstrndx) = EHDR.unpack_from(data)
    if etype != ET_DYN:
        return ["not position-independent (ET_DYN)"]
    phdrs = [PHDR.unpack_from(data, phoff + i * PHDR.size) for i in range(phnum)]
    loads = [(p[1], p[2], p[3], p[5]) for p in phdrs if p[0] == PT_LOAD]
    text = [(vaddr, vaddr + filesz) for flags, _off, vaddr, filesz in loads if flags & PF_X]
    for p in phdrs:
        if p[0] != PT_DYNAMIC:
            continue
        dyn = {}
        for at in range(p[2], p[2] + p[5], DYN.size):
            tag, val = DYN.unpack_from(data, at)
            if tag == DT_NULL:
                break
            dyn[tag] = val
        start = file_offset(loads, dyn.get(DT_RELA, 0))
        for at in range(0, dyn.get(DT_RELASZ, 0), RELA.size):
            where, info, _addend = RELA.unpack_from(data, start + at)
            rtype = info & 0xffffffff
            if rtype not in (R_RISCV_NONE, R_RISCV_RELATIVE):
                problems.append("relocation type %d at %#x: the loader applies only "
                                "R_RISCV_RELATIVE" % (rtype, where))
            elif any(lo <= where < hi for lo, hi in text):
                problems.append("relocation in text at %#x (text is never relocated)" % where)
    shdrs = [SHDR.unpack_from(data, shoff + i * SHDR.size) for i in range(shnum)]
    for sh in shdrs:
        if sh[1] != SHT_SYMTAB:
            continue
        strtab = shdrs[sh[6]]
        for at in range(sh[4], sh[4] + sh[5], SYM.size):
            name, info, _other, shndx, _value, _size = SYM.unpack_from(data, at)
            if info >> 4 == STB_WEAK and shndx == SHN_UNDEF:
                end = data.index(b"\0", strtab[4] + name)
                problems.append("undefined weak symbol %s (define it in "
                                "userland/lib/pie/pie_rt.c)" % data[strtab[4] + name:end].decode())
    return problems


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    problems = check(data)
    for p in problems:
        print("%s: %s" % (sys.argv[1], p), file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
