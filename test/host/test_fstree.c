/*
 * Host unit tests for the file server's namespace and the client's path logic
 * (userland/lib/fstree.c): walking paths (".", "..", repeated slashes, missing and
 * non-directory components, over-long names), creating, listing, unlinking (open files
 * stay until released), rmdir of non-empty directories, rename (over files, into
 * itself, onto a directory) and read-only trees, hard links (a further name, its own name
 * passing to a link, rename between names of one file), symbolic links (followed in the
 * middle and at the end, relative, "..", loops, the chain limit, dangling), fst_path,
 * and fs_path_join. Built with ASan and
 * UBSan; ends with "N passed, M failed".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fstree.h"

static struct fst t;

static int add(int dir, const char *name, enum fst_type type)
{
	return fst_add(&t, dir, name, (unsigned)strlen(name), type);
}

static int unlink_(int entry, int dir_wanted)
{
	int node;
	return fst_unlink(&t, entry, dir_wanted, &node);
}

static int walk(const char *path)
{
	int node = -1;
	int err = fst_walk(&t, path, &node, 0, 0);
	return err ? err : node;
}

static void test_walk(void)
{
	fst_init(&t);
	int tmp = add(FST_ROOT, "tmp", FST_DIR);
	int a = add(tmp, "a", FST_FILE);
	CHECK(tmp > 0 && a > 0);
	CHECK(walk("/") == FST_ROOT);
	CHECK(walk("/tmp") == tmp);
	CHECK(walk("//tmp///a") == a);
	CHECK(walk("/tmp/./a") == a);
	CHECK(walk("/tmp/../tmp/a") == a);
	CHECK(walk("/..") == FST_ROOT);
	CHECK(walk("/tmp/b") == -ENOENT);
	CHECK(walk("/tmp/a/b") == -ENOTDIR);
	/* A trailing slash (XBD 4.13): only a directory; a name to be made is told so. */
	CHECK(walk("/tmp/") == tmp && walk("/tmp//") == tmp && walk("/tmp/./") == tmp);
	CHECK(walk("/tmp/a/") == -ENOTDIR);
	CHECK(walk("/tmp/b/") == -ENOENT);
	int node, dir;
	const char *last;
	CHECK(fst_walk(&t, "/tmp/b/", &node, &dir, &last) == 0 && node == -1 && dir == tmp &&
	      fst_last_dir_only(last));
	CHECK(fst_walk(&t, "/tmp/b", &node, &dir, &last) == 0 && !fst_last_dir_only(last));
	CHECK(walk("tmp") == -EINVAL);
	char longname[FS_NAME_MAX + 3] = "/";
	memset(longname + 1, 'x', FS_NAME_MAX + 1);
	CHECK(walk(longname) == -ENAMETOOLONG);
	char longpath[FS_PATH_MAX + 8];
	memset(longpath, '/', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = 0;
	CHECK(walk(longpath) == -ENAMETOOLONG);
	/* A missing last name with its directory present, for O_CREAT and mkdir. */
	CHECK(fst_walk(&t, "/tmp/new", &node, &dir, &last) == 0 && node == -1 && dir == tmp &&
	      strcmp(last, "new") == 0);
	CHECK(fst_walk(&t, "/tmp/x/new", &node, &dir, &last) == -ENOENT);
	CHECK(fst_walk(&t, "/tmp/a", &node, &dir, &last) == 0 && node == a && dir == tmp &&
	      strcmp(last, "a") == 0);
}

static void test_add_list(void)
{
	fst_init(&t);
	int d = add(FST_ROOT, "d", FST_DIR);
	CHECK(add(d, "x", FST_FILE) > 0);
	CHECK(add(d, "x", FST_FILE) == -EEXIST);
	CHECK(add(d, ".", FST_FILE) == -EEXIST);
	CHECK(add(d, "..", FST_DIR) == -EEXIST);
	CHECK(fst_add(&t, d, "a/b", 3, FST_FILE) == -EINVAL);
	CHECK(fst_add(&t, d, "", 0, FST_FILE) == -EINVAL);
	int y = add(d, "y", FST_FILE);
	CHECK(fst_child(&t, d, 0) > 0 && fst_child(&t, d, 1) == y && fst_child(&t, d, 2) == -1);
	CHECK(fst_child(&t, FST_ROOT, 0) == d && fst_child(&t, FST_ROOT, 1) == -1);
	/* readdir's cursor: a node slot, so unlinking what was read skips nothing. */
	int x = fst_child(&t, d, 0), gone = -1;
	CHECK(fst_child_from(&t, d, 0) == x && fst_child_from(&t, d, (unsigned)x + 1) == y);
	CHECK(fst_unlink(&t, x, 0, &gone) == 0);
	CHECK(fst_child_from(&t, d, (unsigned)x + 1) == y && fst_child_from(&t, d, 0) == y);
	CHECK(fst_child_from(&t, d, (unsigned)y + 1) == -1);
	CHECK(add(d, "x", FST_FILE) > 0);
	/* The table fills: ENOSPC, and a freed node is reused. */
	char name[16];
	int last = 0, n;
	for (int i = 0;
	     (n = (snprintf(name, sizeof(name), "f%d", i), add(FST_ROOT, name, FST_FILE))) > 0; i++)
		last = n;
	CHECK(n == -ENOSPC);
	CHECK(unlink_(last, 0) == 0);
	CHECK(add(FST_ROOT, "again", FST_FILE) == last);
}

