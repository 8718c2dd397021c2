/*
 * What picolibc needs from us: the three standard streams, the program break for
 * malloc, and _exit. Output is buffered a line at a time and written with debug_write
 * while the descriptor (1 or 2) is the console, else through write() to whatever it
 * names (dup2 onto 1 sends printf to a file or pipe); stdin reads fd 0 likewise.
 * read and write on console descriptors (fd.c) come here too.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdio-bufio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernel/abi/console.h"
#include "fd.h"
#include "proc.h"
#include "pthread_impl.h"
#include "rlimit.h"
#include "syscall.h"

#define OUT_BUF	   256
#define DEBUG_MAX  4096		  /* debug_write takes at most this much at once */
#define HEAP_LIMIT USER_MMAP_BASE /* the break never grows into the mmap area */

/*
 * An output stream: the FILE picolibc writes through. Each thread collects its own line
 * (thread-local), and a line goes out in one debug_write, so lines from two threads
 * never mix and no lock is needed.
 */
struct out_stream {
	FILE file; /* first: the put and flush hooks get a pointer to it */
};
struct out_line {
	unsigned len;
	char buf[OUT_BUF];
};

static int out_put(char c, FILE *f);
static int out_flush(FILE *f);

static struct out_stream out_std = {
	.file = FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE),
};
static struct out_stream out_err = {
	.file = FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE),
};
static __thread struct out_line out_lines[2]; /* stdout's, stderr's */
/* setvbuf's mode for each (process-wide, so a child inherits it): a line at a time
 * unless the program asks for _IONBF or _IOFBF. */
static int out_modes[2] = { _IOLBF, _IOLBF };

static struct out_line *line_of(FILE *f)
{
	return &out_lines[f == &out_err.file];
}

/* Is fd the console (or closed)? Then stdio talks to the console itself. */
static int on_console(int fd)
{
	int saved = errno;
	struct fd_entry *e = fd_get(fd);
	errno = saved;
	return !e || e->kind == FD_CONSOLE;
}

/* A stream's bytes: to the console directly, or through the descriptor (a file, a pipe). */
static void emit(int fd, const char *b, unsigned n)
{
	if (on_console(fd))
		SYSCALL(debug_write, b, n);
	else
		write(fd, b, n);
}

static int out_flush(FILE *f)
{
	struct out_line *s = line_of(f);
	if (f == &out_err.file)
		out_flush(&out_std.file); /* what went to stdout before shows first */
	/* Nothing to write, nothing stored: a child that only exits keeps this page shared. */
	if (s->len) {
		unsigned n = s->len;
		s->len = 0;
		emit(f == &out_err.file ? STDERR_FILENO : STDOUT_FILENO, s->buf, n);
	}
	return 0;
}

static int out_put(char c, FILE *f)
{
	struct out_line *s = line_of(f);
	int mode = out_modes[f == &out_err.file];
	s->buf[s->len++] = c;
	if (s->len == OUT_BUF || mode == _IONBF || (c == '\n' && mode == _IOLBF))
		out_flush(f);
	return (unsigned char)c;
}

/*
 * picolibc 1.8's setvbuf does nothing for a stream that is not its buffered kind, so
 * setvbuf(stdout, NULL, _IONBF, 0) was ignored. The standard streams take the mode
 * here (the buffer stays ours: C lets setvbuf ignore buf); others go to the stream's
 * own hook, as picolibc's does.
 */
int setvbuf(FILE *restrict f, char *restrict buf, int mode, size_t size)
{
	if (mode != _IONBF && mode != _IOLBF && mode != _IOFBF) {
		errno = EINVAL;
		return -1;
	}
	if (f == &out_std.file || f == &out_err.file) {
		out_flush(f);
		out_modes[f == &out_err.file] = mode;
		return 0;
	}
	struct __file_ext *ext = (struct __file_ext *)f;
	if ((f->flags & __SEXT) && ext->setvbuf)
		return ext->setvbuf(f, buf, mode, size);
	return 0;
}

/*
 * Console input, a byte per call so nothing typed for a later reader is taken: only
 * tasks holding the console capability (init, the shell) can read; others get EOF.
 * A prompt without a newline is shown before we wait.
 */
static int in_get(FILE *f)
{
	char c = 0;
	(void)f;
	out_flush(&out_err.file);
	if (!on_console(STDIN_FILENO))
		return read(STDIN_FILENO, &c, 1) == 1 ? (unsigned char)c : _FDEV_EOF;
	return console_fd_read(&c, 1) == 1 ? (unsigned char)c : _FDEV_EOF;
}

