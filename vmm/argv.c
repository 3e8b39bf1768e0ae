/*
 * Argument vectors and the shell-like splitter (see argv.h). Strings grow
 * through a small byte buffer so a placeholder value can be spliced into
 * the middle of a word.
 */
#include "vmm/argv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/util/log.h>

void argv_init(struct tinct_argv *argv)
{
	*argv = (struct tinct_argv){0};
}

void argv_finish(struct tinct_argv *argv)
{
	for (size_t i = 0; i < argv->len; i++) {
		free(argv->argv[i]);
	}
	free(argv->argv);
	argv_init(argv);
}

static bool argv_take(struct tinct_argv *argv, char *arg)
{
	if (argv->failed || arg == NULL) {
		argv->failed = true;
		free(arg);
		return false;
	}
	// Keep room for the terminating NULL at all times.
	if (argv->len + 2 > argv->cap) {
		size_t cap = argv->cap ? argv->cap * 2 : 16;
		char **grown = realloc(argv->argv, cap * sizeof(*grown));
		if (grown == NULL) {
			argv->failed = true;
			free(arg);
			return false;
		}
		argv->argv = grown;
		argv->cap = cap;
	}
	argv->argv[argv->len++] = arg;
	argv->argv[argv->len] = NULL;
	return true;
}

bool argv_push(struct tinct_argv *argv, const char *arg)
{
	return argv_take(argv, strdup(arg));
}

bool argv_pushf(struct tinct_argv *argv, const char *fmt, ...)
{
	char *arg = NULL;
	va_list args;
	va_start(args, fmt);
	int n = vasprintf(&arg, fmt, args);
	va_end(args);
	return argv_take(argv, n < 0 ? NULL : arg);
}

struct word {
	char *buf;
	size_t len;
	size_t cap;
	bool started; // "" is a word even though it is empty
};

static bool word_append(struct word *word, const char *s, size_t n)
{
	if (word->len + n + 1 > word->cap) {
		size_t cap = word->cap ? word->cap : 32;
		while (word->len + n + 1 > cap) {
			cap *= 2;
		}
		char *grown = realloc(word->buf, cap);
		if (grown == NULL) {
			return false;
		}
		word->buf = grown;
		word->cap = cap;
	}
	memcpy(word->buf + word->len, s, n);
	word->len += n;
	word->buf[word->len] = '\0';
	word->started = true;
	return true;
}

static bool word_flush(struct word *word, struct tinct_argv *argv)
{
	if (!word->started) {
		return true;
	}
	if (word->buf == NULL && !word_append(word, "", 0)) {
		return false;
	}
	bool ok = argv_take(argv, word->buf);
	*word = (struct word){0};
	return ok;
}

// Expands the placeholder starting at `*p` (which points at '{').
static bool expand(struct word *word, const char **p, tinct_argv_lookup_func lookup, void *data,
	const char **error)
{
	const char *start = *p + 1;
	const char *end = strchr(start, '}');
	if (end == NULL) {
		*error = "unterminated placeholder";
		return false;
	}
	char name[64];
	size_t n = (size_t)(end - start);
	if (n == 0 || n >= sizeof(name)) {
		*error = "unknown placeholder";
		return false;
	}
	memcpy(name, start, n);
	name[n] = '\0';
	const char *value = lookup(data, name);
	if (value == NULL) {
		*error = "unknown placeholder";
		return false;
	}
	if (!word_append(word, value, strlen(value))) {
		*error = "out of memory";
		return false;
	}
	*p = end + 1;
	return true;
}

bool argv_split(struct tinct_argv *argv, const char *line, tinct_argv_lookup_func lookup,
	void *data, const char **error)
{
	struct word word = {0};
	enum { BARE, SINGLE, DOUBLE } state = BARE;
	const char *p = line;
	*error = "out of memory";

	while (*p != '\0') {
		char c = *p;
		if (lookup != NULL && c == '{' && state != SINGLE) {
			if (p[1] == '{') {
				if (!word_append(&word, "{", 1)) {
					goto fail;
				}
				p += 2;
				continue;
			}
			if (!expand(&word, &p, lookup, data, error)) {
				goto fail;
			}
			continue;
		}
		switch (state) {
		case BARE:
			if (c == ' ' || c == '\t' || c == '\n') {
				if (!word_flush(&word, argv)) {
					goto fail;
				}
			} else if (c == '\'') {
				state = SINGLE;
				word.started = true;
			} else if (c == '"') {
				state = DOUBLE;
				word.started = true;
			} else if (c == '\\') {
				if (p[1] == '\0') {
					*error = "trailing backslash";
					goto fail;
				}
				p++;
				if (!word_append(&word, p, 1)) {
					goto fail;
				}
			} else if (!word_append(&word, p, 1)) {
				goto fail;
			}
			break;
		case SINGLE:
			if (c == '\'') {
				state = BARE;
			} else if (!word_append(&word, p, 1)) {
				goto fail;
			}
			break;
		case DOUBLE:
			if (c == '"') {
				state = BARE;
			} else if (c == '\\' && (p[1] == '"' || p[1] == '\\')) {
				p++;
				if (!word_append(&word, p, 1)) {
					goto fail;
				}
			} else if (!word_append(&word, p, 1)) {
				goto fail;
			}
			break;
		}
		p++;
	}
	if (state != BARE) {
		*error = "unterminated quote";
		goto fail;
	}
	if (!word_flush(&word, argv)) {
		goto fail;
	}
	*error = NULL;
	return true;

fail:
	free(word.buf);
	return false;
}

void argv_log(const char *what, const struct tinct_argv *argv)
{
	char line[4096] = "";
	size_t off = 0;
	for (size_t i = 0; i < argv->len && off < sizeof(line); i++) {
		int n = snprintf(
			line + off, sizeof(line) - off, "%s%s", i ? " " : "", argv->argv[i]);
		if (n < 0) {
			break;
		}
		off += (size_t)n;
	}
	wlr_log(WLR_DEBUG, "%s: %s", what, line);
}
