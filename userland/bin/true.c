/* true: does nothing, successfully (spawn benchmarks and scripts use it). */
int main(void)
{
	return 0;
}