/* write(1 or 2, ...): what stdio holds goes first, then the bytes themselves. */
ssize_t console_fd_write(const void *buf, size_t n)
{
	const char *b = buf;
	out_flush(&out_err.file);
	for (size_t done = 0; done < n;) {
		size_t k = n - done < DEBUG_MAX ? n - done : DEBUG_MAX;
		if (SYSCALL(debug_write, b + done, k) < 0) {
			errno = EFAULT;
			return done ? (ssize_t)done : -1;
		}
		done += k;
	}
	return (ssize_t)n;
}

/* read(0, ...): what the console has, at least a byte; EOF without the console. */
/* A byte poll read ahead to see that input is there (console_fd_ready): read gets it
 * first; or LOOKAHEAD_EOF, an end of input (^D) it took, which read then gives. */
#define LOOKAHEAD_NONE (-1)
#define LOOKAHEAD_EOF  (-2)
static int lookahead = LOOKAHEAD_NONE;

int console_fd_ready(void)
{
	unsigned char c = 0;
	if (lookahead != LOOKAHEAD_NONE)
		return 1;
	long got = SYSCALL_NB(console_read, SLOT_CONSOLE, &c, 1);
	if (got == 1)
		lookahead = c;
	else if (got == 0)
		lookahead = LOOKAHEAD_EOF;
	return got != E_AGAIN; /* a byte, or no console: a read would not wait */
}

/* console_read until want bytes are in (VMIN; a line needs one call): the count, 0 with
 * no console, or -1. A call takes at most 64 bytes. */
static ssize_t console_read_min(char *buf, size_t n, size_t want)
{
	size_t done = 0;
	long got;
	do {
		got = SYSCALL(console_read, SLOT_CONSOLE, buf + done, n - done);
		if (got < 0 && done)
			return (ssize_t)done;
		if (got == E_BADCAP || got == E_TYPE)
			return 0;
		if (got < 0) {
			/* E_INTR: a handler without SA_RESTART ran while we waited (signal.c),
			 * or pthread_cancel cut the wait: read is a cancellation point. */
			if (got == E_INTR)
				cancel_point();
			errno = got == E_FAULT ? EFAULT : got == E_INTR ? EINTR : EIO;
			return -1;
		}
		done += (size_t)got;
	} while (got > 0 && done < want);
	return (ssize_t)done;
}

/* As the console's mode says (termios.c): a line, VMIN bytes, or a read VTIME times. */
ssize_t console_fd_read(void *buf, size_t n)
{
	if (n == 0)
		return 0;
	if (lookahead != LOOKAHEAD_NONE) {
		int c = lookahead;
		lookahead = LOOKAHEAD_NONE;
		if (c == LOOKAHEAD_EOF)
			return 0;
		*(unsigned char *)buf = (unsigned char)c;
		return 1;
	}
	out_flush(&out_err.file);
	struct console_mode m = { .lflag = CON_ICANON }; /* if it cannot be read: a line */
	long err = SYSCALL(console_mode_get, SLOT_CONSOLE, &m);
	if (err == E_BADCAP || err == E_TYPE)
		return 0;
	if (err || (m.lflag & CON_ICANON))
		return console_read_min(buf, n, 1);
	if (m.cc[CON_VTIME] || m.cc[CON_VMIN] == 0)
		return console_timed_read(buf, n, m.cc[CON_VMIN], m.cc[CON_VTIME]);
	return console_read_min(buf, n, m.cc[CON_VMIN] < n ? m.cc[CON_VMIN] : n);
}

static FILE in = FDEV_SETUP_STREAM(NULL, in_get, NULL, _FDEV_SETUP_READ);
FILE *const stdin = &in;
FILE *const stdout = &out_std.file;
FILE *const stderr = &out_err.file;

/*
 * POSIX: fileno(stdin) is 0, stdout's 1, stderr's 2 (picolibc's own answers -1 for
 * streams like ours that are not its buffered kind); a stream from fopen or fdopen keeps
 * its descriptor in its buffered record.
 */
int fileno(FILE *f)
{
	if (f == stdin)
		return STDIN_FILENO;
	if (f == stdout)
		return STDOUT_FILENO;
	if (f == stderr)
		return STDERR_FILENO;
	if (f && (f->flags & __SBUF))
		return ((struct __file_bufio *)f)->fd;
	errno = EBADF;
	return -1;
}

extern char _end[];
static uintptr_t brk_cur, brk_mapped; /* the break, and the end of its mapped pages */

void own_data_pages(void)
{
	extern char __tls_base[]; /* where the data segment starts (user.ld) */
	/* An atomic or of 0 stores the word unchanged: a page still shared with the
	 * program's file is copied now. */
	for (uintptr_t a = (uintptr_t)__tls_base; a < (uintptr_t)_end; a += PAGE_BYTES)
		__atomic_fetch_or((uint32_t *)a, 0, __ATOMIC_RELAXED);
}

/*
 * A server's stack, mapped now: the main stack is the kernel's demand-zero reserve, so
 * a server's deepest request would otherwise take frames the first time it comes and
 * keep them, which looks like a leak to whoever counts frames around it. Touches the
 * bytes below the caller's frame, a page at a time.
 */
