/*
 * The tinct command line: parses options, loads the configuration, runs the
 * server. main.c only calls tinct_main(); tests call it the same way.
 */
#ifndef TINCT_TINCT_H
#define TINCT_TINCT_H

int tinct_main(int argc, char *argv[]);

#endif