static void test_unlink(void)
{
	fst_init(&t);
	int d = add(FST_ROOT, "d", FST_DIR);
	int f = add(d, "f", FST_FILE);
	CHECK(unlink_(d, 1) == -ENOTEMPTY);
	CHECK(unlink_(d, 0) == -EPERM);
	CHECK(unlink_(f, 1) == -ENOTDIR);
	CHECK(unlink_(FST_ROOT, 1) == -EBUSY);
	t.n[f].opens = 1; /* an open description keeps the node */
	CHECK(unlink_(f, 0) == 0);
	CHECK(walk("/d/f") == -ENOENT);
	CHECK(t.n[f].type == FST_FILE && !t.n[f].linked);
	CHECK(fst_child(&t, d, 0) == -1);
	CHECK(add(d, "f", FST_FILE) != f); /* the name is free, the node is not */
	CHECK(fst_release(&t, f) == 1 && t.n[f].type == FST_FREE);
	CHECK(unlink_(walk("/d/f"), 0) == 0);
	CHECK(unlink_(d, 1) == 0);
	/* Read-only directories and their files. */
	int bin = add(FST_ROOT, "bin", FST_DIR);
	t.n[bin].readonly = 1;
	int prog = add(bin, "p", FST_BIN);
	t.n[prog].readonly = 1;
	CHECK(unlink_(prog, 0) == -EROFS);
}

static void test_rename(void)
{
	fst_init(&t);
	int a = add(FST_ROOT, "a", FST_DIR), b = add(FST_ROOT, "b", FST_DIR);
	int f = add(a, "f", FST_FILE), g = add(b, "g", FST_FILE), replaced;
	CHECK(fst_rename(&t, f, b, "h", 1, &replaced) == 0 && replaced == -1);
	CHECK(walk("/b/h") == f && walk("/a/f") == -ENOENT);
	CHECK(fst_rename(&t, f, b, "g", 1, &replaced) == 0 && replaced == g);
	CHECK(walk("/b/g") == f && t.n[g].type == FST_FREE);
	CHECK(fst_rename(&t, a, a, "x", 1, &replaced) == -EINVAL); /* into itself */
	int sub = add(a, "sub", FST_DIR);
	CHECK(fst_rename(&t, a, sub, "x", 1, &replaced) == -EINVAL);
	CHECK(fst_rename(&t, f, FST_ROOT, "a", 1, &replaced) == -EISDIR);
	CHECK(fst_rename(&t, b, FST_ROOT, "a", 1, &replaced) == -ENOTEMPTY);
	CHECK(fst_rename(&t, sub, FST_ROOT, "sub", 3, &replaced) == 0);
	CHECK(fst_rename(&t, sub, FST_ROOT, "a", 1, &replaced) == 0 &&
	      replaced == a); /* empty dir */
	CHECK(walk("/a") == sub);
	CHECK(fst_rename(&t, f, f, "x", 1, &replaced) == -ENOTDIR);
	CHECK(fst_rename(&t, f, b, "g", 1, &replaced) == 0 && replaced == -1); /* onto itself */
	CHECK(fst_rename(&t, FST_ROOT, b, "r", 1, &replaced) == -EBUSY);
	CHECK(fst_is_within(&t, f, b) && !fst_is_within(&t, b, f));
}

/* fst_path: the name a node has now, following renames; unlinked nodes have none. */
static void test_path(void)
{
	char out[FS_PATH_MAX], tiny[8];
	fst_init(&t);
	int a = add(FST_ROOT, "a", FST_DIR), b = add(a, "bb", FST_DIR), f = add(b, "f", FST_FILE);
	int replaced;
	CHECK(fst_path(&t, FST_ROOT, out, sizeof(out)) == 1 && strcmp(out, "/") == 0);
	CHECK(fst_path(&t, f, out, sizeof(out)) == 7 && strcmp(out, "/a/bb/f") == 0);
	CHECK(fst_rename(&t, b, FST_ROOT, "c", 1, &replaced) == 0);
	CHECK(fst_path(&t, f, out, sizeof(out)) == 4 && strcmp(out, "/c/f") == 0);
	CHECK(fst_path(&t, f, tiny, 4) == -ENAMETOOLONG);
	CHECK(fst_path(&t, f, tiny, 5) == 4 && strcmp(tiny, "/c/f") == 0);
	CHECK(fst_path(&t, FST_ROOT, tiny, 1) == -ENAMETOOLONG);
	t.n[f].opens = 1; /* open, then unlinked: no path any more */
	CHECK(unlink_(f, 0) == 0);
	CHECK(fst_path(&t, f, out, sizeof(out)) == -ENOENT);
	CHECK(fst_path(&t, a, out, sizeof(out)) == 2 && strcmp(out, "/a") == 0);
}

