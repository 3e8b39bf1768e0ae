/* tinct: everything lives in the library; see tinct.c. */
#include "compositor/tinct.h"

int main(int argc, char *argv[])
{
	return tinct_main(argc, argv);
}
