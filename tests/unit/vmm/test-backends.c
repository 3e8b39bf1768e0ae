/*
 * Unit tests of every backend's command line, checked word for word
 * against the documented syntax of QEMU 7.2, crosvm and cloud-hypervisor,
 * plus the graceful-stop helpers, the kernel command line and the
 * TINCT_KVM override of the KVM probe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <wayland-server-core.h>

#include "vmm/argv.h"
#include "vmm/backend.h"
#include "vmm/jail.h"
#include "vmm/kvm.h"
#include "vmm/snapshot.h"
#include "check.h"
#include "vmm/vm-def.h"
#include "vmm/waypipe.h"

static struct tinct_vm_def *make_def(enum tinct_vmm_kind vmm)
{
	struct tinct_vm_def *def = vm_def_create("appvm-lynx");
	def->vmm = vmm;
	def->kernel = strdup("/img/vmlinuz");
	def->initrd = strdup("/img/appvm-lynx.img");
	def->memory_mib = 512;
	def->cpus = 2;
	return def;
}

static void add_disks(struct tinct_vm_def *def)
{
	def->disks = calloc(2, sizeof(*def->disks));
	def->disks[0] = (struct tinct_vm_disk){.path = strdup("/img/root,1.img")};
	def->disks[1] = (struct tinct_vm_disk){.path = strdup("/var/home.img"), .writable = true};
	def->disks_len = 2;
}

static struct tinct_vmm_launch make_launch(const struct tinct_vm_def *def, const char *binary)
{
	return (struct tinct_vmm_launch){
		.def = def,
		.binary = binary,
		.runtime_dir = "/run/t/appvm-lynx",
		.serial_socket = "/run/t/appvm-lynx/serial",
		.api_socket = "/run/t/appvm-lynx/api",
		.cmdline = "console=ttyS0 tinct.name=appvm-lynx",
		.tap_fd = -1,
	};
}

// Joins argv with newlines so a mismatch shows the word that differs.
static char *join(struct tinct_argv *argv)
{
	static char out[4096];
	out[0] = '\0';
	for (size_t i = 0; i < argv->len; i++) {
		strcat(out, argv->argv[i]);
		strcat(out, "\n");
	}
	return out;
}

static void check_argv(const struct tinct_vmm_backend *backend,
	const struct tinct_vmm_launch *launch, bool stop, const char *want, const char *what)
{
	struct tinct_argv argv;
	argv_init(&argv);
	bool built =
		stop ? backend->build_stop_argv(launch, &argv) : backend->build_argv(launch, &argv);
	ok(built, "%s", what);
	is_str(join(&argv), want, "%s", what);
	argv_finish(&argv);
}

static void test_qemu(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_QEMU);
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/qemu-system-x86_64");
	check_argv(&backend_qemu, &launch, false,
		"/usr/bin/qemu-system-x86_64\n-nodefaults\n-no-user-config\n-display\nnone\n"
		"-accel\ntcg\n-cpu\nmax\n-m\n512\n-smp\n2\n-no-reboot\n"
		"-action\npanic=exit-failure\n-device\npvpanic-pci\n"
		"-kernel\n/img/vmlinuz\n-initrd\n/img/appvm-lynx.img\n"
		"-append\nconsole=ttyS0 tinct.name=appvm-lynx\n"
		"-chardev\nsocket,id=serial0,path=/run/t/appvm-lynx/serial,server=on,wait=off\n"
		"-serial\nchardev:serial0\n"
		"-chardev\nsocket,id=qmp,path=/run/t/appvm-lynx/api,server=on,wait=off\n"
		"-mon\nchardev=qmp,mode=control\n",
		"qemu, TCG, minimal");

	add_disks(def);
	free(def->extra_args);
	def->extra_args = strdup("-device 'virtio-rng-pci' -S");
	launch.kvm = true;
	launch.tap_fd = 3;
	check_argv(&backend_qemu, &launch, false,
		"/usr/bin/qemu-system-x86_64\n-nodefaults\n-no-user-config\n-display\nnone\n"
		"-accel\nkvm\n-cpu\nhost\n-m\n512\n-smp\n2\n-no-reboot\n"
		"-action\npanic=exit-failure\n-device\npvpanic-pci\n"
		"-kernel\n/img/vmlinuz\n-initrd\n/img/appvm-lynx.img\n"
		"-append\nconsole=ttyS0 tinct.name=appvm-lynx\n"
		"-chardev\nsocket,id=serial0,path=/run/t/appvm-lynx/serial,server=on,wait=off\n"
		"-serial\nchardev:serial0\n"
		"-chardev\nsocket,id=qmp,path=/run/t/appvm-lynx/api,server=on,wait=off\n"
		"-mon\nchardev=qmp,mode=control\n"
		"-drive\nfile=/img/root,,1.img,format=raw,if=virtio,readonly=on\n"
		"-drive\nfile=/var/home.img,format=raw,if=virtio\n"
		"-netdev\ntap,id=net0,fd=3\n-device\nvirtio-net-pci,netdev=net0\n"
		"-device\nvirtio-rng-pci\n-S\n",
		"qemu, KVM, disks (commas doubled), TAP, extra args");
	ok(backend_qemu.stop != NULL && backend_qemu.stop_repeat != NULL &&
			!backend_qemu.serial_vmm_connects,
		"qemu stops through QMP and listens on the serial");
	vm_def_destroy(def);
}

/*
 * Networks through a network VM (vmm/network.h): an app VM's one link and a
 * network VM's upstream and two ports, as each VMM spells them.
 */
