/*
 * Objects, rights, messages and mappings: the constants user space and the kernel
 * share. See docs/ipc-caps.md for what they mean.
 */
#ifndef ABI_IPC_H
#define ABI_IPC_H

#include <stdint.h>

/* Kinds of kernel object a capability can name. */
enum obj_type {
	OBJ_NONE = 0,
	OBJ_TASK = 1,	     /* an address space plus a capability space */
	OBJ_THREAD = 2,	     /* something the scheduler runs */
	OBJ_ENDPOINT = 3,    /* synchronous IPC rendezvous */
	OBJ_REPLY = 4,	     /* one-shot answer to one call */
	OBJ_NOTIFY = 5,	     /* asynchronous bits */
	OBJ_MEMORY = 6,	     /* a set of frames: anonymous, or a range of the boot image */
	OBJ_IRQCTL = 7,	     /* authority to bind device interrupts */
	OBJ_CONSOLE = 8,     /* authority to read the console */
	OBJ_MACHINE = 9,     /* authority to power off */
	OBJ_PIPE_READ = 10,  /* the read end of a pipe (kernel/abi/pipe.h) */
	OBJ_PIPE_WRITE = 11, /* the write end of a pipe */
	OBJ_PIPE = 12,	     /* the ring both ends share: named only by fifo_create's capability */
	OBJ__COUNT
};

/* Rights a capability carries. A copy may drop rights, never add them. */
#define CAP_SEND    (1u << 0) /* endpoint: send and call; notification: signal */
#define CAP_RECV    (1u << 1) /* endpoint: receive; notification: wait */
#define CAP_GRANT   (1u << 2) /* the capability itself may be passed in a message */
#define CAP_READ    (1u << 3) /* memory: map readable */
#define CAP_WRITE   (1u << 4) /* memory: map writable (shared) */
#define CAP_EXEC    (1u << 5) /* memory: map executable */
#define CAP_CONTROL (1u << 6) /* task/thread: create in, map into, kill; memory: resize */
#define CAP_ALL	    0x7fu

/* Slots every task has when it starts; init also gets the boot-time authorities. */
enum boot_slot {
	SLOT_SELF = 0,	  /* the task itself, with CONTROL */
	SLOT_ARCHIVE = 1, /* init: the boot archive, READ|EXEC */
	SLOT_CONSOLE = 2, /* init: console input */
	SLOT_IRQCTL = 3,  /* init: interrupt control */
	SLOT_MACHINE = 4, /* init: poweroff */
	/* 5..7: left to user-level conventions (the fork server's, userland/lib/proc.h) */
	SLOT_FIRST_FREE = 8, /* the first slot a program may use freely */
};
#define CSPACE_SLOTS 512

/*
 * IPC registers. In: a0 = slot, a1 = tag, a2..a6 and t3..t5 = the 8 words,
 * t0 = send buffer, t6 = slot of a capability to send; for anything that receives
 * (recv, call, reply_recv) t1 = receive buffer and t2 = receive spec: buffer capacity
 * << 16 | the slot a capability may arrive in (IPC_RECV_SLOT_NONE: refuse one).
 * Out: a0 = 0 or enum err, a1 = tag, the 8 words, t6 = the sender's badge (0 for a
 * reply); a capability, if the tag has IPC_TAG_CAP, is in the slot named by t2.
 *
 * The tag: bits 0-3 words used (0..8), bit 4 a capability is attached, bit 5 (in an
 * answer: reply, reply_recv, a send on a reply capability) the caller is queued like any
 * woken thread rather than run at once on this hart, bits 16-28 buffer bytes (0..4096;
 * the receiver's capacity is in its t2), bits 32-63 a label the protocol defines. A
 * received tag never has bit 5.
 */
#define IPC_WORDS	    8
#define IPC_BUF_MAX	    4096
#define IPC_TAG_WORDS	    0xfu
#define IPC_TAG_CAP	    (1u << 4)
#define IPC_TAG_QUEUE	    (1u << 5)
#define IPC_TAG_LEN_SHIFT   16
#define IPC_TAG_LEN_MASK    0x1fffu
#define IPC_TAG_LABEL_SHIFT 32

static inline uint64_t ipc_tag(uint64_t label, unsigned words, unsigned len, int cap)
{
	return (label << IPC_TAG_LABEL_SHIFT) |
	       ((uint64_t)(len & IPC_TAG_LEN_MASK) << IPC_TAG_LEN_SHIFT) | (cap ? IPC_TAG_CAP : 0) |
	       (words & IPC_TAG_WORDS);
}
#define IPC_RECV_SLOT_NONE 0xffffu
static inline uint64_t ipc_recv_spec(unsigned capacity, unsigned slot)
{
	return ((uint64_t)capacity << 16) | (slot & 0xffffu);
}
static inline unsigned ipc_recv_capacity(uint64_t spec)
{
	return (unsigned)(spec >> 16) & 0xffffu;
}
static inline unsigned ipc_recv_slot(uint64_t spec)
{
	return (unsigned)spec & 0xffffu;
}
static inline unsigned ipc_tag_words(uint64_t tag)
{
	unsigned w = tag & IPC_TAG_WORDS;
	return w > IPC_WORDS ? IPC_WORDS : w;
}
static inline unsigned ipc_tag_len(uint64_t tag)
{
	return (tag >> IPC_TAG_LEN_SHIFT) & IPC_TAG_LEN_MASK;
}
static inline uint64_t ipc_tag_label(uint64_t tag)
{
	return tag >> IPC_TAG_LABEL_SHIFT;
}

