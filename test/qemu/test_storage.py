"""Storage in QEMU: a FAT image built on the host with mkfs.fat and mtools, attached as a
virtio-blk disk (or sifive_u's SD card), which the file server mounts at /boot through the
user-level driver, the block layer and the FAT code; the guest uses it with ordinary
programs (a shell script on the disk itself), then the host checks the image again.

Steps (each one PASS/FAIL line):
  storage-legacy  FAT16, virtio-mmio legacy (QEMU 7.2's default): `run sh /boot/t.sh`
                  cats /boot/hello.txt, runs /boot/bin/hello, writes /boot/new.txt,
                  appends to /boot/log.txt and runs test_boot_files (every POSIX call on
                  /boot); init syncs and powers off. On the host mtype must show the new
                  contents, test_boot_files' scratch folder must be gone and fsck.fat -n
                  must be clean.
  storage-modern  the same on FAT32 with virtio 1.0 (-global virtio-mmio.force-legacy=false).
  storage-sd-sdsc the same on QEMU sifive_u over the SiFive SPI controller and an SD card
                  in SPI mode (sifive_spi_sd): a 16 MiB SDSC card (byte addresses), FAT16.
  storage-sd-sdhc the same with a 4 GiB SDHC card (block addresses), FAT32.
  storage-make-run  `make run DISK=<the legacy step's image> CMD="cat /boot/new.txt"`
                  attaches the disk: the guest prints what the legacy step wrote.
  storage-fatfs   `noboot run fatfs ...` on the legacy step's image: with noboot the file
                  server leaves the disk alone and fatfs reads it (and without noboot
                  fatfs refuses, the disk being the server's).
  storage-board   the SD-card image `make image BOARD=qemu-virt` writes (an MBR, the FAT32
                  boot partition at 1 MiB with its bin/ folder), hello and a script copied
                  in with mtools: /boot is that partition, ls lists bin/ and the program runs.
  storage-corrupt a boot sector with a bad BPB: the file server says EINVAL, there is no
                  /boot, nothing crashes.
  storage-short   a disk shorter than its volume: the mount is refused the same way.
  storage-baddir  a folder whose entry points past the volume: /boot is mounted with the
                  rest, the folder reads as empty, a write into it is EIO.
  storage-full    a small volume filled by copies: ENOSPC, space back after rm, fsck clean.
  storage-loopdir a folder whose entry points at the root (a loop): the mount ends, the
                  folder is shown empty.
  storage-driver  test_blk_driver against a scratch disk: malformed block requests are
                  refused with EINVAL/ERANGE, the last sectors write and read back.
  storage-ioerror the device fails reads of one file's sector (QEMU blkdebug, errno 5):
                  that cat of /boot reports EIO, the driver keeps serving, the next works.
  storage-writeerror the device fails writes of log.txt's sector: sync(1) prints I/O
                  error and exits 1, and init warns that changes may be lost.
"""
import os
import re
import subprocess

import test_shell

# The guest's commands, a script on the disk itself (`run sh /boot/t.sh`).
GUEST_SCRIPT = """cat /boot/hello.txt
/boot/bin/hello
echo status=$?
echo guest > /boot/new.txt
echo more >> /boot/log.txt
test_boot_files
"""
GUEST_CMD = "run sh /boot/t.sh"


def sh(*argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)


def make_image(B, path, kib, fat_args, script=GUEST_SCRIPT):
    """A FAT image holding hello.txt, log.txt, the script t.sh, bin/hello and
    bin/bigtext (the archive's programs)."""
    d = os.path.dirname(path)
    os.makedirs(d, exist_ok=True)
    if os.path.exists(path):
        os.remove(path)
    for name, text in (("hello.txt", "hello from the card\n"), ("log.txt", "first line\n"),
                       ("t.sh", script)):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    steps = [["mkfs.fat", "-C", *fat_args, path, str(kib)],
             ["mcopy", "-i", path, os.path.join(d, "hello.txt"), "::/hello.txt"],
             ["mcopy", "-i", path, os.path.join(d, "log.txt"), "::/log.txt"],
             ["mcopy", "-i", path, os.path.join(d, "t.sh"), "::/t.sh"],
             ["mmd", "-i", path, "::/bin"],
             ["mcopy", "-i", path, B + "/user/strip/hello", "::/bin/hello"],
             ["mcopy", "-i", path, B + "/user/strip/bigtext", "::/bin/bigtext"]]
    for argv in steps:
        p = sh(*argv)
        if p.returncode != 0:
            return "%s failed: %s" % (argv[0], p.stdout.decode(errors="replace"))
    return ""