static const struct tinct_vmm_net_link app_link = {
	.id = "link0",
	.fd = 4,
	.vhost_user = "/run/t/appvm-lynx/net.vhost",
	.mac = "02:74:6e:01:00:01",
};
static const struct tinct_vmm_net_link netvm_ports[] = {
	{"port0", 3, "/run/t/netvm/port-0.vhost", "02:74:6e:00:00:00"},
	{"port1", 4, "/run/t/netvm/port-1.vhost", "02:74:6e:00:00:01"},
};

#define QEMU_HEAD(name, initrd)                                                                    \
	"/usr/bin/qemu-system-x86_64\n-nodefaults\n-no-user-config\n-display\nnone\n"              \
	"-accel\ntcg\n-cpu\nmax\n-m\n512\n-smp\n2\n-no-reboot\n"                                   \
	"-action\npanic=exit-failure\n-device\npvpanic-pci\n"                                      \
	"-kernel\n/img/vmlinuz\n-initrd\n/img/" initrd "\n"                                        \
	"-append\nconsole=ttyS0 tinct.name=" name "\n"                                             \
	"-chardev\nsocket,id=serial0,path=/run/t/appvm-lynx/serial,server=on,wait=off\n"           \
	"-serial\nchardev:serial0\n"                                                               \
	"-chardev\nsocket,id=qmp,path=/run/t/appvm-lynx/api,server=on,wait=off\n"                  \
	"-mon\nchardev=qmp,mode=control\n"

