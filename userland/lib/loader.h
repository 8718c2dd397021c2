/*
 * The loader server's protocol (docs/loader.md). Every process holds, in SLOT_LOADER, an
 * unbadged send capability to the loader's endpoint. A request names the task to load
 * into by granting its capability (CAP_CONTROL); the answer's w0 is 0 or a negative
 * enum err / enum elf_err, never a crash of the loader.
 */
#ifndef USER_LOADER_H
#define USER_LOADER_H

#define SLOT_LOADER	7 /* a send capability to the loader, in every process */
#define SLOT_LOADER_EP	6 /* the loader's own endpoint, in the loader */
/*
 * Staged files the loader keeps at once (each until its load): staging one more cuts off
 * the oldest session not being loaded. More than the loader's threads (one per hart).
 */
#define LOADER_SESSIONS 16

enum loader_label {
	/*
	 * cap = the target task (CAP_CONTROL), w0 = argc, w1 = base, w2 = aux bytes.
	 * buffer = name \0 argv[0..argc) envp... (NUL-separated), then the aux words.
	 * -> w0 = 0 or error, w1 = entry, w2 = sp, w3 = pages private for relocations.
	 * On a session capability (badge != 0) the file is the staged object, not the name.
	 */
	LOADER_LOAD = 1,
	/* cap = a memory object (CAP_READ), w0 = file bytes -> w0 = 0 or error, cap = a
	 * one-shot session capability to send LOADER_LOAD on. */
	LOADER_STAGE = 2,
};

#endif