void own_stack_pages(size_t bytes)
{
	volatile char here = 0;
	for (uintptr_t a = (uintptr_t)&here & ~(uintptr_t)(PAGE_BYTES - 1);
	     (uintptr_t)&here - a < bytes; a -= PAGE_BYTES)
		__atomic_fetch_or((uint32_t *)a, 0, __ATOMIC_RELAXED);
}

void *sbrk(ptrdiff_t incr)
{
	if (!brk_cur)
		brk_cur = brk_mapped = (uintptr_t)_end;
	uintptr_t old = brk_cur, want = brk_cur + incr;
	if (incr < 0 || want < old || want > HEAP_LIMIT ||
	    want - (uintptr_t)_end > rlimit_cur(RLIMIT_DATA)) {
		errno = ENOMEM; /* shrinking is not worth its complexity here */
		return (void *)-1;
	}
	if (want > brk_mapped) {
		uintptr_t top = (want + PAGE_BYTES - 1) & ~(uintptr_t)(PAGE_BYTES - 1);
		if (rlimit_as_exceeded(top - brk_mapped))
			return (void *)-1;
		if (SYSCALL(map_anon, SLOT_SELF, brk_mapped, (top - brk_mapped) / PAGE_BYTES,
			    MAP_PROT_READ | MAP_PROT_WRITE) != 0) {
			errno = ENOMEM;
			return (void *)-1;
		}
		brk_mapped = top;
	}
	brk_cur = want;
	return (void *)old;
}

/* exit flushes what this thread's console streams hold (streams.c does the others). */
__attribute__((destructor)) static void out_at_exit(void)
{
	out_flush(&out_err.file); /* and stdout before it */
}

/*
 * Pipe ends need no closing here: the fork server releases every end a process holds
 * when it dies, whatever the cause (docs/userland.md), so its peers see EOF or EPIPE.
 * Clearing the descriptor table would only cost a forked child a copy-on-write copy of
 * the page it lives in. Streams are not flushed (POSIX): a forked child's _exit must not
 * write its parent's unfinished line a second time.
 */
void _exit(int status)
{
	/* With other threads alive, the kernel's exit would end only this one (pthread.c). */
	if (pthread_threaded)
		proc_request(PROC_EXIT, (uint64_t)status, 0, 0, 0, 0);
	for (;;)
		SYSCALL(exit, status, 0, 0);
}

int main(int argc, char **argv, char **envp);
extern void __libc_init_array(void);
extern char __tls_first[]; /* the first thread's thread-local block (user.ld) */
char **environ;

/*
 * A thread's thread-local block from the image: .tdata copied, .tbss zeroed a doubleword
 * at a time (user.ld aligns both to 8) unless the memory is known zero. picolibc's
 * _init_tls zeroes with a memset that goes a byte at a time: about 2,600 instructions for
 * the C library's 644 bytes, which every program start paid.
 */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) /* not memset's byte loop */
void tls_block_init(char *tls, int zeroed)
{
	extern char __tdata_source[], __tdata_size[], __tbss_offset[], __tbss_size[];
	memcpy(tls, __tdata_source, (size_t)__tdata_size);
	if (zeroed)
		return;
	uint64_t *z = (uint64_t *)(tls + (size_t)__tbss_offset);
	for (size_t i = 0; i < ((size_t)__tbss_size + 7) / 8; i++)
		z[i] = 0;
}

/*
 * The (key, value) pairs the loader put after envp's terminator (pipe.h's AUX_FD), found
 * before any constructor runs: one that takes an entry out of the environment
 * (fd_take_env) moves the terminator, and a later walk would miss them. A pipe end exec
 * handed over was then not taken up, nor its slot kept from the slot allocator, whose
 * next slot for a file reopened at exec was the pipe's: stdout redirected to a file went
 * to the console in a program whose signal or limit constructor ran first.
 */
const uint64_t *user_auxv;
const char *user_progname; /* argv[0], for err.c's messages */

void __user_start(int argc, char **argv, char **envp)
{
	/* Before anything touches errno: the initial values. The loader maps the pages past
	 * the program file's last one zeroed; only one that shares a page with it needs it. */
	extern char __bss_start[];
	uintptr_t first_zero =
		((uintptr_t)__bss_start + PAGE_BYTES - 1) & ~(uintptr_t)(PAGE_BYTES - 1);
	tls_block_init(__tls_first, (uintptr_t)__tls_first >= first_zero);
	environ = envp;
	char **e = envp;
	while (e && *e)
		e++;
	user_auxv = e ? (const uint64_t *)(e + 1) : 0;
	user_progname = argc > 0 ? argv[0] : 0;
	__libc_init_array();
	exit(main(argc, argv, envp));
}