static void test_network(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_QEMU);
	def->network = TINCT_VM_NETWORK_VM;
	def->network_vm = strdup("netvm");
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/qemu-system-x86_64");
	launch.net_links = &app_link;
	launch.net_links_len = 1;
	check_argv(&backend_qemu, &launch, false,
		QEMU_HEAD("appvm-lynx", "appvm-lynx.img") "-netdev\ndgram,id=link0,local.type=fd,"
							  "local.str=4\n"
							  "-device\nvirtio-net-pci,netdev=link0,"
							  "mac=02:74:6e:01:00:01\n",
		"qemu app VM: a dgram link to its port");

	def->vmm = TINCT_VMM_CROSVM;
	launch.binary = "/usr/bin/crosvm";
	check_argv(&backend_crosvm, &launch, false,
		"/usr/bin/crosvm\nrun\n--mem\n512\n--cpus\n2\n--initrd\n/img/appvm-lynx.img\n"
		"--params\nconsole=ttyS0 tinct.name=appvm-lynx\n"
		"--serial\ntype=unix-stream,path=/run/t/appvm-lynx/serial,num=1,console=true,"
		"input-unix-stream=true\n"
		"--socket\n/run/t/appvm-lynx/api\n"
		"--vhost-user\nnet,socket=/run/t/appvm-lynx/net.vhost\n/img/vmlinuz\n",
		"crosvm app VM: a vhost-user-net front end");
	def->vmm = TINCT_VMM_CLOUD_HYPERVISOR;
	launch.binary = "/usr/bin/cloud-hypervisor";
	check_argv(&backend_cloud_hypervisor, &launch, false,
		"/usr/bin/cloud-hypervisor\n--api-socket\npath=/run/t/appvm-lynx/api\n"
		"--kernel\n/img/vmlinuz\n--initramfs\n/img/appvm-lynx.img\n"
		"--cmdline\nconsole=ttyS0 tinct.name=appvm-lynx\n--memory\nsize=512M\n"
		"--cpus\nboot=2\n--serial\nsocket=/run/t/appvm-lynx/serial\n--console\noff\n"
		"--net\nvhost_user=true,socket=/run/t/appvm-lynx/net.vhost,"
		"mac=02:74:6e:01:00:01\n",
		"cloud-hypervisor app VM: a vhost-user-net front end");
	vm_def_destroy(def);

	// The network VM: its upstream first, then its ports.
	def = make_def(TINCT_VMM_QEMU);
	free(def->name);
	def->name = strdup("netvm");
	free(def->initrd);
	def->initrd = strdup("/img/netvm.img");
	def->netvm = true;
	def->netvm_ports = 2;
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_USER;
	launch = make_launch(def, "/usr/bin/qemu-system-x86_64");
	launch.cmdline = "console=ttyS0 tinct.name=netvm";
	launch.net_links = netvm_ports;
	launch.net_links_len = 2;
	static const char qemu_ports[] =
		"-netdev\ndgram,id=port0,local.type=fd,local.str=3\n"
		"-device\nvirtio-net-pci,netdev=port0,mac=02:74:6e:00:00:00\n"
		"-netdev\ndgram,id=port1,local.type=fd,local.str=4\n"
		"-device\nvirtio-net-pci,netdev=port1,mac=02:74:6e:00:00:01\n";
	char want[4096];
	snprintf(want, sizeof(want), "%s%s%s", QEMU_HEAD("netvm", "netvm.img"),
		"-netdev\nuser,id=upstream\n-device\nvirtio-net-pci,netdev=upstream\n", qemu_ports);
	check_argv(&backend_qemu, &launch, false, want, "qemu network VM, user upstream");
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_TAP;
	launch.tap_fd = 3;
	snprintf(want, sizeof(want), "%s%s%s", QEMU_HEAD("netvm", "netvm.img"),
		"-netdev\ntap,id=net0,fd=3\n-device\nvirtio-net-pci,netdev=net0\n", qemu_ports);
	check_argv(&backend_qemu, &launch, false, want, "qemu network VM, TAP upstream");
	launch.tap_fd = -1;
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_VFIO;
	def->netvm_upstream_device = strdup("0000:03:00.0");
	snprintf(want, sizeof(want), "%s%s%s", QEMU_HEAD("netvm", "netvm.img"),
		"-device\nvfio-pci,host=0000:03:00.0\n", qemu_ports);
	check_argv(&backend_qemu, &launch, false, want, "qemu network VM, NIC passed through");

	def->vmm = TINCT_VMM_CROSVM;
	launch.binary = "/usr/bin/crosvm";
	check_argv(&backend_crosvm, &launch, false,
		"/usr/bin/crosvm\nrun\n--mem\n512\n--cpus\n2\n--initrd\n/img/netvm.img\n"
		"--params\nconsole=ttyS0 tinct.name=netvm\n"
		"--serial\ntype=unix-stream,path=/run/t/appvm-lynx/serial,num=1,console=true,"
		"input-unix-stream=true\n"
		"--socket\n/run/t/appvm-lynx/api\n"
		"--vfio\n/sys/bus/pci/devices/0000:03:00.0\n"
		"--vhost-user\nnet,socket=/run/t/netvm/port-0.vhost\n"
		"--vhost-user\nnet,socket=/run/t/netvm/port-1.vhost\n/img/vmlinuz\n",
		"crosvm network VM: NIC passed through, vhost-user-net ports");
	def->vmm = TINCT_VMM_CLOUD_HYPERVISOR;
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_TAP;
	launch.binary = "/usr/bin/cloud-hypervisor";
	launch.tap_fd = 3;
	check_argv(&backend_cloud_hypervisor, &launch, false,
		"/usr/bin/cloud-hypervisor\n--api-socket\npath=/run/t/appvm-lynx/api\n"
		"--kernel\n/img/vmlinuz\n--initramfs\n/img/netvm.img\n"
		"--cmdline\nconsole=ttyS0 tinct.name=netvm\n--memory\nsize=512M\n"
		"--cpus\nboot=2\n--serial\nsocket=/run/t/appvm-lynx/serial\n--console\noff\n"
		"--net\nfd=3\n"
		"--net\nvhost_user=true,socket=/run/t/netvm/port-0.vhost,"
		"mac=02:74:6e:00:00:00\n"
		"--net\nvhost_user=true,socket=/run/t/netvm/port-1.vhost,"
		"mac=02:74:6e:00:00:01\n",
		"cloud-hypervisor network VM: TAP upstream, vhost-user-net ports");

	char *cmdline = backend_kernel_cmdline(def, NULL);
	is_str(cmdline, "console=ttyS0 tinct.name=netvm", "an isolating network VM");
	free(cmdline);
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_USER;
	cmdline = backend_kernel_cmdline(def, NULL);
	is_str(cmdline, "console=ttyS0 tinct.name=netvm tinct.netvm.host=10.0.2.2",
		"user networking: the host's loopback, closed");
	free(cmdline);
	def->netvm_host_ports[0] = (struct tinct_port_range){8080, 8080};
	def->netvm_host_ports[1] = (struct tinct_port_range){40000, 40003};
	def->netvm_host_ports_len = 2;
	cmdline = backend_kernel_cmdline(def, NULL);
	is_str(cmdline,
		"console=ttyS0 tinct.name=netvm tinct.netvm.host=10.0.2.2 "
		"tinct.netvm.host_ports=8080,40000-40003",
		"user networking: the host's loopback, open at host-ports");
	free(cmdline);
	// The longest: 16 ranges of 11 digits, none cut short.
	def->netvm_isolate = false;
	char want_ports[256] = "";
	for (int i = 0; i < TINCT_NETVM_MAX_HOST_PORTS; i++) {
		def->netvm_host_ports[i] = (struct tinct_port_range){
			(uint16_t)(40000 + 1500 * i), (uint16_t)(41499 + 1500 * i)};
		snprintf(want_ports + strlen(want_ports), sizeof(want_ports) - strlen(want_ports),
			"%s%d-%d", i == 0 ? "" : ",", 40000 + 1500 * i, 41499 + 1500 * i);
	}
	def->netvm_host_ports_len = TINCT_NETVM_MAX_HOST_PORTS;
	cmdline = backend_kernel_cmdline(def, NULL);
	ok(cmdline != NULL && strstr(cmdline, want_ports) != NULL &&
			strstr(cmdline, "tinct.netvm.isolate=0") != NULL,
		"every host port range, whole");
	free(cmdline);
	def->netvm_host_ports_len = 0;
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_TAP;
	def->netvm_isolate = false;
	cmdline = backend_kernel_cmdline(def, NULL);
	is_str(cmdline, "console=ttyS0 tinct.name=netvm tinct.netvm.isolate=0",
		"a network VM that lets app VMs reach each other");
	free(cmdline);
	vm_def_destroy(def);
}