static int entry(int dir, const char *name)
{
	return fst_entry(&t, dir, name, (unsigned)strlen(name));
}

static void test_links(void)
{
	fst_init(&t);
	int d = add(FST_ROOT, "d", FST_DIR), e = add(FST_ROOT, "e", FST_DIR);
	int f = add(d, "f", FST_FILE), node = -1, replaced;
	CHECK(fst_nlink(&t, f) == 1);
	int l = fst_link(&t, f, e, "g", 1);
	CHECK(l > 0 && l != f);
	CHECK(walk("/e/g") == f); /* the walk goes through to the file */
	CHECK(entry(e, "g") == l && fst_resolve(&t, l) == f);
	CHECK(fst_nlink(&t, f) == 2);
	CHECK(fst_link(&t, f, e, "g", 1) == -EEXIST);
	CHECK(fst_link(&t, d, e, "dd", 2) == -EPERM); /* no links to directories */
	CHECK(fst_child(&t, e, 0) == l);
	/* Its own name goes: the file moves to the link's name, keeping its index. */
	CHECK(fst_unlink(&t, f, 0, &node) == 0 && node == f);
	CHECK(walk("/d/f") == -ENOENT);
	CHECK(walk("/e/g") == f);
	CHECK(fst_nlink(&t, f) == 1 && t.n[f].linked && t.n[l].type == FST_FREE);
	/* A link's name goes: the file stays. */
	l = fst_link(&t, f, d, "h", 1);
	CHECK(l > 0 && fst_nlink(&t, f) == 2);
	CHECK(fst_unlink(&t, l, 0, &node) == 0 && node == f);
	CHECK(fst_nlink(&t, f) == 1 && walk("/d/h") == -ENOENT && walk("/e/g") == f);
	/* rename between two names of one file does nothing; onto a link replaces the name */
	l = fst_link(&t, f, d, "h", 1);
	CHECK(fst_rename(&t, l, e, "g", 1, &replaced) == 0 && replaced == -1);
	CHECK(walk("/d/h") == f && fst_nlink(&t, f) == 2);
	int other = add(d, "o", FST_FILE);
	CHECK(fst_rename(&t, other, d, "h", 1, &replaced) == 0 && replaced == f);
	CHECK(walk("/d/h") == other && fst_nlink(&t, f) == 1 && walk("/e/g") == f);
	/* rename of a link moves only that name */
	l = fst_link(&t, f, d, "k", 1);
	CHECK(fst_rename(&t, l, e, "k2", 2, &replaced) == 0);
	CHECK(walk("/e/k2") == f && walk("/d/k") == -ENOENT && fst_nlink(&t, f) == 2);
	/* open and every name gone: kept until released */
	t.n[f].opens = 1;
	CHECK(unlink_(entry(e, "k2"), 0) == 0);
	CHECK(unlink_(f, 0) == 0);
	CHECK(fst_nlink(&t, f) == 0 && t.n[f].type == FST_FILE);
	CHECK(fst_release(&t, f) == 1 && t.n[f].type == FST_FREE);
	CHECK(entry(e, "g") == -1 && entry(e, "k2") == -1);
	CHECK(entry(e, "g") == -1 && entry(e, "k2") == -1);
	/* read-only directories refuse new names */
	t.n[e].readonly = 1;
	CHECK(fst_link(&t, other, e, "x", 1) == -EROFS);
}

static int walk_nf(const char *path)
{
	int node = -1;
	int err = fst_walk_nofollow(&t, path, &node, 0, 0);
	return err ? err : node;
}

static int sym(int dir, const char *name, const char *target)
{
	return fst_symlink(&t, dir, name, (unsigned)strlen(name), target);
}

