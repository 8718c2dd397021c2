/* `true` for the bench-linux initramfs: a small static C program, as fork_exec_wait and
 * posix_spawn_wait start on this kernel (there: picolibc; here: glibc). */
int main(void)
{
	return 0;
}
