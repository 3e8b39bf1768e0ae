/*
 * Runs a fuzz harness over saved inputs, without libFuzzer: every file
 * named on the command line, and every file in each directory named. So
 * `meson test --suite fuzz` replays each seed corpus with any compiler and
 * in the sanitizer build, in seconds. Exits 1 when nothing was found (a
 * corpus that went missing must not pass silently); a broken property
 * aborts in the harness.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static bool run_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	if (file == NULL) {
		perror(path);
		return false;
	}
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *grown = realloc(data, cap);
			if (grown == NULL) {
				free(data);
				fclose(file);
				return false;
			}
			data = grown;
		}
		size_t n = fread(data + len, 1, cap - len, file);
		if (n == 0) {
			break;
		}
		len += n;
	}
	fclose(file);
	// A private copy of exactly len bytes, so ASan sees reads past the end.
	uint8_t *exact = malloc(len ? len : 1);
	if (exact == NULL) {
		free(data);
		return false;
	}
	memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return true;
}

int main(int argc, char *argv[])
{
	size_t count = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			count += run_file(argv[i]);
			continue;
		}
		DIR *dir = opendir(argv[i]);
		if (dir == NULL) {
			perror(argv[i]);
			return 1;
		}
		struct dirent *entry;
		while ((entry = readdir(dir)) != NULL) {
			if (entry->d_name[0] == '.') {
				continue;
			}
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], entry->d_name);
			count += run_file(path);
		}
		closedir(dir);
	}
	printf("replayed %zu inputs\n", count);
	return count > 0 ? 0 : 1;
}
