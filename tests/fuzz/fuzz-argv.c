/*
 * Fuzzes the command-line splitter with {placeholder} expansion
 * (vmm/argv.h). Input: LINE NUL VALUE-A NUL VALUE-B; {a} and {b} expand to
 * the values. Properties: whatever the values hold (blanks, quotes,
 * backslashes, braces, nothing at all), the line splits into the same
 * number of words, with the same success or error, as with plain values;
 * a value is never expanded again; no word is NULL.
 */
#include <string.h>

#include "vmm/argv.h"
#include "fuzz.h"

struct values {
	const char *a, *b;
};

static const char *lookup(void *data, const char *name)
{
	struct values *values = data;
	if (strcmp(name, "a") == 0) {
		return values->a;
	}
	if (strcmp(name, "b") == 0) {
		return values->b;
	}
	return NULL;
}

struct result {
	bool ok;
	const char *error;
	size_t words;
};

static struct result split(const char *line, struct values *values, struct tinct_argv *argv)
{
	argv_init(argv);
	struct result result = {0};
	result.ok = argv_split(argv, line, lookup, values, &result.error);
	FUZZ_CHECK(!argv->failed, "no allocation failed");
	result.words = argv->len;
	for (size_t i = 0; i < argv->len; i++) {
		FUZZ_CHECK(argv->argv[i] != NULL, "no NULL word");
	}
	FUZZ_CHECK(argv->len == 0 || argv->argv[argv->len] == NULL, "NULL-terminated");
	FUZZ_CHECK(result.ok == (result.error == NULL), "an error exactly on failure");
	return result;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// Three NUL-terminated strings; missing ones are empty.
	char *buf = calloc(size + 3, 1);
	FUZZ_CHECK(buf != NULL, "allocation");
	memcpy(buf, data, size);
	const char *line = buf;
	const char *a = line + strlen(line) + 1;
	const char *b = a + strlen(a) + 1; // at most buf + size + 2, a NUL

	struct values plain = {"x", "y"};
	struct values hostile = {a, b};
	struct values empty = {"", ""};
	struct tinct_argv ref_argv, hostile_argv, empty_argv;
	struct result ref = split(line, &plain, &ref_argv);
	struct result got = split(line, &hostile, &hostile_argv);
	struct result none = split(line, &empty, &empty_argv);
	FUZZ_CHECK(got.ok == ref.ok && none.ok == ref.ok, "values do not change success");
	if (ref.ok) {
		FUZZ_CHECK(got.words == ref.words, "a value never changes the word count");
		FUZZ_CHECK(none.words == ref.words, "an empty value still makes its word");
		// Where the plain values left a word unchanged, so must any other value.
		for (size_t i = 0; i < ref.words; i++) {
			if (strchr(ref_argv.argv[i], 'x') == NULL &&
				strchr(ref_argv.argv[i], 'y') == NULL) {
				FUZZ_CHECK(strcmp(ref_argv.argv[i], hostile_argv.argv[i]) == 0,
					"words without placeholders are untouched");
			}
		}
	} else {
		FUZZ_CHECK(strcmp(got.error, ref.error) == 0, "values do not change the error");
	}
	argv_finish(&ref_argv);
	argv_finish(&hostile_argv);
	argv_finish(&empty_argv);
	free(buf);
	return 0;
}