/* Labels of the messages the kernel itself sends to a task's supervisor endpoint. */
#define LABEL_FAULT 0xfa17 /* words: scause, stval, sepc, thread id */
#define LABEL_EXIT  0xe417 /* words: exit status */
#define LABEL_OOM   0x0077 /* words: as for a fault; the store found no frame */

/* Mapping protection and kind (map, map_anon, protect). */
#define PROT_NONE_	0
#define MAP_PROT_READ	(1u << 0)
#define MAP_PROT_WRITE	(1u << 1)
#define MAP_PROT_EXEC	(1u << 2)
#define MAP_PROT_ALL	(MAP_PROT_READ | MAP_PROT_WRITE | MAP_PROT_EXEC) /* none: no access */
#define MAP_KIND_SHARED (1u << 4) /* writes reach the object, seen by every mapper */
#define MAP_KIND_COPY	(1u << 5) /* write-copy: reads share, a write gets a private copy */
#define MAP_KIND_STACK	(1u << 6) /* map_anon: set the demand-zero stack reserve instead */
#define MAP_PROT_QUERY	(1u << 7) /* protect, alone: is every page mapped? Nothing changes */

/* obj_create kinds and their argument. */
/* OBJ_ENDPOINT: arg unused. OBJ_NOTIFY: arg unused. OBJ_MEMORY: arg = pages (zeroed). */

/* fork modes */
#define FORK_COW   0
#define FORK_EAGER 1

/* thread_ctl operations */
#define THREAD_CTL_PRIORITY 0
#define THREAD_CTL_AFFINITY 1
#define THREAD_CTL_SELF	    0x100 /* or'ed into the operation: the caller, a0 ignored */
#define THREAD_PRIO_MAX	    7
#define THREAD_PRIO_DEFAULT 3

/* User space: [USER_VA_MIN, USER_VA_MAX). The first page is never mapped. */
#define USER_VA_MIN	   0x1000UL
#define USER_VA_MAX	   0x4000000000UL
#define USER_LINK_BASE	   0x10000UL	  /* where static programs are linked */
#define USER_MMAP_BASE	   0x2000000000UL /* mmap and shared mappings grow up from here */
#define USER_STACK_TOP	   0x3f00000000UL /* the initial stack ends here */
#define USER_STACK_DEFAULT 0x800000UL	  /* the stack reserve exec gives: 8 MiB */
#define USER_STACK_MAX	   0x40000000UL	  /* the largest stack reserve: 1 GiB */

/*
 * The boot archive (tools/mkarchive.py): the header and count entries fill the first
 * table_pages pages, then come the page-aligned files. Readers check that the entries fit
 * in the table before they look at one.
 */
#define ARCHIVE_MAGIC	0x52414b4du /* "MKAR" */
#define ARCHIVE_VERSION 2
#define ARCHIVE_NAME	48
struct archive_header {
	uint32_t magic, version, count, table_pages;
};
struct archive_entry {
	char name[ARCHIVE_NAME];
	uint64_t offset, size;
};

/* sysinfo: what user space may know about the machine. */
struct sysinfo {
	uint64_t timebase_hz; /* rdtime ticks per second */
	uint64_t harts;	      /* harts running the kernel */
	uint64_t page_size;
	char model[64];	       /* the device tree's model */
	char isa[64];	       /* the boot hart's riscv,isa */
	uint64_t hart;	       /* the index of the hart the call ran on (sched_getcpu) */
	uint64_t lock_instret; /* instructions that hart retired holding the big lock */
	uint64_t parallel;     /* 1 if the harts run at once, 0 if they take turns or one */
};

struct memstat {
	uint64_t total_frames;
	uint64_t free_frames;
	uint64_t shared_frames; /* frames with more than one reference */
	uint64_t cow_faults;
	uint64_t cow_copies;
	uint64_t cow_reuses;
	uint64_t task_resident;	     /* frames mapped by the task asked about */
	uint64_t task_quota_left;    /* bytes */
	uint64_t kernel_objects;     /* kernel allocations outstanding: objects, cspace chunks... */
	uint64_t tlb_fences;	     /* TLB shootdown requests sent to other harts since boot */
	uint64_t kernel_slab_frames; /* frames holding the kernel's small objects now */
};

#endif
