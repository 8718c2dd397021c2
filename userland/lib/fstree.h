/*
 * The file server's namespace: a table of nodes (directories, files, devices) and the
 * path logic on it, plain C with no system call so the host tests can run it under
 * ASan and UBSan (test/host/test_fstree.c). The server (userland/bin/fs.c) keeps the
 * data; this file keeps names, parents and link counts. docs/files.md.
 */
#ifndef USER_FSTREE_H
#define USER_FSTREE_H

#include <stdint.h>
#include <string.h>

#include "fs.h"

enum fst_type {
	FST_FREE = 0,
	FST_DIR,
	FST_FILE,
	FST_BIN,
	FST_NULL,
	FST_ZERO,
	FST_CONSOLE,
	FST_FIFO,    /* a named pipe (mkfifo): the server keeps its pipe (fs.c) */
	FST_LINK,    /* a further name of a file (link): only a name, its target holds the rest */
	FST_SYMLINK, /* a symbolic link: its text is struct fst's text[] */
};

#define FST_SYMLOOP_MAX 8 /* symbolic links one walk may follow (SYMLOOP_MAX): then ELOOP */

struct fst_node {
	uint8_t type;	  /* enum fst_type */
	uint8_t readonly; /* a write gets EROFS: /bin and what is in it */
	uint8_t linked;	  /* 1 while a directory names it, 0 once unlinked */
	uint16_t parent;  /* index of the directory holding it (the root holds itself) */
	uint16_t links;	  /* FST_LINK names of it besides its own (links > 0: linked) */
	uint16_t target;  /* an FST_LINK: the node it names */
	uint32_t opens;	  /* open descriptions naming it: freed at 0 once unlinked */
	uint32_t mode;	  /* permission bits */
	char name[FS_NAME_MAX + 1];
	uint64_t size;
	uint64_t data; /* the server's: where its bytes are (a /bin file: its archive offset) */
	struct fs_times times; /* the server's (fs.c, bootfs.c): st_atim, st_mtim, st_ctim */
};

struct fst {
	struct fst_node n[FS_NODES];
	char *text[FS_NODES]; /* an FST_SYMLINK's target path (malloc'd), else NULL */
};

#define FST_ROOT 0

/* An empty tree: only the root directory. */
void fst_init(struct fst *t);
/*
 * Walk an absolute path. 0 and *node = its index; or a negative errno: -ENOENT (a
 * component is missing), -ENOTDIR (a component is not a directory), -ENAMETOOLONG,
 * -EINVAL (not absolute). With parent non-null, *parent = the directory the last name
 * was looked up in and *last = that name (0 for "/"), and a missing last name is not an
 * error if its directory exists: then *node = -1. ("." and ".." as the last name give
 * the directory they name, with *last pointing at the dots.)
 */
int fst_walk(const struct fst *t, const char *path, int *node, int *parent, const char **last);
/*
 * A trailing slash (POSIX, XBD 4.13): an existing last name must then be a directory
 * (-ENOTDIR), a symbolic link there is followed, and a missing one may only be made a
 * directory: the maker tests the name walk gave with fst_last_dir_only.
 */
static inline int fst_last_dir_only(const char *last)
{
	return last && last[strcspn(last, "/")] == '/';
}
/*
 * Symbolic links: fst_walk follows every one it meets (a relative text from the link's
 * directory), the last name's too; fst_walk_nofollow the same but for the last name,
 * which may then be the link itself (lstat, unlink, rename, readlink, and names to be
 * made). More than FST_SYMLOOP_MAX in one walk: -ELOOP; a path grown past FS_PATH_MAX:
 * -ENAMETOOLONG. *last may then point into the walk's own buffer, good until the next
 * walk.
 */
int fst_walk_nofollow(const struct fst *t, const char *path, int *node, int *parent,
		      const char **last);
/* A symbolic link named name in dir with text target: its index, or -EEXIST, -ENOSPC
 * (no node, or no memory), -ENOENT (an empty target), -ENAMETOOLONG. */
int fst_symlink(struct fst *t, int dir, const char *name, unsigned len, const char *target);
/*
 * Hard links. A node has its own name, and each further name is an FST_LINK entry that
 * names it (target); fst_walk goes through such entries to the node, so only unlink and
 * rename see them (fst_entry). Unlinking a node's own name while links remain moves the
 * node to one of them: a node with links > 0 is always linked, and its index (which open
 * descriptions hold) never changes.
 */
/* The entry called name (length len) in dir itself, an FST_LINK too, or -1. */
int fst_entry(const struct fst *t, int dir, const char *name, unsigned len);
/* The node an entry names: itself, or an FST_LINK's target. */
int fst_resolve(const struct fst *t, int entry);
/* A new name for node (a file or FIFO) in dir: the entry's index, or -EEXIST, -ENOSPC,
 * -EPERM (a directory or another kind), -EROFS. */
int fst_link(struct fst *t, int node, int dir, const char *name, unsigned len);
/* The number of names node has (st_nlink). */
unsigned fst_nlink(const struct fst *t, int node);
/* A new node named name (length len) in directory dir: its index, or -ENOSPC, -EEXIST. */
int fst_add(struct fst *t, int dir, const char *name, unsigned len, enum fst_type type);
/* The index-th entry of dir (0, 1, ...): its node, or -1 past the end. */
int fst_child(const struct fst *t, int dir, unsigned index);
/*
 * The first entry of dir at node slot from or above, or -1: readdir's cursor. A slot
 * moves with no unlink or link of another entry, so a listing that unlinks what it read
 * (rm -r) neither skips nor repeats an entry, as POSIX asks.
 */
int fst_child_from(const struct fst *t, int dir, unsigned from);
/* Does dir hold anything? */
int fst_has_children(const struct fst *t, int dir);
/*
 * Unlink entry (a file's name, or a link; rmdir: an empty directory): 0 or -errno. A node
 * left with no name is freed unless open. *node = the node it named (for its times).
 */
int fst_unlink(struct fst *t, int entry, int dir_wanted, int *node);
/* Move entry to directory dir under name (replacing what is there as POSIX says): 0 or
 * -errno. *replaced = the node it unlinked a name of, or -1. Names of one node: nothing. */
int fst_rename(struct fst *t, int node, int dir, const char *name, unsigned len, int *replaced);
/* Is a under b (or b itself)? */
int fst_is_within(const struct fst *t, int a, int b);
/* One open description less: 1 if the node is gone now (unlinked and unopened). */
int fst_release(struct fst *t, int node);
/*
 * The absolute path that names node now, into out (max bytes with the NUL): its length,
 * or -ENOENT (it or a directory above it was unlinked), -ENAMETOOLONG.
 */
int fst_path(const struct fst *t, int node, char *out, unsigned max);

/*
 * Client side: cwd joined with path into out (size max), repeated slashes and "." in the
 * middle dropped: 0, or -ENAMETOOLONG, -ENOENT (empty path). ".." stays for the server,
 * which takes it from where the walk is (after a symbolic link, not lexically), and so
 * does one trailing slash, which says the last name must be a directory.
 */
int fs_path_join(const char *cwd, const char *path, char *out, unsigned max);

#endif
