/*
 * The TAP producer of every C test: one `ok N - description` line per check,
 * and on failure where it failed (file:line) and what was compared, so a
 * failing test names its own line. meson reads the output (protocol: 'tap').
 *
 *   check_plan(n);            optional: "1..n" up front
 *   ok(cond, "fmt", ...);     passes when cond is true; returns cond
 *   is_str(got, want, "fmt", ...);   strings (NULL equals only NULL)
 *   is_int(got, want, "fmt", ...);   integers, compared as long long
 *   return check_done();      the plan if none was given; exit status
 *
 * Header-only and static: each test program is one translation unit.
 */
#ifndef TINCT_TESTS_CHECK_H
#define TINCT_TESTS_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int check_count;
static int check_failed;
static int check_planned = -1;

#define ok(cond, ...) check_ok_at(__FILE__, __LINE__, (cond), __VA_ARGS__)
#define is_str(got, want, ...) check_str_at(__FILE__, __LINE__, (got), (want), __VA_ARGS__)
#define is_int(got, want, ...)                                                                     \
	check_int_at(__FILE__, __LINE__, (long long)(got), (long long)(want), __VA_ARGS__)

static inline void check_plan(int n)
{
	check_planned = n;
	printf("1..%d\n", n);
}

static inline bool check_vreport(
	const char *file, int line, bool cond, const char *fmt, va_list args)
{
	check_count++;
	printf("%s %d - ", cond ? "ok" : "not ok", check_count);
	vprintf(fmt, args);
	printf("\n");
	if (!cond) {
		check_failed++;
		printf("#   at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

static inline bool check_ok_at(const char *file, int line, bool cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline bool check_ok_at(const char *file, int line, bool cond, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	check_vreport(file, line, cond, fmt, args);
	va_end(args);
	return cond;
}

static inline bool check_str_at(const char *file, int line, const char *got, const char *want,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static inline bool check_str_at(
	const char *file, int line, const char *got, const char *want, const char *fmt, ...)
{
	bool cond = (got == NULL && want == NULL) ||
		    (got != NULL && want != NULL && strcmp(got, want) == 0);
	va_list args;
	va_start(args, fmt);
	check_vreport(file, line, cond, fmt, args);
	va_end(args);
	if (!cond) {
		printf("#   got:  %s\n#   want: %s\n", got ? got : "(null)",
			want ? want : "(null)");
	}
	return cond;
}

static inline bool check_int_at(const char *file, int line, long long got, long long want,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static inline bool check_int_at(
	const char *file, int line, long long got, long long want, const char *fmt, ...)
{
	bool cond = got == want;
	va_list args;
	va_start(args, fmt);
	check_vreport(file, line, cond, fmt, args);
	va_end(args);
	if (!cond) {
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	}
	return cond;
}

/* Prints the plan (unless check_plan gave it); 0 when every check passed. */
static inline int check_done(void)
{
	if (check_planned < 0) {
		printf("1..%d\n", check_count);
	} else if (check_planned != check_count) {
		printf("# planned %d checks, ran %d\n", check_planned, check_count);
		return 1;
	}
	return check_failed > 0 ? 1 : 0;
}

#endif