static void test_symlinks(void)
{
	fst_init(&t);
	int d = add(FST_ROOT, "d", FST_DIR), e = add(d, "e", FST_DIR), f = add(e, "f", FST_FILE);
	int abs = sym(FST_ROOT, "abs", "/d/e"), rel = sym(d, "rel", "e/f"),
	    up = sym(e, "up", "../e");
	CHECK(abs > 0 && rel > 0 && up > 0);
	CHECK(t.n[rel].size == 3 && strcmp(t.text[rel], "e/f") == 0);
	CHECK(walk("/abs/f") == f);	 /* through a link in the middle */
	CHECK(walk("/d/rel") == f);	 /* the last name's link followed */
	CHECK(walk_nf("/d/rel") == rel); /* or not */
	CHECK(walk_nf("/abs/") == e);	 /* but always with a trailing slash, to a directory */
	CHECK(walk("/d/rel/") == -ENOTDIR && walk_nf("/d/rel/") == -ENOTDIR);
	CHECK(walk_nf("/abs/f") == f); /* a link in the middle always is */
	CHECK(walk("/d/e/up/up/up/f") == f);
	CHECK(walk("/abs/../e/f") == f); /* ".." after a link: from where it leads */
	CHECK(sym(d, "rel", "x") == -EEXIST);
	CHECK(sym(d, "empty", "") == -ENOENT);
	/* loops, and links to nothing */
	int a = sym(FST_ROOT, "a", "/b"), b = sym(FST_ROOT, "b", "a");
	CHECK(a > 0 && b > 0);
	CHECK(walk("/a") == -ELOOP && walk("/b/x") == -ELOOP);
	CHECK(walk_nf("/a") == a);
	int dang = sym(FST_ROOT, "dang", "/d/new");
	int node, dir;
	const char *last;
	CHECK(dang > 0 && walk("/dang") == -ENOENT);
	CHECK(fst_walk(&t, "/dang", &node, &dir, &last) == 0 && node == -1 && dir == d &&
	      strcmp(last, "new") == 0); /* O_CREAT makes what it names */
	CHECK(walk("/d/rel/x") == -ENOTDIR);
	/* a chain of exactly FST_SYMLOOP_MAX links is followed, one more is not */
	char name[16], text[16];
	for (int i = 0; i <= FST_SYMLOOP_MAX; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		snprintf(text, sizeof(text), i ? "c%d" : "/d", i - 1);
		CHECK(sym(FST_ROOT, name, text) > 0);
	}
	snprintf(name, sizeof(name), "/c%d", FST_SYMLOOP_MAX - 1);
	CHECK(walk(name) == d);
	snprintf(name, sizeof(name), "/c%d", FST_SYMLOOP_MAX);
	CHECK(walk(name) == -ELOOP);
	/* a text that makes the path too long */
	char longtext[FS_PATH_MAX - 2];
	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[0] = '/';
	longtext[sizeof(longtext) - 1] = 0;
	CHECK(sym(FST_ROOT, "long", longtext) > 0);
	CHECK(walk("/long/and/more/names") == -ENAMETOOLONG);
	/* unlink and rename act on the link; its text goes with it (ASan checks the free) */
	CHECK(unlink_(rel, 0) == 0 && walk("/d/rel") == -ENOENT && walk("/d/e/f") == f);
	CHECK(t.text[rel] == 0);
	int replaced;
	CHECK(fst_rename(&t, abs, d, "moved", 5, &replaced) == 0 && walk("/d/moved/f") == f);
	CHECK(fst_link(&t, abs, d, "hl", 2) == -EPERM); /* no hard link to a link */
}

static int join(const char *cwd, const char *path, const char *want)
{
	char out[FS_PATH_MAX];
	return fs_path_join(cwd, path, out, sizeof(out)) == 0 && strcmp(out, want) == 0;
}

static void test_join(void)
{
	char out[8];
	CHECK(join("/", "a", "/a"));
	CHECK(join("/tmp", "a/b", "/tmp/a/b"));
	CHECK(join("/tmp", "/x//y/", "/x/y/")); /* one trailing slash kept: "y" is a directory */
	CHECK(join("/tmp", "y//", "/tmp/y/"));
	CHECK(join("/tmp", "/", "/") && join("/tmp", "//", "/"));
	CHECK(join("/tmp/d", "..", "/tmp/d/.."));
	CHECK(join("/tmp", "../../..", "/tmp/../../.."));
	CHECK(join("/tmp", ".", "/tmp/."));
	CHECK(join("/", "./a/./b/../c", "/a/b/../c"));
	CHECK(fs_path_join("/", "", out, sizeof(out)) == -ENOENT);
	CHECK(fs_path_join("/", "abcdefgh", out, sizeof(out)) == -ENAMETOOLONG);
	CHECK(fs_path_join("/", "abcdef", out, sizeof(out)) == 0 && strcmp(out, "/abcdef") == 0);
	CHECK(fs_path_join("/", "a", out, 1) == -ENAMETOOLONG);
}

int main(void)
{
	test_walk();
	test_add_list();
	test_unlink();
	test_rename();
	test_path();
	test_links();
	test_symlinks();
	test_join();
	fst_init(&t); /* frees the texts: the leak check sees none left */
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
