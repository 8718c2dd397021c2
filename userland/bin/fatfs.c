/*
 * fatfs: use a FAT volume on a disk, through a user-level block driver, the block layer and
 * the FAT code (userland/lib/fs). It starts the first driver that finds a device
 * (virtio_blk, then sifive_spi_sd), finds the partition, mounts it, runs the commands,
 * syncs and stops the driver. -d N takes the N-th device of that kind instead of the first.
 *
 *   fatfs [-d N] CMD ARGS [, CMD ARGS]...
 *     ls [PATH]          list a directory (size and name; "/" after a directory)
 *     cat PATH           print a file
 *     write PATH TEXT    create or replace a file holding TEXT and a newline
 *     append PATH TEXT   add TEXT and a newline to the end of a file (created if missing)
 *     mkdir PATH | rm PATH | rmdir PATH | mv OLD NEW
 *     run PATH [ARGS]    load the program in that file and wait for its exit status
 *     readbench PATH     read a file twice (cache dropped, then warm) and report bytes
 *
 * Exits 0 if every command succeeded, else 1 (each failure is printed with its errno).
 * docs/storage.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fs/fatmount.h"
#include "taskspawn.h"

#define CACHE_SECTORS  2560	      /* 1.25 MiB: a 1 MiB file stays warm */
#define PROG_VA	       0x3a00000000UL /* where run stages a program's file */
#define PROG_MAX_PAGES 512	      /* the largest memory object */
#define RUN_WAIT_POLLS 6000	      /* of 10 ms: a minute */
#define RUN_POLL_NS    10000000UL

static struct fatmount mnt;
static struct fat_vol *const vol = &mnt.vol;

/* The directory holding path and the last component's name within it. */
static int split_path(const char *path, struct fat_node *dir, const char **name, unsigned *len)
{
	const char *slash = strrchr(path, '/');
	char parent[512];
	if (!slash) {
		fat_root(vol, dir);
		*name = path;
	} else {
		size_t n = (size_t)(slash - path);
		if (n >= sizeof(parent))
			return -ENAMETOOLONG;
		memcpy(parent, path, n);
		parent[n] = 0;
		int err = fat_walk(vol, parent, dir);
		if (err)
			return err;
		*name = slash + 1;
	}
	*len = (unsigned)strlen(*name);
	return 0;
}

static int cmd_ls(const char *path)
{
	struct fat_node dir;
	struct fat_dirent *de = malloc(sizeof(*de));
	uint32_t pos = 0;
	int err = de ? fat_walk(vol, path, &dir) : -ENOMEM;
	while (!err && (err = fat_readdir(vol, &dir, &pos, de)) == 1) {
		int d = (de->node.attr & FAT_ATTR_DIR) != 0;
		printf("%10lu %s%s\n", (unsigned long)de->node.size, de->name, d ? "/" : "");
		err = 0;
	}
	free(de);
	return err;
}

static int cmd_cat(const char *path)
{
	static char buf[4096] __attribute__((aligned(8)));
	struct fat_node n;
	int err = fat_walk(vol, path, &n);
	for (uint64_t off = 0; !err;) {
		long got = fat_read(vol, &n, off, buf, sizeof(buf));
		if (got <= 0)
			return (int)got;
		fwrite(buf, 1, (size_t)got, stdout);
		off += (uint64_t)got;
	}
	fflush(stdout);
	return err;
}

/* write (truncating) or append TEXT and a newline. */
static int cmd_put(const char *path, const char *text, int append)
{
	struct fat_node dir, n;
	const char *name;
	unsigned len;
	int err = split_path(path, &dir, &name, &len);
	if (!err)
		err = fat_lookup(vol, &dir, name, len, &n);
	if (err == -ENOENT)
		err = fat_create(vol, &dir, name, len, 0, &n);
	if (!err && !append)
		err = fat_truncate(vol, &n, 0);
	long w = err ? err : fat_write(vol, &n, n.size, text, strlen(text));
	if (w >= 0)
		w = fat_write(vol, &n, n.size, "\n", 1);
	return w < 0 ? (int)w : 0;
}

static int cmd_mkdir(const char *path, int remove, int is_dir)
{
	struct fat_node dir, n;
	const char *name;
	unsigned len;
	int err = split_path(path, &dir, &name, &len);
	if (err)
		return err;
	if (remove)
		return fat_unlink(vol, &dir, name, len, is_dir);
	return fat_create(vol, &dir, name, len, FAT_ATTR_DIR, &n);
}

static int cmd_mv(const char *from, const char *to)
{
	struct fat_node od, nd;
	const char *on, *nn;
	unsigned ol, nl;
	int err = split_path(from, &od, &on, &ol);
	if (!err)
		err = split_path(to, &nd, &nn, &nl);
	return err ? err : fat_rename(vol, &od, on, ol, &nd, nn, nl);
}

/* Copy the file into a fresh memory object, for the loader. */
static long stage_file(const char *path, uint64_t *size)
{
	struct fat_node n;
	int err = fat_walk(vol, path, &n);
	if (err)
		return err;
	uint64_t pages = ((uint64_t)n.size + PAGE_BYTES - 1) / PAGE_BYTES;
	if (pages == 0 || pages > PROG_MAX_PAGES)
		return -EFBIG;
	long obj = slot_alloc();
	if (SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, obj, pages) != 0 ||
	    SYSCALL(map, SLOT_SELF, obj, PROG_VA, 0, pages,
		    MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED) != 0)
		return -ENOMEM;
	long got = fat_read(vol, &n, 0, (void *)PROG_VA, n.size);
	SYSCALL(unmap, SLOT_SELF, PROG_VA, pages);
	if (got != (long)n.size) {
		SYSCALL(cap_delete, obj);
		return got < 0 ? got : -EIO;
	}
	*size = n.size;
	return obj;
}