def disk_args(drive, modern):
    extra = ["-drive", drive + ",if=none,format=raw,id=hd0",
             "-device", "virtio-blk-device,drive=hd0"]
    return extra + (["-global", "virtio-mmio.force-legacy=false"] if modern else [])


def run(harness, virt, name, args, extra, timeout):
    res, status, timed_out = test_shell.run_seeing_status(
        harness, name, virt("128M", "dynamic", args, extra=extra), timeout, ())
    return res, status, timed_out


def verdict(res, harness, timed_out, problems):
    if harness.PANIC in res.output or timed_out:
        return res  # the harness's reason stands
    res.ok, res.reason = not problems, "; ".join(problems)
    return res


def host_checks(path):
    """What mtype and fsck.fat see after the guest's changes."""
    problems = []
    for name, want in (("new.txt", b"guest\n"), ("log.txt", b"first line\nmore\n")):
        got = sh("mtype", "-i", path, "::/" + name).stdout
        if got != want:
            problems.append("mtype %s: %r, want %r" % (name, got, want))
    listing = sh("mdir", "-i", path, "::/log.txt").stdout
    if not re.search(rb"2021-03-04 +5:06", listing):  # test_boot_files' utime
        problems.append("log.txt's modification time is not 2021-03-04 05:06: %r" % listing)
    if sh("mdir", "-i", path, "::/tb").returncode == 0:
        problems.append("test_boot_files' folder tb is still on the disk")
    p = sh("fsck.fat", "-n", path)
    if p.returncode != 0:
        problems.append("fsck.fat -n: " + p.stdout.decode(errors="replace").replace("\n", " | "))
    return problems


def use_disk(B, harness, virt, timeout, name, kib, fat_args, modern=False, board=None,
             driver_line=b""):
    """On QEMU virt (board None) over virtio-blk, or on sifive_u (board = its argv
    builder) with the image as the SD card; driver_line must appear in the output."""
    path = "%s/storage/%s.img" % (B, name)
    res = harness.Result(name)
    err = make_image(B, path, kib, fat_args)
    if err:
        res.reason = err
        return res
    if board:
        argv = board(GUEST_CMD,
                     ["-drive", "if=sd,file=%s,format=raw" % path])
        res, status, timed_out = test_shell.run_seeing_status(harness, name, argv, timeout, ())
        status = 0  # this firmware cannot power off: QEMU's status says nothing
    else:
        res, status, timed_out = run(harness, virt, name, GUEST_CMD,
                                     disk_args("file=" + path, modern), timeout)
        driver_line = b"virtio 1.0 interface" if modern else b"legacy interface"
    out = res.output
    problems = []
    if driver_line not in out:
        problems.append("the driver did not report %r" % driver_line.decode())
    for rx, what in ((rb"^hello from the card\r?$", "the file's text"),
                     (rb"^hello\r?$", "the program's output"),
                     (rb"^status=0\r?$", "the program's exit"),
                     (rb"^test_boot_files: /boot checked", "test_boot_files' end"),
                     (rb"init exited with status 0", "every command succeeding")):
        if not re.search(rx, out, re.M):
            problems.append("missing " + what)
    if b"check failed" in out:
        problems.append("a check of test_boot_files failed")
    if status != 0:
        problems.append("QEMU exit status %s" % status)
    problems += host_checks(path)
    return verdict(res, harness, timed_out, problems)


def corrupt(B, harness, virt, timeout):
    """A bad BPB (a FAT bigger than the volume): the mount fails with EINVAL, no crash."""
    path = B + "/storage/corrupt.img"
    res = harness.Result("storage-corrupt")
    err = make_image(B, path, 4096, [])
    if err:
        res.reason = err
        return res
    with open(path, "r+b") as f:
        f.seek(22)
        f.write(b"\xff\xff")
    return refused(harness, virt, timeout, "storage-corrupt", path, False)


