/*
 * A minimal TAP producer for the vmm unit tests: `ok N - description`
 * lines and a plan at the end, exit status 1 when anything failed.
 */
#ifndef TINCT_TESTS_CHECK_H
#define TINCT_TESTS_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int check_count;
static int check_failed;

static inline bool check(bool ok, const char *what)
{
	check_count++;
	if (!ok) {
		check_failed++;
	}
	printf("%s %d - %s\n", ok ? "ok" : "not ok", check_count, what);
	return ok;
}

static inline bool check_str(const char *got, const char *want, const char *what)
{
	bool ok = (got == NULL && want == NULL) ||
		  (got != NULL && want != NULL && strcmp(got, want) == 0);
	if (!check(ok, what)) {
		printf("#   got:  %s\n#   want: %s\n", got ? got : "(null)",
			want ? want : "(null)");
	}
	return ok;
}

static inline int check_done(void)
{
	printf("1..%d\n", check_count);
	return check_failed > 0 ? 1 : 0;
}

#endif
