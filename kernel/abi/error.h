/*
 * The one error enum, shared by the kernel, user space and host tools.
 * System calls return 0 or a negative value from this list; nothing else.
 * Keep it small: a new code must mean something a caller can act on.
 */
#ifndef ABI_ERROR_H
#define ABI_ERROR_H

enum err {
	E_OK = 0,
	E_INVAL = -1,	/* an argument is out of range or inconsistent */
	E_NOMEM = -2,	/* no frame or no quota left */
	E_FAULT = -3,	/* a user pointer is not mapped, or not for this access */
	E_BADCAP = -4,	/* the slot is out of range or empty */
	E_TYPE = -5,	/* the capability names the wrong kind of object */
	E_RIGHTS = -6,	/* the capability lacks a right the call needs */
	E_AGAIN = -7,	/* a non-blocking call would have blocked */
	E_DEAD = -8,	/* the peer died or the capability was revoked */
	E_NOENT = -9,	/* no such name, node or file */
	E_FORMAT = -10, /* malformed input: device tree, ELF, message */
	E_RANGE = -11,	/* a size or count is beyond a fixed limit */
	E_BUSY = -12,	/* the object is in use */
	E_NOSYS = -13,	/* no such call or feature */
	E_QUOTA = -14,	/* the task's memory quota is spent */
	/* a wait's deadline passed first */
	E_TIMEOUT = -15,
	/* an upcall cut the blocking call short */
	E_INTR = -16,
	E__COUNT = 17
};

/* A short name for each code, for messages and tests. */
static inline const char *err_name(int e)
{
	static const char *const names[E__COUNT] = {
		"OK",	 "INVAL",  "NOMEM", "FAULT", "BADCAP", "TYPE",	"RIGHTS",  "AGAIN", "DEAD",
		"NOENT", "FORMAT", "RANGE", "BUSY",  "NOSYS",  "QUOTA", "TIMEOUT", "INTR",
	};
	return (e <= 0 && -e < E__COUNT) ? names[-e] : "?";
}

#endif
