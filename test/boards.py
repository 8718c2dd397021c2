"""Board checks for make test: every part of the boards' boot path that runs without a board.

test/run.py calls steps(B, harness, virt, TIMEOUT) and runs what it yields, in order:
  - QEMU sifive_u (the HiFive Unleashed model) boots the hifive-unleashed Image under OpenSBI:
    SiFive UART, a boot hart other than 0, hart 0 without an MMU, a 1 MHz timebase, no Sstc;
  - QEMU virt with OpenSBI and Debian's S-mode U-Boot, the boards' own loader, boots the
    qemu-virt SD-card image from a virtio disk, once through extlinux.conf and once through
    boot.scr, and once over TFTP with the lines from tftp.txt;
  - QEMU virt with a board-like CPU (no Sstc), so the SBI timer path runs;
  - fdtinfo, the kernel's own device-tree reader, on the upstream board trees and ours.
Each boot runs the in-kernel suite (bootargs "ktest").
"""
import glob
import os
import re
import subprocess

QEMU = "qemu-system-riscv64"
FW_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
# U-Boot's qemu-riscv64 environment loads files at 0x8c100000 and up: RAM must reach past it.
UBOOT_MEM = "512M"
SIFIVE_U_HARTS = "5"  # hart 0 is the E51 (no MMU), harts 1-4 the U54s
QEMU_TFTP_SERVER = "10.0.2.2"  # QEMU user networking: the host, which also serves TFTP
MAKE = ["make", "-s", "--no-print-directory"]
RX = [(b"@rx-ready", b"ping\r")]  # the uart_rx self-test waits for this line
STOP_AUTOBOOT = (b"Hit any key to stop autoboot", b" ")
UBOOT_PROMPT = b"=> "
REF_DTB = os.environ.get("REFERENCE_DTB_DIR",
                         os.path.join(os.path.dirname(os.path.abspath(".")), "shared",
                                      "reference-dtb"))


# ---- helpers ---------------------------------------------------------------------------

def failed(harness, name, reason):
    res = harness.Result(name)
    res.reason = reason
    return res