/*
 * What the network's VMMs get in their sandbox: a network VM with user
 * networking keeps the host's network namespace (slirp opens host
 * sockets), every other VMM gets none; networked VMs have no snapshots
 * (their address belongs to a network VM's run).
 */
static void test_network_confinement(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_QEMU);
	def->netvm = true;
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_USER;
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/qemu-system-x86_64");
	struct tinct_jail jail;
	jail_init(&jail);
	ok(backend_jail(&backend_qemu, &launch, &jail) && jail.share_net,
		"a network VM with user networking keeps the host's network");
	jail_finish(&jail);
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_TAP;
	jail_init(&jail);
	ok(backend_jail(&backend_qemu, &launch, &jail) && !jail.share_net,
		"a network VM on a TAP has no network of the host's");
	jail_finish(&jail);
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_VFIO;
	def->netvm_upstream_device = strdup("9999:99:99.9");
	jail_init(&jail);
	ok(!backend_jail(&backend_qemu, &launch, &jail),
		"a NIC passed through without an IOMMU group cannot be confined");
	jail_finish(&jail);
	vm_def_destroy(def);

	def = make_def(TINCT_VMM_QEMU);
	def->network = TINCT_VM_NETWORK_VM;
	def->network_vm = strdup("netvm");
	def->wayland_kind = TINCT_VM_WAYLAND_WAYPIPE;
	def->guest_runs = calloc(1, sizeof(*def->guest_runs));
	def->guest_runs[0] = strdup("foot");
	def->guest_runs_len = 1;
	launch = make_launch(def, "/usr/bin/qemu-system-x86_64");
	jail_init(&jail);
	ok(backend_jail(&backend_qemu, &launch, &jail) && !jail.share_net,
		"an app VM has no network of the host's");
	jail_finish(&jail);
	const char *why = NULL;
	bool eligible = snapshot_eligible(def, NULL, &why);
	ok(!eligible && why != NULL && strstr(why, "network") != NULL,
		"an app VM on a network VM has no snapshot (%s)", why ? why : "eligible");
	def->network = TINCT_VM_NETWORK_NONE;
	ok(snapshot_eligible(def, NULL, &why), "the same VM without a network has one");
	vm_def_destroy(def);
}

