/*
 * Shared by the fuzz harnesses: each defines LLVMFuzzerTestOneInput and
 * checks properties of what the code under test returns, not only that it
 * does not crash. A broken property aborts, which libFuzzer and the corpus
 * replay (replay.c) both report with the input.
 */
#ifndef TINCT_FUZZ_H
#define TINCT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, what)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property broken: %s (%s)\n", __FILE__, __LINE__,   \
				what, #cond);                                                      \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