def refused(harness, virt, timeout, name, path, modern):
    """A disk the file server cannot mount: it says EINVAL, /boot does not exist (ls
    fails), and the system runs on."""
    res, status, timed_out = run(harness, virt, name, "run ls /boot",
                                 disk_args("file=" + path, modern), timeout)
    problems = []
    if not re.search(rb"^fs: no /boot: .*\(-22\)", res.output, re.M):
        problems.append("no EINVAL from the file server's mount")
    if not re.search(rb"ls: /boot: No such file or directory", res.output):
        problems.append("/boot exists")
    if b"init exited with status 1" not in res.output:
        problems.append("ls did not exit with status 1")
    return verdict(res, harness, timed_out, problems)


def bad_dir(B, harness, virt, timeout, name="storage-baddir", cluster=b"\xf0\xff"):
    """bin/'s directory entry points at a cluster past the volume: the mount goes on with
    the rest, bin/ reads as empty, creating a file in it is EIO, nothing crashes. With
    cluster 0 bin/ is the root again, a loop: the mount shows it empty and ends."""
    path = "%s/storage/%s.img" % (B, name)
    res = harness.Result(name)
    err = make_image(B, path, 8192, [], "cat /boot/hello.txt\nls /boot/bin\necho ls=$?\n"
                     "echo x > /boot/bin/new\necho wrote=$?\n")
    if err:
        res.reason = err
        return res
    with open(path, "r+b") as f:
        img = bytearray(f.read())
        at = img.find(b"BIN        \x10")
        if at < 0:
            res.reason = "no BIN entry in the image"
            return res
        img[at + 26:at + 28] = cluster  # 0xfff0: beyond any FAT16 volume; 0: the root
        f.seek(0)
        f.write(img)
    res, status, timed_out = run(harness, virt, name, GUEST_CMD,
                                 disk_args("file=" + path, False), timeout)
    problems = []
    for rx, what in ((rb"^hello from the card\r?$", "the root's file"),
                     (rb"^ls=0\r?$", "ls of the damaged folder"),
                     (rb"I/O error" if cluster != b"\0\0" else rb"^wrote=0\r?$",
                      "EIO for a file in the damaged folder"),
                     (rb"^wrote=[01]\r?$", "the write's status"),
                     (rb"init exited with status 0", "the script's end")):
        if not re.search(rx, res.output, re.M):
            problems.append("missing " + what)
    return verdict(res, harness, timed_out, problems)


def full(B, harness, virt, timeout):
    """A small volume filled by copies of a program: a copy gets ENOSPC, removing one
    gives the space back, and the host finds the volume consistent (fsck.fat -n)."""
    path = B + "/storage/full.img"
    res = harness.Result("storage-full")
    copies = "".join("cp /boot/bin/hello /boot/c%d\n" % i for i in range(16))
    err = make_image(B, path, 400, [], copies + "rm /boot/c0 /boot/c1\necho ok > /boot/after\n"
                     "cat /boot/after\n")
    if err:
        res.reason = err
        return res
    res, status, timed_out = run(harness, virt, "storage-full", GUEST_CMD,
                                 disk_args("file=" + path, False), timeout)
    problems = []
    if not re.search(rb"No space left on device", res.output):
        problems.append("no ENOSPC")
    if not re.search(rb"^ok\r?$", res.output, re.M):
        problems.append("no write after the space came back")
    if sh("mtype", "-i", path, "::/after").stdout != b"ok\n":
        problems.append("mtype after: not ok")
    p = sh("fsck.fat", "-n", path)
    if p.returncode != 0:
        problems.append("fsck.fat -n: " + p.stdout.decode(errors="replace").replace("\n", " | "))
    return verdict(res, harness, timed_out, problems)


def short_disk(B, harness, virt, timeout):
    """The image cut to half its size: the volume does not fit, the mount is refused."""
    path = B + "/storage/short.img"
    res = harness.Result("storage-short")
    err = make_image(B, path, 8192, [])
    if err:
        res.reason = err
        return res
    os.truncate(path, 4096 * 1024)
    return refused(harness, virt, timeout, "storage-short", path, True)