static void test_crosvm(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_CROSVM);
	add_disks(def);
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/crosvm");
	launch.tap_fd = 3;
	check_argv(&backend_crosvm, &launch, false,
		"/usr/bin/crosvm\nrun\n--mem\n512\n--cpus\n2\n--initrd\n/img/appvm-lynx.img\n"
		"--params\nconsole=ttyS0 tinct.name=appvm-lynx\n"
		"--serial\ntype=unix-stream,path=/run/t/appvm-lynx/serial,num=1,console=true,"
		"input-unix-stream=true\n"
		"--socket\n/run/t/appvm-lynx/api\n"
		"--block\npath=/img/root,1.img,ro=true\n--block\npath=/var/home.img\n"
		"--net\ntap-fd=3\n/img/vmlinuz\n",
		"crosvm");
	check_argv(&backend_crosvm, &launch, true,
		"/usr/bin/crosvm\npowerbtn\n/run/t/appvm-lynx/api\n", "crosvm graceful stop");
	ok(backend_crosvm.serial_vmm_connects, "crosvm connects to tinct's serial socket");
	vm_def_destroy(def);
}

static void add_named(struct tinct_vm_def *def, const char *name)
{
	def->wayland_named = realloc(
		def->wayland_named, (def->wayland_named_len + 1) * sizeof(*def->wayland_named));
	def->wayland_named[def->wayland_named_len++] = strdup(name);
}

