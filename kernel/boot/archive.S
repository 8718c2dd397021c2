/* The boot archive (tools/mkarchive.py), built into the image's read-only data. */
	.section .bootarchive, "a"
	.balign 4096
	.incbin ARCHIVE_BIN
	.balign 4096
