/* false: does nothing, unsuccessfully (exit status 1), for scripts and tests of || and $?. */
int main(void)
{
	return 1;
}