/* Wait for the program's exit report on ep: its status, or -ETIMEDOUT. */
static int wait_exit(long ep, long task)
{
	struct ipc_msg m;
	for (int i = 0; i < RUN_WAIT_POLLS; i++) {
		memset(&m, 0, sizeof(m));
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		if (ipc(SYS_recv | SYS_NONBLOCK, ep, &m) == 0) {
			if (ipc_tag_label(m.tag) == LABEL_EXIT)
				return (int)m.w[0];
			SYSCALL(task_kill, task); /* it faulted */
			return 128;
		}
		SYSCALL(sleep, RUN_POLL_NS);
	}
	SYSCALL(task_kill, task);
	return -ETIMEDOUT;
}

static int cmd_run(char **argv)
{
	uint64_t size = 0;
	long obj = stage_file(argv[0], &size), ep = slot_alloc();
	if (obj < 0)
		return (int)obj;
	if (SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0) != 0)
		return -ENOMEM;
	struct spawn_req req = {
		.name = argv[0], .argv = argv, .supervisor = ep, .object = obj, .object_size = size
	};
	long task = spawn(&req);
	int status = task < 0 ? (int)task : wait_exit(ep, task);
	if (task >= 0)
		SYSCALL(cap_delete, task);
	SYSCALL(cap_delete, obj);
	SYSCALL(cap_delete, ep);
	if (status < 0)
		return status;
	printf("fatfs: %s exited with status %d\n", argv[0], status);
	return 0;
}

static uint64_t cycles(void)
{
	uint64_t c;
	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

/*
 * Read a whole file with the cache emptied, then again warm, in 4 KiB reads: what the
 * benchmark's file_read_seq case measures (docs/benchmark.md). Under QEMU icount a cycle
 * is an instruction, of every task on the hart: fatfs, the kernel and the driver.
 */
static int cmd_readbench(const char *path)
{
	static char buf[4096] __attribute__((aligned(8)));
	struct fat_node n;
	int err = fat_walk(vol, path, &n);
	for (int pass = 0; pass < 2 && !err; pass++) {
		uint64_t total = 0, t0;
		if (pass == 0)
			err = bcache_drop(&mnt.cache);
		t0 = cycles();
		while (!err) {
			long got = fat_read(vol, &n, total, buf, sizeof(buf));
			if (got < 0)
				err = (int)got;
			if (got <= 0)
				break;
			total += (uint64_t)got;
		}
		uint64_t spent = cycles() - t0;
		printf("@file_read_seq cache=%s bytes=%lu cycles=%lu per_kib=%lu\n",
		       pass ? "warm" : "cold", (unsigned long)total, (unsigned long)spent,
		       (unsigned long)(total ? spent * 1024 / total : 0));
	}
	return err;
}

/* One command and its arguments (argc of them): 0 or -errno. */
static int run_cmd(int argc, char **argv)
{
	const char *c = argv[0];
	if (strcmp(c, "ls") == 0)
		return cmd_ls(argc > 1 ? argv[1] : "");
	if (argc < 2)
		return -EINVAL;
	if (strcmp(c, "cat") == 0)
		return cmd_cat(argv[1]);
	if (strcmp(c, "readbench") == 0)
		return cmd_readbench(argv[1]);
	if (strcmp(c, "run") == 0)
		return cmd_run(argv + 1);
	if (strcmp(c, "mkdir") == 0 || strcmp(c, "rm") == 0 || strcmp(c, "rmdir") == 0)
		return cmd_mkdir(argv[1], c[0] == 'r', strcmp(c, "rmdir") == 0);
	if (argc < 3)
		return -EINVAL;
	if (strcmp(c, "write") == 0 || strcmp(c, "append") == 0)
		return cmd_put(argv[1], argv[2], c[0] == 'a');
	if (strcmp(c, "mv") == 0)
		return cmd_mv(argv[1], argv[2]);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	const char *which = "0";
	int first = 1, failures = 0;
	if (argc > 2 && strcmp(argv[1], "-d") == 0) {
		which = argv[2];
		first = 3;
	}
	struct stat boot;
	if (strcmp(which, "0") == 0 && stat("/boot", &boot) == 0) {
		/* Two drivers on one device would undo each other's set-up. */
		printf("fatfs: the disk is the file server's, at /boot (boot with noboot)\n");
		return 1;
	}
	int err = fatmount_start(&mnt, which, CACHE_SECTORS);
	if (err) {
		printf("fatfs: cannot mount: %s (%d)\n", strerror(-err), err);
		return 1;
	}
	printf("fatfs: FAT%d, %u clusters of %u bytes, through %s\n", vol->type, vol->clusters,
	       vol->cluster_bytes, mnt.driver);
	vol->now = time(0); /* what new and written entries are stamped with */
	for (int i = first; i < argc;) {
		int j = i;
		while (j < argc && strcmp(argv[j], ",") != 0)
			j++;
		argv[j < argc ? j : argc] = 0;
		err = run_cmd(j - i, argv + i);
		if (err) {
			printf("fatfs: %s: %s (%d)\n", argv[i], strerror(-err), err);
			failures++;
		}
		i = j + 1;
	}
	err = fatmount_stop(&mnt);
	if (err) {
		printf("fatfs: sync: %s (%d)\n", strerror(-err), err);
		failures++;
	}
	printf("fatfs: %d failed\n", failures);
	return failures ? 1 : 0;
}
