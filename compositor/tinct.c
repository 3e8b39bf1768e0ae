/*
 * Command line handling for tinct: -c FILE, -s CMD, -d, --validate,
 * --version, --help.
 */
#include "compositor/tinct.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <wlr/util/log.h>

#include "compositor/config.h"
#include "compositor/server.h"
#include "compositor/spawn.h"
#include "vmm/vm-def.h"
#include "vmm/vm.h"
#include "compositor/vms.h"

static void report_error(void *data, const char *message)
{
	fprintf(stderr, "%s\n", message);
}

static const char usage[] =
	"Usage: tinct [options]\n"
	"\n"
	"A Wayland compositor for a desktop where every application runs in its own VM.\n"
	"\n"
	"  -c, --config FILE   read FILE instead of $XDG_CONFIG_HOME/tinct/tinct.ini\n"
	"                      or /etc/xdg/tinct/tinct.ini\n"
	"  -s, --startup CMD   run CMD (with /bin/sh -c) once the session is up\n"
	"      --vms DIR       read VM definitions (NAME.ini) from DIR first, then\n"
	"                      $XDG_CONFIG_HOME/tinct/vms and /etc/xdg/tinct/vms\n"
	"  -d, --debug         log debug messages\n"
	"      --validate      check the configuration and the VM definitions, print\n"
	"                      every error, exit 0 if there is none\n"
	"  -v, --version       print the version and exit\n"
	"  -h, --help          print this help and exit\n";

/*
 * Parses every VM definition on the search path and checks it against the
 * configuration (colours, keymap, vm-start bindings), reporting errors.
 */
static int validate_vms(struct tinct_config *config, const char *vms_dir, int *config_errors)
{
	struct wl_list defs;
	wl_list_init(&defs);
	char **dirs = vm_def_search_dirs(vms_dir);
	char *images = vm_def_images_dir();
	int errors = 1;
	if (dirs != NULL && images != NULL) {
		errors = vm_def_load_dirs(
			&defs, (const char *const *)dirs, images, report_error, NULL);
	}
	size_t count = (size_t)wl_list_length(&defs), i = 0;
	const char **names = calloc(count + 1, sizeof(*names));
	struct tinct_vm_def *def, *tmp;
	wl_list_for_each (def, &defs, link) {
		if (names != NULL) {
			names[i++] = def->name;
		}
	}
	*config_errors += config_check(config, names, i, stderr);
	free(names);
	wl_list_for_each_safe (def, tmp, &defs, link) {
		if (!vms_check_def(config, def, report_error, NULL)) {
			errors++;
		} else {
			printf("%s: OK (VM %s)\n", def->path, def->name);
		}
		vm_def_destroy(def); /* also unlinks it */
	}
	vm_def_free_dirs(dirs);
	free(images);
	return errors;
}

int tinct_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"config", required_argument, NULL, 'c'},
		{"startup", required_argument, NULL, 's'},
		{"debug", no_argument, NULL, 'd'},
		{"vms", required_argument, NULL, 'm'},
		{"validate", no_argument, NULL, 'V'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *config_path = NULL, *startup = NULL, *vms_dir = NULL;
	bool debug = false, validate = false;
	int opt;
	while ((opt = getopt_long(argc, argv, "c:s:dvh", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 's':
			startup = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case 'm':
			vms_dir = optarg;
			break;
		case 'V':
			validate = true;
			break;
		case 'v':
			printf("tinct %s\n", TINCT_VERSION);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tinct: unexpected argument \"%s\"\n", argv[optind]);
		fputs(usage, stderr);
		return 2;
	}

	wlr_log_init(debug ? WLR_DEBUG : WLR_INFO, NULL);

	int status = 1;
	struct tinct_config config;
	if (!config_init(&config)) {
		fprintf(stderr, "tinct: out of memory\n");
		return 1;
	}
	char *found = config_path == NULL ? config_find_default() : NULL;
	const char *path = config_path != NULL ? config_path : found;
	int errors = 0;
	if (path != NULL) {
		errors = config_load(&config, path, stderr);
		if (errors < 0 && (config_path != NULL || validate)) {
			goto out;
		}
	}
	if (validate) {
		int vm_errors = validate_vms(&config, vms_dir, &errors);
		if (errors == 0) {
			printf("%s: OK\n", path != NULL ? path : "built-in defaults");
		}
		status = errors == 0 && vm_errors == 0 ? 0 : 1;
		goto out;
	}
	if (errors > 0) {
		wlr_log(WLR_ERROR, "%s: %d error(s); those lines were skipped", path, errors);
	}

	/* A dead client socket must never kill the compositor. */
	signal(SIGPIPE, SIG_IGN);

	struct tinct_server server = {0};
	if (!server_init(&server, &config)) {
		goto out;
	}
	if (!server_start(&server)) {
		server_fini(&server);
		goto out;
	}
	int vm_errors = server_load_vms(&server, vms_dir, stderr);
	if (vm_errors > 0) {
		wlr_log(WLR_ERROR, "%d VM definition error(s); the other VMs are available",
			vm_errors);
	}
	server_autostart_vms(&server);
	if (startup != NULL) {
		spawn_command(&server, startup);
	}
	status = server_run(&server);
	server_fini(&server);
	wlr_log(WLR_INFO, "tinct exited cleanly");

out:
	config_finish(&config);
	free(found);
	return status;
}
