/*
 * Users and groups (docs/userland.md): there is one of each, root (uid 0, gid 0), and
 * every process runs as it. The user and group databases therefore hold one entry; the
 * calls that would change an id or a file's owner accept only 0 (or -1: no change) and
 * give EINVAL for any other value, which POSIX allows for ids the system does not
 * support. A chown that names 0 still checks that the file is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT_NAME  "root"
#define ROOT_DIR   "/"
#define ROOT_SHELL "/bin/sh"

static char empty[] = "";
static char name_root[] = ROOT_NAME, dir_root[] = ROOT_DIR, shell_root[] = ROOT_SHELL;
static struct passwd root_user = { name_root, empty, 0, 0, empty, empty, dir_root, shell_root };
static char *no_members[] = { 0 };
static struct group root_group = { name_root, empty, 0, no_members };
static int pw_next, gr_next; /* getpwent/getgrent: 0 before root, 1 after */

/* --- the user database --- */

struct passwd *getpwnam(const char *name)
{
	return name && strcmp(name, ROOT_NAME) == 0 ? &root_user : 0;
}

struct passwd *getpwuid(uid_t uid)
{
	return uid == 0 ? &root_user : 0;
}

/* The _r forms copy the strings into buf: 0, ERANGE if buf is short (result NULL). */
static int copy_user(struct passwd *pw, char *buf, size_t size, struct passwd **result)
{
	size_t need = sizeof(ROOT_NAME) + sizeof(ROOT_DIR) + sizeof(ROOT_SHELL) + 1;
	*result = 0;
	if (size < need)
		return ERANGE;
	*pw = root_user;
	pw->pw_name = strcpy(buf, ROOT_NAME);
	pw->pw_dir = strcpy(buf + sizeof(ROOT_NAME), ROOT_DIR);
	pw->pw_shell = strcpy(buf + sizeof(ROOT_NAME) + sizeof(ROOT_DIR), ROOT_SHELL);
	pw->pw_passwd = pw->pw_comment = pw->pw_gecos = buf + need - 1;
	buf[need - 1] = 0;
	*result = pw;
	return 0;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **result)
{
	*result = 0;
	return getpwnam(name) ? copy_user(pw, buf, size, result) : 0;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **result)
{
	*result = 0;
	return uid == 0 ? copy_user(pw, buf, size, result) : 0;
}

struct passwd *getpwent(void)
{
	return pw_next++ == 0 ? &root_user : 0;
}

void setpwent(void)
{
	pw_next = 0;
}

void endpwent(void)
{
	pw_next = 0;
}

/* --- the group database --- */

struct group *getgrnam(const char *name)
{
	return name && strcmp(name, ROOT_NAME) == 0 ? &root_group : 0;
}

struct group *getgrgid(gid_t gid)
{
	return gid == 0 ? &root_group : 0;
}

static int copy_group(struct group *gr, char *buf, size_t size, struct group **result)
{
	/* The name, an empty password, then the member list (one NULL), aligned. */
	size_t strings = (sizeof(ROOT_NAME) + 1 + sizeof(char *) - 1) & ~(sizeof(char *) - 1);
	*result = 0;
	if (size < strings + sizeof(char *) || ((uintptr_t)buf & (sizeof(char *) - 1)))
		return ERANGE;
	gr->gr_name = strcpy(buf, ROOT_NAME);
	gr->gr_passwd = buf + sizeof(ROOT_NAME);
	gr->gr_passwd[0] = 0;
	gr->gr_gid = 0;
	gr->gr_mem = (char **)(void *)(buf + strings);
	gr->gr_mem[0] = 0;
	*result = gr;
	return 0;
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t size, struct group **result)
{
	*result = 0;
	return getgrnam(name) ? copy_group(gr, buf, size, result) : 0;
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **result)
{
	*result = 0;
	return gid == 0 ? copy_group(gr, buf, size, result) : 0;
}

struct group *getgrent(void)
{
	return gr_next++ == 0 ? &root_group : 0;
}

void setgrent(void)
{
	gr_next = 0;
}

void endgrent(void)
{
	gr_next = 0;
}

/* Supplementary groups: none besides the effective one. */
int getgroups(int size, gid_t list[])
{
	(void)list;
	if (size < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

char *getlogin(void)
{
	return name_root;
}

int getlogin_r(char *name, size_t size)
{
	if (size < sizeof(ROOT_NAME))
		return ERANGE;
	memcpy(name, ROOT_NAME, sizeof(ROOT_NAME));
	return 0;
}

/* --- changing ids: only root exists --- */

static int only_root(long id)
{
	if (id == 0)
		return 0;
	errno = EINVAL; /* an id the system does not support */
	return -1;
}

int setuid(uid_t uid)
{
	return only_root((long)uid);
}

int setgid(gid_t gid)
{
	return only_root((long)gid);
}

int seteuid(uid_t uid)
{
	return only_root((long)uid);
}

int setegid(gid_t gid)
{
	return only_root((long)gid);
}

/* An owner or group of 0, or -1 for "leave it": 0; anything else EINVAL. */
static int owner_ok(uid_t owner, gid_t group)
{
	return (owner == (uid_t)-1 || owner == 0) && (group == (gid_t)-1 || group == 0)
		       ? 0
		       : only_root(-2);
}

int fchownat(int dirfd, const char *path, uid_t owner, gid_t group, int flags)
{
	struct stat st;
	if (fstatat(dirfd, path, &st, flags & AT_SYMLINK_NOFOLLOW) != 0)
		return -1; /* ENOENT, ENOTDIR, EBADF...: as for any path */
	return owner_ok(owner, group);
}

int chown(const char *path, uid_t owner, gid_t group)
{
	return fchownat(AT_FDCWD, path, owner, group, 0);
}

int lchown(const char *path, uid_t owner, gid_t group)
{
	return fchownat(AT_FDCWD, path, owner, group, AT_SYMLINK_NOFOLLOW);
}

int fchown(int fd, uid_t owner, gid_t group)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
	return owner_ok(owner, group);
}
