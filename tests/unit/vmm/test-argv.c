/*
 * Unit tests of the shell-like splitter and placeholder expansion used
 * by the command backend and extra-args.
 */
#include <stdlib.h>

#include "vmm/argv.h"
#include "check.h"

static const char *lookup(void *data, const char *name)
{
	if (strcmp(name, "kernel") == 0) {
		return "/images/vm linuz";
	}
	if (strcmp(name, "cpus") == 0) {
		return "2";
	}
	return NULL;
}

// Splits and joins the words with '|' for easy comparison.
static const char *split(const char *line, const char **error)
{
	static char out[1024];
	struct tinct_argv argv;
	argv_init(&argv);
	*error = NULL;
	out[0] = '\0';
	if (argv_split(&argv, line, lookup, NULL, error)) {
		for (size_t i = 0; i < argv.len; i++) {
			strcat(out, i ? "|" : "");
			strcat(out, argv.argv[i]);
		}
		if (argv.argv != NULL && argv.argv[argv.len] != NULL) {
			strcpy(out, "NOT NULL-TERMINATED");
		}
	}
	argv_finish(&argv);
	return out;
}

static void check_split(const char *line, const char *want, const char *what)
{
	const char *error;
	const char *got = split(line, &error);
	is_str(error == NULL ? got : error, want, "%s", what);
}

int main(void)
{
	check_split("a b  c", "a|b|c", "blanks separate words");
	check_split("  \ta\t", "a", "leading and trailing blanks");
	check_split("'a b' \"c d\"", "a b|c d", "quotes keep blanks");
	check_split("x'y'\"z\"", "xyz", "quotes join");
	check_split("'' \"\"", "|", "empty quotes are words");
	check_split("a\\ b", "a b", "backslash escapes a blank");
	check_split("\"a\\\"b\\\\c\"", "a\"b\\c", "escapes in double quotes");
	check_split("'a\\b'", "a\\b", "single quotes are literal");
	check_split("-kernel {kernel} -smp {cpus}", "-kernel|/images/vm linuz|-smp|2",
		"placeholder never splits");
	check_split("--x={cpus},y", "--x=2,y", "placeholder inside a word");
	check_split("\"{cpus}\" '{cpus}'", "2|{cpus}", "no expansion in single quotes");
	check_split("{{literal}", "{literal}", "{{ is a brace");
	check_split("{nope}", "unknown placeholder", "unknown placeholder");
	check_split("{cpus", "unterminated placeholder", "unterminated placeholder");
	check_split("'open", "unterminated quote", "unterminated single quote");
	check_split("\"open", "unterminated quote", "unterminated double quote");
	check_split("end\\", "trailing backslash", "trailing backslash");
	check_split("", "", "empty line");

	struct tinct_argv argv;
	argv_init(&argv);
	const char *error;
	ok(argv_split(&argv, "{x}", NULL, NULL, &error) && argv.len == 1 &&
			strcmp(argv.argv[0], "{x}") == 0,
		"braces are literal without a lookup");
	for (int i = 0; i < 100; i++) {
		argv_pushf(&argv, "arg%d", i);
	}
	ok(argv.len == 101 && strcmp(argv.argv[100], "arg99") == 0 && argv.argv[101] == NULL,
		"vector grows");
	argv_finish(&argv);
	ok(argv.len == 0 && argv.argv == NULL, "finish empties");
	return check_done();
}