static void test_crosvm_virtio_wl(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_CROSVM);
	def->wayland_kind = TINCT_VM_WAYLAND_VIRTIO_WL;
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/crosvm");
	static const char base[] =
		"/usr/bin/crosvm\nrun\n--mem\n512\n--cpus\n2\n--initrd\n/img/appvm-lynx.img\n"
		"--params\nconsole=ttyS0 tinct.name=appvm-lynx\n"
		"--serial\ntype=unix-stream,path=/run/t/appvm-lynx/serial,num=1,console=true,"
		"input-unix-stream=true\n"
		"--socket\n/run/t/appvm-lynx/api\n";
	char want[4096];
	snprintf(want, sizeof(want),
		"%s--wayland-sock\n/run/t/appvm-lynx/wayland\n"
		"--wayland-sock\n/run/t/appvm-lynx/memfd,name=memfd\n/img/vmlinuz\n",
		base);
	check_argv(&backend_crosvm, &launch, false, want,
		"crosvm virtio-wl: the display socket and the memfd server");

	// Named sockets (parsed and checked by vm-def.c), in order; other
	// [wayland] keys are not the backend's business.
	add_named(def, "gpu");
	add_named(def, "sommelier-x");
	def->wayland_allow = TINCT_PERM_FULLSCREEN;
	def->max_windows = 3;
	add_named(def, "priv");
	def->extra_args = strdup("--disable-sandbox");
	snprintf(want, sizeof(want),
		"%s--wayland-sock\n/run/t/appvm-lynx/wayland\n"
		"--wayland-sock\n/run/t/appvm-lynx/wayland-gpu,name=gpu\n"
		"--wayland-sock\n/run/t/appvm-lynx/wayland-sommelier-x,name=sommelier-x\n"
		"--wayland-sock\n/run/t/appvm-lynx/wayland-priv,name=priv\n"
		"--wayland-sock\n/run/t/appvm-lynx/memfd,name=memfd\n"
		"--disable-sandbox\n/img/vmlinuz\n",
		base);
	check_argv(&backend_crosvm, &launch, false, want,
		"crosvm virtio-wl: named sockets, then extra args");

	// wayland = none: no sockets at all.
	def->wayland_kind = TINCT_VM_WAYLAND_NONE;
	snprintf(want, sizeof(want), "%s--disable-sandbox\n/img/vmlinuz\n", base);
	check_argv(&backend_crosvm, &launch, false, want, "crosvm without virtio-wl");

	// crosvm splits --wayland-sock on ',': such paths are refused.
	def->wayland_kind = TINCT_VM_WAYLAND_VIRTIO_WL;
	launch.runtime_dir = "/run/t,x/appvm-lynx";
	struct tinct_argv argv;
	argv_init(&argv);
	ok(!backend_crosvm.build_argv(&launch, &argv), "crosvm refuses a runtime dir with ','");
	argv_finish(&argv);

	vm_def_destroy(def);
}

static void test_cloud_hypervisor(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_CLOUD_HYPERVISOR);
	add_disks(def);
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/cloud-hypervisor");
	launch.tap_fd = 3;
	check_argv(&backend_cloud_hypervisor, &launch, false,
		"/usr/bin/cloud-hypervisor\n--api-socket\npath=/run/t/appvm-lynx/api\n"
		"--kernel\n/img/vmlinuz\n--initramfs\n/img/appvm-lynx.img\n"
		"--cmdline\nconsole=ttyS0 tinct.name=appvm-lynx\n"
		"--memory\nsize=512M\n--cpus\nboot=2\n"
		"--disk\npath=/img/root,1.img,readonly=on\n--disk\npath=/var/home.img\n"
		"--serial\nsocket=/run/t/appvm-lynx/serial\n--console\noff\n--net\nfd=3\n",
		"cloud-hypervisor");
	check_argv(&backend_cloud_hypervisor, &launch, true,
		"ch-remote\n--api-socket\n/run/t/appvm-lynx/api\npower-button\n",
		"cloud-hypervisor graceful stop");
	vm_def_destroy(def);
}

