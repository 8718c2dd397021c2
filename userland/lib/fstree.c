/*
 * The file server's namespace: nodes in a fixed table, each naming its parent directory;
 * a directory's entries are the nodes whose parent it is (found by scanning, which at
 * FS_NODES entries costs less than keeping lists right under rename and unlink).
 * docs/files.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fstree.h"

void fst_init(struct fst *t)
{
	for (int i = 0; i < FS_NODES; i++)
		free(t->text[i]); /* a tree used before (the host tests) */
	memset(t, 0, sizeof(*t));
	t->n[FST_ROOT] = (struct fst_node){ .type = FST_DIR, .linked = 1, .mode = 0755 };
}

/* The next component of *p (slashes skipped): its length, and *p moved past it. */
static unsigned next_name(const char **p, const char **name)
{
	const char *s = *p;
	while (*s == '/')
		s++;
	*name = s;
	while (*s && *s != '/')
		s++;
	*p = s;
	return (unsigned)(s - *name);
}

/* The entry called name (length len) in dir, or -1. "." and ".." are dir and its parent. */
int fst_entry(const struct fst *t, int dir, const char *name, unsigned len)
{
	if (len == 1 && name[0] == '.')
		return dir;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return t->n[dir].parent;
	for (int i = 1; i < FS_NODES; i++) {
		const struct fst_node *c = &t->n[i];
		if (c->type != FST_FREE && c->linked && c->parent == dir &&
		    strlen(c->name) == len && memcmp(c->name, name, len) == 0)
			return i;
	}
	return -1;
}

int fst_resolve(const struct fst *t, int entry)
{
	return entry >= 0 && t->n[entry].type == FST_LINK ? t->n[entry].target : entry;
}

unsigned fst_nlink(const struct fst *t, int node)
{
	const struct fst_node *n = &t->n[node];
	return n->type == FST_DIR ? 2 : n->linked ? 1u + n->links : 0;
}

/* Is only a slash run left after *p? */
static int at_end(const char *p)
{
	while (*p == '/')
		p++;
	return *p == 0;
}

/*
 * The path with the symbolic link node (met in dir, rest still to walk) put in place of
 * its name, into out: 0 or -ENAMETOOLONG.
 */
