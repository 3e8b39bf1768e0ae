/*
 * A stand-in VMM for the launch benchmark: the first thing it does is write
 * the CLOCK_REALTIME time it runs at (ns) to the file named by argv[1], then
 * it waits to be stopped. The time between a start request and this stamp
 * is tinct's launch latency.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (argc < 2) {
		return 2;
	}
	FILE *f = fopen(argv[1], "a");
	if (f == NULL) {
		return 1;
	}
	fprintf(f, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	fclose(f);
	for (;;) {
		pause();
	}
}