static void test_waypipe(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_QEMU);
	def->wayland_kind = TINCT_VM_WAYLAND_WAYPIPE;
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/qemu-system-x86_64");
	launch.waypipe_ports = 2;
	static const char qemu_base[] =
		"/usr/bin/qemu-system-x86_64\n-nodefaults\n-no-user-config\n-display\nnone\n"
		"-accel\ntcg\n-cpu\nmax\n-m\n512\n-smp\n2\n-no-reboot\n"
		"-action\npanic=exit-failure\n-device\npvpanic-pci\n"
		"-kernel\n/img/vmlinuz\n-initrd\n/img/appvm-lynx.img\n"
		"-append\nconsole=ttyS0 tinct.name=appvm-lynx\n"
		"-chardev\nsocket,id=serial0,path=/run/t/appvm-lynx/serial,server=on,wait=off\n"
		"-serial\nchardev:serial0\n"
		"-chardev\nsocket,id=qmp,path=/run/t/appvm-lynx/api,server=on,wait=off\n"
		"-mon\nchardev=qmp,mode=control\n";
	static const char qemu_ports[] =
		"-device\nvirtio-serial-pci,id=tinct-wl,max_ports=31\n"
		"-chardev\nsocket,id=wayland0,path=/run/t/appvm-lynx/waypipe-0.sock,reconnect=1\n"
		"-device\nvirtserialport,bus=tinct-wl.0,nr=1,chardev=wayland0,"
		"name=tinct.wayland.0\n"
		"-chardev\nsocket,id=wayland1,path=/run/t/appvm-lynx/waypipe-1.sock,reconnect=1\n"
		"-device\nvirtserialport,bus=tinct-wl.0,nr=2,chardev=wayland1,"
		"name=tinct.wayland.1\n";
	char want[4096];
	snprintf(want, sizeof(want), "%s%s", qemu_base, qemu_ports);
	check_argv(&backend_qemu, &launch, false, want, "qemu, waypipe over virtio-serial");

	launch.vsock_cid = 7;
	snprintf(want, sizeof(want), "%s%s-device\nvhost-vsock-pci,guest-cid=7\n", qemu_base,
		qemu_ports);
	check_argv(&backend_qemu, &launch, false, want, "qemu, waypipe with vhost-vsock");

	char *path = backend_waypipe_socket(&backend_qemu, "/run/t/vm", 3);
	is_str(path, "/run/t/vm/waypipe-3.sock", "qemu channel socket");
	free(path);
	path = backend_waypipe_socket(&backend_cloud_hypervisor, "/run/t/vm", 3);
	is_str(path, "/run/t/vm/vsock.sock_5003", "cloud-hypervisor hybrid vsock socket");
	free(path);
	ok(backend_waypipe_socket(&backend_crosvm, "/run/t/vm", 0) == NULL,
		"crosvm has no waypipe channels");

	vm_def_destroy(def);
	def = make_def(TINCT_VMM_CLOUD_HYPERVISOR);
	def->wayland_kind = TINCT_VM_WAYLAND_WAYPIPE;
	launch = make_launch(def, "/usr/bin/cloud-hypervisor");
	launch.waypipe_ports = 4;
	check_argv(&backend_cloud_hypervisor, &launch, false,
		"/usr/bin/cloud-hypervisor\n--api-socket\npath=/run/t/appvm-lynx/api\n"
		"--kernel\n/img/vmlinuz\n--initramfs\n/img/appvm-lynx.img\n"
		"--cmdline\nconsole=ttyS0 tinct.name=appvm-lynx\n"
		"--memory\nsize=512M\n--cpus\nboot=2\n"
		"--serial\nsocket=/run/t/appvm-lynx/serial\n--console\noff\n"
		"--vsock\ncid=3,socket=/run/t/appvm-lynx/vsock.sock\n",
		"cloud-hypervisor, waypipe over hybrid vsock");
	vm_def_destroy(def);

	struct tinct_argv argv;
	argv_init(&argv);
	ok(waypipe_client_argv(&argv, "/usr/bin/waypipe", "/run/t/vm/waypipe-0.sock"),
		"waypipe client argv builds");
	is_str(join(&argv),
		"/usr/bin/waypipe\n--no-gpu\n--compress\nnone\n--oneshot\n--socket\n"
		"/run/t/vm/waypipe-0.sock\nclient\n",
		"waypipe client argv");
	argv_finish(&argv);
}

static void test_command(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_COMMAND);
	def->command = strdup("myvmm --name={name} -k {kernel} -i {initrd} -a \"{cmdline}\" "
			      "-m {memory} -c {cpus} -s {serial-socket} -q {api-socket} "
			      "-d {runtime-dir}/x 'lit {name}' {{ --tap {tap-fd}");
	free(def->extra_args);
	def->extra_args = strdup("--more");
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/myvmm");
	check_argv(&backend_command, &launch, false,
		"myvmm\n--name=appvm-lynx\n-k\n/img/vmlinuz\n-i\n/img/appvm-lynx.img\n"
		"-a\nconsole=ttyS0 tinct.name=appvm-lynx\n-m\n512\n-c\n2\n"
		"-s\n/run/t/appvm-lynx/serial\n-q\n/run/t/appvm-lynx/api\n"
		"-d\n/run/t/appvm-lynx/x\nlit {name}\n{\n--tap\n-1\n--more\n",
		"command placeholders");
	ok(backend_command.stop == NULL, "command stops with SIGTERM");
	vm_def_destroy(def);
}