def data_sector(path, name):
    """The first sector of a file's data, from mtools' own view (minfo, mshowfat)."""
    info = sh("minfo", "-i", path, "::").stdout.decode()
    spc = int(re.search(r"cluster size: (\d+) sectors", info).group(1))
    rsvd = int(re.search(r"reserved \(boot\) sectors: (\d+)", info).group(1))
    fats = int(re.search(r"^fats: (\d+)", info, re.M).group(1))
    fatlen = int(re.search(r"sectors per fat: (\d+)", info).group(1))
    root = int(re.search(r"max available root directory slots: (\d+)", info).group(1))
    first = int(re.search(rb"<(\d+)", sh("mshowfat", "-i", path, "::/" + name).stdout).group(1))
    return rsvd + fats * fatlen + root * 32 // 512 + (first - 2) * spc


def run_failing(B, harness, virt, timeout, name, path, event, victim):
    """Run GUEST_CMD with the image behind QEMU's blkdebug, which fails every event
    (read_aio or write_aio) on the first data sector of file victim with errno 5."""
    conf = "%s/storage/%s.blkdebug" % (B, name)
    with open(conf, "w") as f:
        f.write('[inject-error]\nevent = "%s"\nerrno = "5"\nsector = "%d"\n'
                % (event, data_sector(path, victim)))
    drive = "file=blkdebug:%s:%s" % (conf, path)
    return run(harness, virt, name, GUEST_CMD, disk_args(drive, False), timeout)


def io_error(B, harness, virt, timeout):
    path = B + "/storage/ioerr.img"
    res = harness.Result("storage-ioerror")
    err = make_image(B, path, 8192, [], "cat /boot/hello.txt\ncat /boot/log.txt\n")
    if err:
        res.reason = err
        return res
    res, status, timed_out = run_failing(B, harness, virt, timeout, "storage-ioerror", path,
                                         "read_aio", "hello.txt")
    problems = []
    if not re.search(rb"cat: /boot/hello.txt: I/O error", res.output):
        problems.append("no EIO for the failing sector")
    if not re.search(rb"^first line\r?$", res.output, re.M):
        problems.append("the driver did not serve the next read")
    return verdict(res, harness, timed_out, problems)


def write_error(B, harness, virt, timeout):
    """Writes of log.txt's data sector fail (blkdebug write_aio, errno 5): sync(1) says
    I/O error with status 1, and init, after a second try, says changes may be lost
    instead of powering off in silence."""
    path = B + "/storage/wrerr.img"
    res = harness.Result("storage-writeerror")
    err = make_image(B, path, 8192, [], "echo more >> /boot/log.txt\nsync\necho sync=$?\n")
    if err:
        res.reason = err
        return res
    res, status, timed_out = run_failing(B, harness, virt, timeout, "storage-writeerror",
                                         path, "write_aio", "log.txt")
    problems = []
    for rx, what in ((rb"^sync: I/O error\r?$", "sync(1)'s error line"),
                     (rb"^sync=1\r?$", "sync(1)'s status 1"),
                     (rb"^init: sync: I/O error: changes to /boot may be lost\r?$",
                      "init's warning")):
        if not re.search(rx, res.output, re.M):
            problems.append("missing " + what)
    return verdict(res, harness, timed_out, problems)