def make(*args):
    """Run make; returns None, or the reason it failed."""
    p = subprocess.run(MAKE + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode == 0:
        return None
    tail = p.stdout.decode(errors="replace").strip().splitlines()[-4:]
    return "make %s failed: %s" % (" ".join(args), " | ".join(tail))


def make_image(B, name, board, **variables):
    """make image into B/test-images/name; returns (directory, None) or (None, reason)."""
    out = os.path.join(B, "test-images", name)
    args = ["image", "BOARD=" + board, "ARGS=ktest", "IMAGE_DIR=" + out]
    args += ["%s=%s" % kv for kv in variables.items()]
    err = make(*args)
    return (None, err) if err else (out, None)


def require(res, texts):
    """Fail an otherwise passing run whose console lacks any of texts."""
    missing = [t.decode() for t in texts if t not in res.output]
    if res.ok and missing:
        res.ok = False
        res.reason = "console output lacks: " + "; ".join(repr(t) for t in missing)
    return res


def uboot_virt(extra):
    """QEMU virt running OpenSBI, then Debian's S-mode U-Boot, then whatever it boots."""
    return [QEMU, "-M", "virt", "-m", UBOOT_MEM, "-smp", "1", "-nographic", "-no-reboot",
            "-bios", FW_JUMP, "-kernel", UBOOT, *extra]


def virtio_disk(path):
    return ["-drive", "file=%s,format=raw,if=none,id=hd0" % path,
            "-device", "virtio-blk-device,drive=hd0"]


# ---- boots -----------------------------------------------------------------------------

def sifive_u(B, harness, timeout):
    """The HiFive Unleashed model. Its OpenSBI has SRST reboot but no shutdown: the kernel
    falls back to a cold reboot, which -no-reboot turns into exit status 0."""
    name = "sifive_u-hifive-unleashed"
    out, err = make_image(B, name, "hifive-unleashed")
    if err:
        return failed(harness, name, err)
    argv = [QEMU, "-M", "sifive_u", "-smp", SIFIVE_U_HARTS, "-nographic", "-no-reboot",
            "-bios", FW_JUMP, "-kernel", os.path.join(out, "Image"), "-append", "ktest"]
    res = harness.run_qemu(name, argv, timeout, send_on=RX, expect_exit=0,
                           log_dir=os.path.join(B, "test-logs"))
    return require(res, [b"console sifive-uart", b"timer sbi-time at 1000000 Hz",
                         b"4 hart(s) usable of 5"])


def uboot_disk(B, harness, timeout, name, boot_files, found):
    """U-Boot's distro boot finds the kernel on the SD-card image, given as a virtio disk."""
    out, err = make_image(B, name, "qemu-virt", IMAGE_BOOT=boot_files)
    if err:
        return failed(harness, name, err)
    disk = os.path.join(out, "sdcard-qemu-virt.img")
    res = harness.run_qemu(name, uboot_virt(virtio_disk(disk)), timeout, send_on=RX,
                           log_dir=os.path.join(B, "test-logs"))
    return require(res, [found, b"Starting kernel"])


def tftp_command_line(path):
    """tftp.txt's commands as one line. U-Boot's network commands poll the console for
    Ctrl-C and would eat anything typed ahead, so the commands go in one line."""
    with open(path) as f:
        lines = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    return "; ".join(lines).encode()


def uboot_tftp(B, harness, timeout):
    """The lines of tftp.txt, typed at the U-Boot prompt, against QEMU's own TFTP server."""
    name = "uboot-tftp"
    out, err = make_image(B, name, "qemu-virt", TFTP_SERVER=QEMU_TFTP_SERVER)
    if err:
        return failed(harness, name, err)
    net = ["-netdev", "user,id=net0,tftp=" + out, "-device", "virtio-net-device,netdev=net0"]
    typed = [STOP_AUTOBOOT, (UBOOT_PROMPT, tftp_command_line(os.path.join(out, "tftp.txt")) +
                             b"\r")] + RX
    res = harness.run_qemu(name, uboot_virt(net), timeout, send_on=typed,
                           log_dir=os.path.join(B, "test-logs"))
    return require(res, [b"Bytes transferred", b"Starting kernel"])


def no_sstc(B, harness, virt, timeout):
    """A board-like CPU: no Sstc, so the timer goes through SBI TIME."""
    res = harness.run_qemu("virt-no-sstc", virt("128M", "jump", "ktest",
                                                extra=["-cpu", "rv64,sstc=off"]),
                           timeout, send_on=RX, log_dir=os.path.join(B, "test-logs"))
    return require(res, [b"timer sbi-time"])


# ---- fdtinfo on board trees ------------------------------------------------------------

class Board:
    """What fdtinfo must report for a board's tree. usable: the hart ids, or ALL_HARTS."""

    def __init__(self, model, mem_base, timebase, console, driver, usable, plic_ctx):
        self.model, self.mem_base, self.timebase = model, mem_base, timebase
        self.console, self.driver, self.usable, self.plic_ctx = console, driver, usable, plic_ctx


ALL_HARTS = None
# The boards' PLIC gives hart 0 (no MMU) only an M context, so hart h has S context 2h;
# QEMU virt gives every hart an M and an S context: 2h + 1.
BOARDS = [
    Board("StarFive VisionFive 2", 0x40000000, 4000000, 0x10000000, "dw-apb-uart",
          (1, 2, 3, 4), lambda h: 2 * h),
    Board("SiFive HiFive Unmatched", 0x80000000, 1000000, 0x10010000, "sifive-uart",
          (1, 2, 3, 4), lambda h: 2 * h),
    Board("SiFive HiFive Unleashed", 0x80000000, 1000000, 0x10010000, "sifive-uart",
          (1, 2, 3, 4), lambda h: 2 * h),
    Board("riscv-virtio,qemu", 0x80000000, 10000000, 0x10000000, "ns16550",
          ALL_HARTS, lambda h: 2 * h + 1),
]

HART_LINE = re.compile(r"^  hart (\d+)\s+(.*?)\s+mmu ", re.M)
PLIC_LINE = re.compile(r"^  hart (\d+)\s+S-mode context (-?\d+)", re.M)


def field(pattern, text, convert=str):
    m = re.search(pattern, text, re.M)
    return convert(m.group(1)) if m else None


def parse_fdtinfo(text):
    harts = {int(h): why for h, why in HART_LINE.findall(text)}
    return {
        "model": field(r"^model: (.*)$", text),
        "mem_base": field(r"^memory:\n  (0x[0-9a-f]+)-", text, lambda s: int(s, 16)),
        "timebase": field(r"^timebase: (\d+) Hz", text, int),
        "console": field(r"^console: .*\n  base\s+(0x[0-9a-f]+)", text, lambda s: int(s, 16)),
        "driver": field(r"^  driver\s+(\S+)", text),
        "harts": harts,
        "usable": tuple(sorted(h for h, why in harts.items() if why == "usable")),
        "plic": {int(h): int(c) for h, c in PLIC_LINE.findall(text)},
    }


def board_mismatches(board, got):
    """Every way got differs from what the board's tree must give."""
    bad = []
    for key, fmt in (("mem_base", hex), ("timebase", str), ("console", hex)):
        if got[key] != getattr(board, key):
            bad.append("%s %s, expected %s" % (key, got[key] if got[key] is None else
                                               fmt(got[key]), fmt(getattr(board, key))))
    if got["driver"] != board.driver:
        bad.append("console driver %s, expected %s" % (got["driver"], board.driver))
    want = tuple(sorted(got["harts"])) if board.usable is ALL_HARTS else board.usable
    if got["usable"] != want or not want:
        bad.append("usable harts %s, expected %s" % (got["usable"], want))
    for h in got["usable"]:
        if got["plic"].get(h) != board.plic_ctx(h):
            bad.append("hart %d PLIC S context %s, expected %d" % (h, got["plic"].get(h),
                                                                    board.plic_ctx(h)))
    return bad


def fdtinfo_check(B, harness, dtb):
    name = "fdtinfo-" + os.path.splitext(os.path.basename(dtb))[0]
    err = make(os.path.join(B, "host", "fdtinfo"))
    if err:
        return failed(harness, name, err)
    p = subprocess.run([os.path.join(B, "host", "fdtinfo"), dtb], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    res = harness.Result(name)
    res.output = p.stdout
    with open(os.path.join(B, "test-logs", name + ".log"), "wb") as f:
        f.write(p.stdout)
    got = parse_fdtinfo(p.stdout.decode(errors="replace"))
    board = next((b for b in BOARDS if (got["model"] or "").startswith(b.model)), None)
    if p.returncode != 0:
        res.reason = "fdtinfo exit %d" % p.returncode
    elif board is None:
        res.reason = "unknown board model %r: add it to BOARDS in test/boards.py" % got["model"]
    else:
        res.reason = "; ".join(board_mismatches(board, got))
        res.ok = not res.reason
    return res


def board_dtbs(B):
    """The upstream trees (if present) and the project's own, from dts/ and QEMU dumps."""
    ref = sorted(glob.glob(os.path.join(REF_DTB, "*.dtb")))
    if not ref:
        print("note: no reference DTBs at %s; fdtinfo not checked on upstream board trees"
              % REF_DTB)
    return ref + sorted(glob.glob(os.path.join(B, "dtb", "*.dtb")))


# ---- the steps -------------------------------------------------------------------------

def steps(B, harness, virt, TIMEOUT):
    """Zero-argument callables, each returning a harness.Result, for test/run.py."""
    yield lambda: sifive_u(B, harness, TIMEOUT)
    yield lambda: uboot_disk(B, harness, TIMEOUT, "uboot-extlinux", "extlinux",
                             b"Found /extlinux/extlinux.conf")
    yield lambda: uboot_disk(B, harness, TIMEOUT, "uboot-bootscr", "script",
                             b"Found U-Boot script /boot.scr")
    yield lambda: uboot_tftp(B, harness, TIMEOUT)
    yield lambda: no_sstc(B, harness, virt, TIMEOUT)
    for dtb in board_dtbs(B):
        yield lambda dtb=dtb: fdtinfo_check(B, harness, dtb)