static void test_cmdline(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_QEMU);
	char *cmdline = backend_kernel_cmdline(def, NULL);
	is_str(cmdline, "console=ttyS0 tinct.name=appvm-lynx", "kernel cmdline");
	free(cmdline);
	def->cmdline = strdup("quiet");
	cmdline = backend_kernel_cmdline(def, "tinct.run=dHJ1ZQ==");
	is_str(cmdline, "console=ttyS0 tinct.name=appvm-lynx quiet tinct.run=dHJ1ZQ==",
		"kernel cmdline with definition and extra parts");
	free(cmdline);

	// [guest] run goes to the guest init as base64, with every padding.
	def->wayland_kind = TINCT_VM_WAYLAND_WAYPIPE;
	def->guest_runs = calloc(3, sizeof(*def->guest_runs));
	def->guest_runs[0] = strdup("foot -e lynx file:///srv/index.html");
	def->guest_runs[1] = strdup("ab");
	def->guest_runs[2] = strdup("a");
	def->guest_runs_len = 3;
	cmdline = backend_kernel_cmdline(def, NULL);
	is_str(cmdline,
		"console=ttyS0 tinct.name=appvm-lynx quiet "
		"tinct.app.0=Zm9vdCAtZSBseW54IGZpbGU6Ly8vc3J2L2luZGV4Lmh0bWw= "
		"tinct.app.1=YWI= tinct.app.2=YQ==",
		"kernel cmdline with guest applications");
	free(cmdline);
	def->wayland_kind = TINCT_VM_WAYLAND_NONE;
	cmdline = backend_kernel_cmdline(def, NULL);
	is_str(cmdline, "console=ttyS0 tinct.name=appvm-lynx quiet",
		"no applications without waypipe");
	free(cmdline);
	vm_def_destroy(def);
	ok(backend_for(TINCT_VMM_QEMU) == &backend_qemu &&
			backend_for(TINCT_VMM_CROSVM) == &backend_crosvm &&
			backend_for(TINCT_VMM_CLOUD_HYPERVISOR) == &backend_cloud_hypervisor &&
			backend_for(TINCT_VMM_COMMAND) == &backend_command,
		"backend_for");
}

// TINCT_KVM decides without a probe child, and the first answer holds for
// the process. (The real probe is tested in tests/vm/test-lifecycle.c.)
static void test_kvm_override(void)
{
	struct wl_event_loop *loop = wl_event_loop_create();
	struct tinct_kvm_probe *probe = kvm_probe_create(loop);
	setenv("TINCT_KVM", "0", 1);
	ok(kvm_probe_start(probe, "/nonexistent/qemu", "/nonexistent/vmlinuz") ==
			TINCT_KVM_UNUSABLE,
		"TINCT_KVM=0 answers at once");
	ok(!kvm_probe_running(probe) && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
		"TINCT_KVM=0 starts no probe process");
	struct tinct_kvm_probe *later = kvm_probe_create(loop);
	setenv("TINCT_KVM", "1", 1);
	ok(kvm_probe_start(later, NULL, NULL) == TINCT_KVM_UNUSABLE,
		"the first result holds for the process");
	unsetenv("TINCT_KVM");
	kvm_probe_destroy(later);
	kvm_probe_destroy(probe);
	kvm_probe_destroy(NULL);
	wl_event_loop_destroy(loop);
}

int main(void)
{
	test_qemu();
	test_crosvm();
	test_crosvm_virtio_wl();
	test_cloud_hypervisor();
	test_network();
	test_network_confinement();
	test_command();
	test_waypipe();
	test_cmdline();
	test_kvm_override();
	return check_done();
}