def make_run(B, harness, timeout):
    res = harness.Result("storage-make-run")
    disk = "%s/storage/storage-legacy.img" % B
    try:
        p = subprocess.run(["make", "run", "DISK=" + disk, 'CMD=cat /boot/new.txt'],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        res.reason = "timeout after %ds" % timeout
        return res
    res.output = p.stdout
    with open(os.path.join(B, "test-logs", "storage-make-run.log"), "wb") as f:
        f.write(p.stdout)
    ok = re.search(rb"^guest\r?$", p.stdout, re.M) and p.returncode == 0
    res.ok, res.reason = bool(ok), "" if ok else "no 'guest' line (status %d)" % p.returncode
    return res


def board_image(B, harness, virt, timeout):
    import boards  # test/boards.py: make image for a board
    res = harness.Result("storage-board")
    out, err = boards.make_image(B, "storage-board", "qemu-virt")
    if err:
        res.reason = err
        return res
    card = os.path.join(out, "sdcard-qemu-virt.img")
    script = os.path.join(out, "board.sh")
    with open(script, "w") as f:
        f.write("ls -l /boot/bin\n/boot/bin/hello\necho status=$?\n")
    for src, dst in ((B + "/user/strip/hello", "::/bin/hello"), (script, "::/board.sh")):
        p = sh("mcopy", "-o", "-i", card + "@@1M", src, dst)
        if p.returncode != 0:
            res.reason = "mcopy into the card's partition: " + p.stdout.decode(errors="replace")
            return res
    res, status, timed_out = run(harness, virt, "storage-board", "run sh /boot/board.sh",
                                 disk_args("file=" + card, False), timeout)
    problems = []
    for rx, what in ((rb"^-\S+\s+\d+\s+\d+\s+\d+\s+\d+ .*hello\r?$", "hello listed in bin/"),
                     (rb"^hello\r?$", "the program's output"),
                     (rb"^status=0\r?$", "the program's exit")):
        if not re.search(rx, res.output, re.M):
            problems.append("missing " + what)
    return verdict(res, harness, timed_out, problems)


def fatfs(B, harness, virt, timeout):
    """fatfs on the disk: refused while the file server has it, working with noboot."""
    res = harness.Result("storage-fatfs")
    disk = disk_args("file=%s/storage/storage-legacy.img" % B, False)
    res, status, timed_out = run(harness, virt, "storage-fatfs", "run fatfs ls /", disk,
                                 timeout)
    problems = []
    if not re.search(rb"fatfs: the disk is the file server's", res.output):
        problems.append("fatfs did not refuse the mounted disk")
    if problems or timed_out or harness.PANIC in res.output:
        return verdict(res, harness, timed_out, problems)
    res, status, timed_out = run(harness, virt, "storage-fatfs", "noboot run fatfs cat new.txt",
                                 disk, timeout)
    if not re.search(rb"^guest\r?$", res.output, re.M) or \
            not re.search(rb"^fatfs: 0 failed", res.output, re.M):
        problems.append("fatfs with noboot did not read new.txt")
    return verdict(res, harness, timed_out, problems)


def driver(B, harness, virt, timeout):
    path = B + "/storage/scratch.img"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(1 << 20)
    res, status, timed_out = run(harness, virt, "storage-driver", "run test_blk_driver",
                                 disk_args("file=" + path, False), timeout)
    problems = []
    if b"check failed" in res.output:
        problems.append("a check failed")
    if b"legacy interface, 2048 sectors" not in res.output:
        problems.append("the driver did not find the 1 MiB disk")
    if status != 0 or b"init exited with status 0" not in res.output:
        problems.append("exit status %s" % status)
    return verdict(res, harness, timed_out, problems)


def steps(B, harness, virt, timeout, sifive_u):
    yield lambda: use_disk(B, harness, virt, timeout, "storage-legacy", 16384, [], False)
    yield lambda: use_disk(B, harness, virt, timeout, "storage-modern", 40960,
                           ["-F", "32", "-s", "1"], True)
    # QEMU wants an SD card's size to be a power of 2; above 2 GiB it is an SDHC card.
    yield lambda: use_disk(B, harness, virt, timeout, "storage-sd-sdsc", 16384, [],
                           board=sifive_u, driver_line=b"SDSC card, 32768 sectors, CRC on")
    yield lambda: use_disk(B, harness, virt, timeout, "storage-sd-sdhc", 4 << 20, ["-F", "32"],
                           board=sifive_u, driver_line=b"SDHC/SDXC card, 8388608 sectors")
    yield lambda: make_run(B, harness, timeout)
    yield lambda: fatfs(B, harness, virt, timeout)
    yield lambda: board_image(B, harness, virt, timeout)
    yield lambda: corrupt(B, harness, virt, timeout)
    yield lambda: short_disk(B, harness, virt, timeout)
    yield lambda: bad_dir(B, harness, virt, timeout)
    yield lambda: full(B, harness, virt, timeout)
    yield lambda: bad_dir(B, harness, virt, timeout, "storage-loopdir", b"\0\0")
    yield lambda: driver(B, harness, virt, timeout)
    yield lambda: io_error(B, harness, virt, timeout)
    yield lambda: write_error(B, harness, virt, timeout)
