/*
 * nftw and ftw (each name once, directories before or, with FTW_DEPTH, after their
 * entries, levels, a callback's non-zero value ending the walk, symbolic links reported or
 * followed), scandir with a filter
 * and alphasort, telldir/seekdir and readdir_r (docs/userland.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

static int files, dirs, deepest, order_ok = 1, seen_b, stop_at;
static char last_dir[64];

static int visit(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	if (type == FTW_F)
		files++;
	if (type == FTW_D || type == FTW_DP)
		dirs++;
	if (f->level > deepest)
		deepest = f->level;
	if (strcmp(path + f->base, "b") == 0)
		seen_b = type;
	/* With FTW_DEPTH a directory comes after everything under it. */
	if (type == FTW_DP) {
		if (strncmp(last_dir, path, strlen(path)) != 0 && last_dir[0])
			order_ok = 0;
		strncpy(last_dir, path, sizeof(last_dir) - 1);
	}
	return stop_at && files == stop_at ? 42 : 0;
}

static int plain(const char *path, const struct stat *st, int type)
{
	(void)path;
	(void)st;
	files += type == FTW_F;
	return 0;
}

static void make_tree(void)
{
	mkdir("/tmp/dw", 0755);
	mkdir("/tmp/dw/b", 0755);
	mkdir("/tmp/dw/b/d", 0755);
	close(open("/tmp/dw/a", O_CREAT | O_WRONLY, 0644));
	close(open("/tmp/dw/c", O_CREAT | O_WRONLY, 0644));
	close(open("/tmp/dw/b/x", O_CREAT | O_WRONLY, 0644));
	close(open("/tmp/dw/b/d/e", O_CREAT | O_WRONLY, 0644));
}

static int links_seen, dangling_seen;

static int count_links(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)path, (void)f;
	links_seen += type == FTW_SL && S_ISLNK(st->st_mode);
	dangling_seen += type == FTW_SLN;
	return 0;
}

/* Symbolic links: reported with FTW_PHYS, followed without (one to nothing: FTW_SLN). */
static void symlinks(void)
{
	CHECK_EQ(mkdir("/tmp/dws", 0755), 0);
	CHECK_EQ(symlink("/tmp/dw", "/tmp/dws/tree"), 0);
	CHECK_EQ(symlink("/tmp/dws/none", "/tmp/dws/dang"), 0);
	CHECK_EQ(nftw("/tmp/dws", count_links, 8, FTW_PHYS), 0);
	CHECK(links_seen == 2 && dangling_seen == 0);
	links_seen = files = dirs = 0;
	CHECK_EQ(nftw("/tmp/dws", count_links, 8, 0), 0);
	CHECK(links_seen == 0 && dangling_seen == 1);
	files = 0;
	CHECK_EQ(nftw("/tmp/dws", visit, 8, 0), 0); /* through the link: the tree's 4 files */
	CHECK_EQ(files, 4);
	unlink("/tmp/dws/tree");
	unlink("/tmp/dws/dang");
	rmdir("/tmp/dws");
}

static int no_x(const struct dirent *e)
{
	return strcmp(e->d_name, "b") != 0;
}

int main(void)
{
	make_tree();
	CHECK_EQ(nftw("/tmp/dw", visit, 8, 0), 0);
	CHECK(files == 4 && dirs == 3 && deepest == 3 && seen_b == FTW_D);
	files = dirs = deepest = 0;
	last_dir[0] = 0;
	CHECK_EQ(nftw("/tmp/dw/", visit, 8, FTW_DEPTH | FTW_PHYS), 0);
	CHECK(files == 4 && dirs == 3 && seen_b == FTW_DP && order_ok);
	files = 0;
	stop_at = 2;
	CHECK_EQ(nftw("/tmp/dw", visit, 8, 0), 42); /* the callback's value ends it */
	CHECK_EQ(files, 2);
	stop_at = files = 0;
	CHECK_EQ(ftw("/tmp/dw", plain, 4), 0);
	CHECK_EQ(files, 4);
	errno = 0;
	CHECK(nftw("/tmp/no_such_dir", visit, 4, 0) == 0); /* FTW_NS for the start */
	CHECK(nftw("", visit, 4, 0) == -1 && errno == ENOENT);
	CHECK(nftw("/tmp/dw", visit, 0, 0) == -1 && errno == EINVAL);
	stop_at = files = 0;
	symlinks();

	struct dirent **list;
	int n = scandir("/tmp/dw", &list, no_x, alphasort);
	CHECK_EQ(n, 2);
	if (n == 2)
		CHECK(strcmp(list[0]->d_name, "a") == 0 && strcmp(list[1]->d_name, "c") == 0);
	while (n > 0)
		free(list[--n]);
	free(list);
	CHECK(scandir("/tmp/no_such_dir", &list, 0, 0) == -1 && errno == ENOENT);

	DIR *d = opendir("/tmp/dw");
	struct dirent ent, *res;
	CHECK(d != 0);
	CHECK(readdir_r(d, &ent, &res) == 0 && res == &ent);
	long pos = telldir(d);
	char second[64];
	CHECK(readdir_r(d, &ent, &res) == 0 && res);
	strcpy(second, ent.d_name);
	seekdir(d, pos);
	struct dirent *again = readdir(d);
	CHECK(again && strcmp(again->d_name, second) == 0);
	while (readdir_r(d, &ent, &res) == 0 && res)
		;
	CHECK(res == 0);
	closedir(d);
	unlink("/tmp/dw/b/d/e");
	rmdir("/tmp/dw/b/d");
	unlink("/tmp/dw/b/x");
	rmdir("/tmp/dw/b");
	unlink("/tmp/dw/a");
	unlink("/tmp/dw/c");
	rmdir("/tmp/dw");
	return test_status();
}
