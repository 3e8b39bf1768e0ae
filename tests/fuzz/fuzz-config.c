/*
 * Fuzzes tinct.ini parsing (compositor/config.h, config_load) with the
 * input as the file, on top of the defaults. Properties: the returned count
 * is the number of lines written to the error stream, each naming the file;
 * every value is within the range its key accepts, whatever was rejected.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compositor/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("tinct.ini", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0, "memfd_create");
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size, "write");
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	struct tinct_config config;
	FUZZ_CHECK(config_init(&config), "config_init");
	char *errors_text = NULL;
	size_t errors_len = 0;
	FILE *errors = open_memstream(&errors_text, &errors_len);
	FUZZ_CHECK(errors != NULL, "open_memstream");
	int count = config_load(&config, path, errors);
	fclose(errors);
	close(fd);

	FUZZ_CHECK(count >= 0, "the file opens");
	int lines = 0;
	for (const char *line = errors_text; *line != '\0'; lines++) {
		FUZZ_CHECK(strncmp(line, path, strlen(path)) == 0, "errors name the file");
		const char *end = strchr(line, '\n');
		FUZZ_CHECK(end != NULL, "errors are whole lines");
		line = end + 1;
	}
	FUZZ_CHECK(lines == count, "one line per error");

	FUZZ_CHECK(config.keyboard.repeat_rate >= 0 && config.keyboard.repeat_rate <= 1000,
		"repeat-rate in range");
	FUZZ_CHECK(config.keyboard.repeat_delay >= 1 && config.keyboard.repeat_delay <= 10000,
		"repeat-delay in range");
	FUZZ_CHECK(config.cursor.size >= 8 && config.cursor.size <= 512, "cursor size in range");
	FUZZ_CHECK(config.appearance.border_width >= 1 && config.appearance.border_width <= 32,
		"border-width in range");
	FUZZ_CHECK(config.appearance.title_height >= 12 && config.appearance.title_height <= 128,
		"title-height in range");
	FUZZ_CHECK(config.pointer.accel_speed >= -1 && config.pointer.accel_speed <= 1,
		"accel-speed in range");
	struct tinct_output_config *oc;
	wl_list_for_each (oc, &config.outputs, link) {
		FUZZ_CHECK(oc->name != NULL, "outputs are named");
		FUZZ_CHECK(oc->width >= 0 && oc->width <= 16384 && oc->height >= 0 &&
				   oc->height <= 16384,
			"mode in range");
		FUZZ_CHECK(oc->refresh_mhz >= 0 && oc->refresh_mhz <= 1000000, "refresh in range");
		FUZZ_CHECK(oc->scale == 0 || (oc->scale >= 0.25 && oc->scale <= 10), "scale");
		FUZZ_CHECK(!oc->has_position || (oc->x >= -1000000 && oc->x <= 1000000 &&
							oc->y >= -1000000 && oc->y <= 1000000),
			"position in range");
	}
	config_finish(&config);
	free(errors_text);
	return 0;
}