static int expand(const struct fst *t, int dir, int node, const char *rest, char *out)
{
	const char *text = t->text[node] ? t->text[node] : "";
	int n = 0;
	if (text[0] != '/' && (n = fst_path(t, dir, out, FS_PATH_MAX)) < 0)
		return n;
	size_t tl = strlen(text), rl = strlen(rest);
	if ((size_t)n + 1 + tl + rl >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	if (n > 0)
		out[n++] = '/';
	memcpy(out + n, text, tl);
	memcpy(out + n + tl, rest, rl + 1);
	return 0;
}

static int walk(const struct fst *t, const char *path, int follow_last, int *node, int *parent,
		const char **last)
{
	static char bufs[2][FS_PATH_MAX]; /* each expansion in the one the rest is not in */
	int links = 0;
restart:
	if (path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	int cur = FST_ROOT, dir = FST_ROOT, slash = 0;
	const char *p = path, *name, *named = 0;
	unsigned len;
	while ((len = next_name(&p, &name)) != 0) {
		if (t->n[cur].type != FST_DIR)
			return -ENOTDIR;
		if (len > FS_NAME_MAX)
			return -ENAMETOOLONG;
		dir = cur;
		named = name;
		slash = *p ==
			'/'; /* last, a slash after it names a directory: a link is followed */
		cur = fst_resolve(t, fst_entry(t, cur, name, len));
		if (cur >= 0 && t->n[cur].type == FST_SYMLINK &&
		    (follow_last || slash || !at_end(p))) {
			char *out = bufs[links & 1];
			if (++links > FST_SYMLOOP_MAX)
				return -ELOOP;
			int err = expand(t, dir, cur, p, out);
			if (err)
				return err;
			path = out;
			goto restart;
		}
		if (cur >= 0)
			continue;
		if (!parent || !at_end(p))
			return -ENOENT;
		*node = -1;
		*parent = dir;
		*last = name;
		return 0;
	}
	/* "name/" resolves only to a directory (POSIX, XBD 4.13). */
	if (slash && t->n[cur].type != FST_DIR)
		return -ENOTDIR;
	*node = cur;
	if (parent) {
		*parent = dir;
		*last = named;
	}
	return 0;
}

int fst_walk(const struct fst *t, const char *path, int *node, int *parent, const char **last)
{
	return walk(t, path, 1, node, parent, last);
}

int fst_walk_nofollow(const struct fst *t, const char *path, int *node, int *parent,
		      const char **last)
{
	return walk(t, path, 0, node, parent, last);
}

int fst_symlink(struct fst *t, int dir, const char *name, unsigned len, const char *target)
{
	size_t tl = strlen(target);
	if (tl == 0)
		return -ENOENT; /* as Linux: an empty target names nothing */
	if (tl >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	char *text = malloc(tl + 1);
	if (!text)
		return -ENOSPC;
	int node = fst_add(t, dir, name, len, FST_SYMLINK);
	if (node < 0) {
		free(text);
		return node;
	}
	memcpy(text, target, tl + 1);
	t->text[node] = text;
	t->n[node].size = tl;
	t->n[node].mode = 0777;
	return node;
}

int fst_add(struct fst *t, int dir, const char *name, unsigned len, enum fst_type type)
{
	if (len == 0 || len > FS_NAME_MAX || memchr(name, '/', len))
		return -EINVAL;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return -EEXIST;
	if (fst_entry(t, dir, name, len) >= 0)
		return -EEXIST;
	for (int i = 1; i < FS_NODES; i++) {
		struct fst_node *c = &t->n[i];
		if (c->type != FST_FREE)
			continue;
		*c = (struct fst_node){ .type = (uint8_t)type,
					.linked = 1,
					.parent = (uint16_t)dir,
					.mode = type == FST_DIR ? 0755 : 0644 };
		memcpy(c->name, name, len);
		c->name[len] = 0;
		return i;
	}
	return -ENOSPC;
}

int fst_link(struct fst *t, int node, int dir, const char *name, unsigned len)
{
	struct fst_node *n = &t->n[node];
	if (n->type != FST_FILE && n->type != FST_FIFO)
		return -EPERM; /* POSIX lets link refuse directories; devices have no data */
	if (t->n[dir].readonly)
		return -EROFS;
	if (n->links == UINT16_MAX)
		return -EMLINK;
	int e = fst_add(t, dir, name, len, FST_LINK);
	if (e < 0)
		return e;
	t->n[e].target = (uint16_t)node;
	t->n[e].mode = 0;
	n->links++;
	return e;
}

/* node's own name is going while links remain: it takes over one link's name. */
static void promote(struct fst *t, int node)
{
	struct fst_node *n = &t->n[node];
	for (int i = 1; i < FS_NODES; i++) {
		struct fst_node *l = &t->n[i];
		if (l->type == FST_LINK && l->target == node) {
			n->parent = l->parent;
			memcpy(n->name, l->name, sizeof(n->name));
			l->type = FST_FREE;
			n->links--;
			return;
		}
	}
	n->links = 0; /* none found: the count was wrong; the name just goes */
	n->linked = 0;
}

/* Take entry's name away: a link entry is freed, a node's own name passes to a link. */
static void unname(struct fst *t, int entry);

int fst_child(const struct fst *t, int dir, unsigned index)
{
	for (int i = 1; i < FS_NODES; i++) {
		const struct fst_node *c = &t->n[i];
		if (c->type != FST_FREE && c->linked && c->parent == dir && index-- == 0)
			return i;
	}
	return -1;
}

int fst_child_from(const struct fst *t, int dir, unsigned from)
{
	for (unsigned i = from ? from : 1; i < FS_NODES; i++) {
		const struct fst_node *c = &t->n[i];
		if (c->type != FST_FREE && c->linked && c->parent == dir)
			return (int)i;
	}
	return -1;
}

int fst_has_children(const struct fst *t, int dir)
{
	return fst_child(t, dir, 0) >= 0;
}

/* Forget node unless an open description still names it. */
static void drop(struct fst *t, int node)
{
	t->n[node].linked = 0;
	if (t->n[node].opens)
		return;
	t->n[node].type = FST_FREE;
	free(t->text[node]); /* a symbolic link's */
	t->text[node] = 0;
}

static void unname(struct fst *t, int entry)
{
	struct fst_node *e = &t->n[entry];
	if (e->type == FST_LINK) {
		t->n[e->target].links--;
		e->type = FST_FREE;
	} else if (e->links) {
		promote(t, entry);
	} else {
		drop(t, entry);
	}
}

int fst_unlink(struct fst *t, int entry, int dir_wanted, int *node_out)
{
	int node = fst_resolve(t, entry);
	struct fst_node *n = &t->n[node];
	*node_out = node;
	if (node == FST_ROOT)
		return dir_wanted ? -EBUSY : -EPERM;
	if (t->n[t->n[entry].parent].readonly || n->readonly)
		return -EROFS;
	if (dir_wanted && n->type != FST_DIR)
		return -ENOTDIR;
	if (!dir_wanted && n->type == FST_DIR)
		return -EPERM; /* POSIX: unlink may refuse directories, and does here */
	if (dir_wanted && fst_has_children(t, node))
		return -ENOTEMPTY;
	unname(t, entry);
	return 0;
}

int fst_is_within(const struct fst *t, int a, int b)
{
	for (int hops = 0; hops < FS_NODES; hops++) {
		if (a == b)
			return 1;
		if (a == FST_ROOT)
			return 0;
		a = t->n[a].parent;
	}
	return 0;
}

/* Can node replace old (rename onto an existing name)? 0 or -errno. */
static int can_replace(const struct fst *t, int node, int old)
{
	node = fst_resolve(t, node);
	old = fst_resolve(t, old);
	int dir = t->n[node].type == FST_DIR, old_dir = t->n[old].type == FST_DIR;
	if (dir && !old_dir)
		return -ENOTDIR;
	if (!dir && old_dir)
		return -EISDIR;
	if (old_dir && fst_has_children(t, old))
		return -ENOTEMPTY;
	return t->n[old].readonly ? -EROFS : 0;
}

int fst_rename(struct fst *t, int node, int dir, const char *name, unsigned len, int *replaced)
{
	struct fst_node *n = &t->n[node];
	*replaced = -1;
	if (node == FST_ROOT || len == 0 || len > FS_NAME_MAX || memchr(name, '/', len))
		return node == FST_ROOT ? -EBUSY : -EINVAL;
	if (n->readonly || t->n[n->parent].readonly || t->n[dir].readonly)
		return -EROFS;
	if (t->n[dir].type != FST_DIR)
		return -ENOTDIR;
	if (n->type == FST_DIR && fst_is_within(t, dir, node))
		return -EINVAL; /* into itself */
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	int old = fst_entry(t, dir, name, len);
	if (old >= 0 && fst_resolve(t, old) == fst_resolve(t, node))
		return 0; /* POSIX: two names of one file, or the same name: nothing happens */
	int err = old >= 0 ? can_replace(t, node, old) : 0;
	if (err)
		return err;
	if (old >= 0) {
		*replaced = fst_resolve(t, old);
		unname(t, old);
	}
	n->parent = (uint16_t)dir;
	memcpy(n->name, name, len);
	n->name[len] = 0;
	return 0;
}

int fst_release(struct fst *t, int node)
{
	struct fst_node *n = &t->n[node];
	if (n->opens)
		n->opens--;
	if (n->opens || n->linked)
		return 0;
	n->type = FST_FREE;
	return 1;
}

int fst_path(const struct fst *t, int node, char *out, unsigned max)
{
	unsigned len = 0, hops = 0;
	if (max < 2)
		return -ENAMETOOLONG;
	/* Built from the end of out backwards, parent by parent, then moved to the front. */
	for (int n = node; n != FST_ROOT; n = t->n[n].parent) {
		const struct fst_node *x = &t->n[n];
		unsigned nlen = (unsigned)strlen(x->name);
		if (!x->linked || x->type == FST_FREE || ++hops > FS_NODES)
			return -ENOENT;
		if (len + nlen + 2 > max)
			return -ENAMETOOLONG;
		len += nlen + 1;
		memcpy(out + max - len + 1, x->name, nlen);
		out[max - len] = '/';
	}
	if (len == 0)
		out[max - ++len] = '/'; /* the root itself */
	memmove(out, out + max - len, len);
	out[len] = 0;
	return (int)len;
}

/* Append "/name" to out. */
static int push(char *out, unsigned *len, const char *name, unsigned n, unsigned max)
{
	unsigned sep = *len > 1;
	if (*len + sep + n + 1 > max)
		return -ENAMETOOLONG;
	if (sep)
		out[(*len)++] = '/';
	memcpy(out + *len, name, n);
	*len += n;
	out[*len] = 0;
	return 0;
}

/* Resolve each component of p onto out. */
static int apply(char *out, unsigned *len, const char *p, unsigned max)
{
	const char *name;
	unsigned n;
	while ((n = next_name(&p, &name)) != 0) {
		if (n == 1 && name[0] == '.' && !at_end(p))
			continue; /* "." in the middle changes nothing; last, rmdir must see it */
		if (n > FS_NAME_MAX)
			return -ENAMETOOLONG;
		int err = push(out, len, name, n, max);
		if (err)
			return err;
	}
	return 0;
}

int fs_path_join(const char *cwd, const char *path, char *out, unsigned max)
{
	unsigned len = 1;
	if (!path || !path[0])
		return -ENOENT;
	if (max < 2)
		return -ENAMETOOLONG;
	out[0] = '/';
	out[1] = 0;
	int err = path[0] == '/' ? 0 : apply(out, &len, cwd ? cwd : "/", max);
	if (!err)
		err = apply(out, &len, path, max);
	/* A trailing slash says the last name is a directory: the server must see it. */
	if (!err && len > 1 && path[strlen(path) - 1] == '/') {
		if (len + 2 > max)
			return -ENAMETOOLONG;
		out[len++] = '/';
		out[len] = 0;
	}
	return err;
}
