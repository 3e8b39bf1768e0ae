/*
 * LD_PRELOAD shim for the benchmark: counts the frames a wlroots 0.15
 * compositor presents, by wrapping wlr_output_send_present (every backend
 * calls it once per committed frame, through libwlroots' PLT, so the wrapper
 * sees calls from inside the library too). The count lives in the 8-byte file
 * named by $TINCT_BENCH_PRESENTED, mapped shared, so the benchmark reads it
 * at any time without signalling the compositor. Without that variable it
 * only passes calls through.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wlr/interfaces/wlr_output.h>
#include <wlr/types/wlr_output.h>

typedef void (*send_present_fn)(struct wlr_output *, struct wlr_output_event_present *);

static volatile uint64_t *counter;
static send_present_fn real_send_present;
static int mapped; // 0: not tried, 1: mapped, -1: no counter

static void map_counter(void)
{
	const char *path = getenv("TINCT_BENCH_PRESENTED");
	int fd = path != NULL ? open(path, O_RDWR | O_CLOEXEC) : -1;
	mapped = -1;
	if (fd < 0) {
		return;
	}
	void *p = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p != MAP_FAILED) {
		counter = p;
		mapped = 1;
	}
}

void wlr_output_send_present(struct wlr_output *output, struct wlr_output_event_present *event)
{
	if (real_send_present == NULL) {
		real_send_present = (send_present_fn)dlsym(RTLD_NEXT, "wlr_output_send_present");
		if (real_send_present == NULL) {
			abort();
		}
	}
	if (mapped == 0) {
		map_counter();
	}
	/* A NULL event means "presented, no details" (wlroots 0.15). */
	if (mapped == 1 && (event == NULL || event->presented)) {
		(*counter)++;
	}
	real_send_present(output, event);
}
