/*
 * Argument vectors for VMM children: a growable, NULL-terminated array of
 * owned strings, and a shell-like splitter with {placeholder} expansion for
 * the `command` backend and the `extra-args` key. No shell is ever involved:
 * the result goes straight to execve().
 */
#ifndef TINCT_VMM_ARGV_H
#define TINCT_VMM_ARGV_H

#include <stdbool.h>
#include <stddef.h>

struct tinct_argv {
	char **argv; // NULL-terminated once anything was pushed
	size_t len;
	size_t cap;
	// Set when an allocation failed; pushes after that are ignored, so
	// builders check once at the end instead of after every push.
	bool failed;
};

void argv_init(struct tinct_argv *argv);
/** Frees every string and the array; the vector is empty afterwards. */
void argv_finish(struct tinct_argv *argv);
bool argv_push(struct tinct_argv *argv, const char *arg);
bool argv_pushf(struct tinct_argv *argv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Logs `what: argv...` at debug level (truncated to 4 KiB). */
void argv_log(const char *what, const struct tinct_argv *argv);

/**
 * Looks up a placeholder: returns its value (borrowed) or NULL when the name
 * is unknown.
 */
typedef const char *(*tinct_argv_lookup_func)(void *data, const char *name);

/**
 * Splits `line` into words and appends them to `argv`.
 *
 * Words are separated by blanks. 'single quotes' keep everything literally;
 * "double quotes" keep blanks and understand \" and \\; a backslash outside
 * quotes escapes the next character. `{name}` is replaced by lookup(name)
 * outside single quotes; the value never splits into several words. `{{`
 * is a literal `{`. When `lookup` is NULL, braces are literal.
 *
 * Returns false with `*error` set to a static message on unbalanced quotes,
 * a trailing backslash, an unterminated or unknown placeholder, or ENOMEM.
 * `argv` may then hold some of the words.
 */
bool argv_split(struct tinct_argv *argv, const char *line, tinct_argv_lookup_func lookup,
	void *data, const char **error);

#endif
