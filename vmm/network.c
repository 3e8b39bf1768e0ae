/*
 * Networks through network VMs: ports, the links' sockets, the start order
 * and the links' state (see network.h).
 */
#include "vmm/network.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/util/log.h>

#include "vmm/backend.h"
#include "vmm/port.h"
#include "vmm/qmp.h"
#include "vmm/vm-def.h"
#include "vmm/vm.h"

// Locally administered MACs: 02:74:6e ("tn"), then 00 for a network VM's
// port, 01 for the app VM on it, then the port.
#define MAC_FORMAT "02:74:6e:%02x:00:%02x"
#define MAC_NETVM 0
#define MAC_APP 1

static bool is_active(const struct tinct_vm *vm)
{
	return vm->state == TINCT_VM_STARTING || vm->state == TINCT_VM_BOOTING ||
	       vm->state == TINCT_VM_RUNNING || vm->state == TINCT_VM_STOPPING;
}

struct tinct_vm *network_vm_of(struct tinct_vm *vm)
{
	if (vm->def->network != TINCT_VM_NETWORK_VM) {
		return NULL;
	}
	struct tinct_vm *netvm = vm_manager_find(vm->manager, vm->def->network_vm);
	return netvm != NULL && netvm->def->netvm ? netvm : NULL;
}

// Whether `vm` holds a port of `netvm` now.
static bool uses(struct tinct_vm *vm, struct tinct_vm *netvm)
{
	return vm->net_port >= 0 && network_vm_of(vm) == netvm;
}

size_t network_users(struct tinct_vm *netvm, char *names, size_t size)
{
	size_t count = 0, used = 0;
	if (names != NULL && size > 0) {
		names[0] = '\0';
	}
	struct tinct_vm *vm;
	wl_list_for_each (vm, &netvm->manager->vms, link) {
		if (!is_active(vm) || network_vm_of(vm) != netvm) {
			continue;
		}
		if (names != NULL && used < size) {
			int n = snprintf(names + used, size - used, "%s%s", count > 0 ? ", " : "",
				vm_name(vm));
			used += n > 0 ? (size_t)n : 0;
		}
		count++;
	}
	return count;
}

bool network_start_first(struct tinct_vm *vm)
{
	const struct tinct_vm_def *def = vm->def;
	if (def->network != TINCT_VM_NETWORK_VM) {
		return true;
	}
	struct tinct_vm *netvm = vm_manager_find(vm->manager, def->network_vm);
	char message[1024];
	if (!vm_def_network_check(def, netvm ? netvm->def : NULL, message, sizeof(message))) {
		wlr_log(WLR_ERROR, "VM %s cannot start: %s", def->name, message);
		return false;
	}
	switch (netvm->state) {
	case TINCT_VM_STARTING:
	case TINCT_VM_BOOTING:
	case TINCT_VM_RUNNING:
		return true;
	case TINCT_VM_STOPPING:
		wlr_log(WLR_ERROR, "VM %s cannot start: its network VM %s is stopping", def->name,
			def->network_vm);
		return false;
	case TINCT_VM_STOPPED:
	case TINCT_VM_CRASHED:
		break;
	}
	wlr_log(WLR_INFO, "VM %s: starting its network VM %s first", def->name, def->network_vm);
	return vm_start(netvm, NULL);
}

/*
 * A network VM's ports (port.h), made on first use and kept until the VM
 * is destroyed.
 */
struct tinct_net_ports {
	unsigned len;
	struct tinct_net_port port[TINCT_NETVM_MAX_PORTS];
};

// netvm's ports, made when missing; NULL (logged) on failure.
static struct tinct_net_ports *ports_of(struct tinct_vm *netvm)
{
	if (netvm->net_ports != NULL) {
		return netvm->net_ports;
	}
	struct tinct_net_ports *ports = calloc(1, sizeof(*ports));
	if (ports == NULL) {
		wlr_log(WLR_ERROR, "Out of memory preparing %s's ports", vm_name(netvm));
		return NULL;
	}
	unsigned len = netvm->def->netvm_ports;
	ports->len = len < TINCT_NETVM_MAX_PORTS ? len : TINCT_NETVM_MAX_PORTS;
	for (unsigned i = 0; i < ports->len; i++) {
		port_init(&ports->port[i]);
	}
	for (unsigned i = 0; i < ports->len; i++) {
		if (!port_make(&ports->port[i])) {
			netvm->net_ports = ports;
			network_vm_destroy(netvm);
			return NULL;
		}
	}
	netvm->net_ports = ports;
	return ports;
}

void network_vm_destroy(struct tinct_vm *vm)
{
	struct tinct_net_ports *ports = vm->net_ports;
	if (ports == NULL) {
		return;
	}
	for (unsigned i = 0; i < ports->len; i++) {
		port_close(&ports->port[i]);
	}
	free(ports);
	vm->net_ports = NULL;
}

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// asprintf that gives NULL on failure.
static char *strf(const char *fmt, ...)
{
	char *out = NULL;
	va_list args;
	va_start(args, fmt);
	if (vasprintf(&out, fmt, args) < 0) {
		out = NULL;
	}
	va_end(args);
	return out;
}

// Fills `link` for port `port`, seen from the network VM or the app VM:
// `fd` is tinct's copy of that side's end, `vhost_user` a socket in the
// VM's own runtime directory `dir`. false (logged) on ENOMEM; the caller
// frees the link either way.
static bool link_init(
	struct tinct_vmm_net_link *link, const char *dir, unsigned port, int fd, bool netvm_side)
{
	*link = (struct tinct_vmm_net_link){
		.id = netvm_side ? strf("port%u", port) : strdup("link0"),
		.fd = fd,
		.vhost_user = netvm_side ? strf("%s/port-%u.vhost", dir, port)
					 : strf("%s/net.vhost", dir),
		.mac = strf(MAC_FORMAT, netvm_side ? MAC_NETVM : MAC_APP, port),
	};
	if (link->id == NULL || link->vhost_user == NULL || link->mac == NULL) {
		wlr_log(WLR_ERROR, "Out of memory preparing a network link");
		return false;
	}
	return true;
}

void network_links_free(struct tinct_vmm_net_link *links, size_t len)
{
	for (size_t i = 0; links != NULL && i < len; i++) {
		free((char *)links[i].id);
		free((char *)links[i].vhost_user);
		free((char *)links[i].mac);
	}
	free(links);
}

size_t network_links_pass(
	struct tinct_vmm_net_link *links, size_t len, int *fds, int first_child_fd)
{
	size_t passed = 0;
	for (size_t i = 0; i < len; i++) {
		if (links[i].fd >= 0) {
			fds[passed] = links[i].fd;
			links[i].fd = first_child_fd + (int)passed;
			passed++;
		}
	}
	return passed;
}

// An end goes to the VMM as a descriptor only where the backend takes one
// (QEMU's dgram netdev); crosvm and cloud-hypervisor get a path.
static int end_for(struct tinct_vm *vm, struct tinct_net_port *port, int side)
{
	return vm->def->vmm == TINCT_VMM_QEMU ? port->ends[side] : -1;
}

static void retire(struct tinct_vm *netvm, unsigned index, const char *who, const char *why)
{
	struct tinct_net_port *port = &netvm->net_ports->port[index];
	if (!port->retired) {
		wlr_log(WLR_ERROR,
			"Port %u of network VM %s is out of use until %s starts again: %s left "
			"it unusable (%s)",
			index, vm_name(netvm), vm_name(netvm), who, why);
	}
	port->retired = true;
}

static bool attach_app(struct tinct_vm *vm, struct tinct_vmm_net_link **links, size_t *len)
{
	struct tinct_vm *netvm = network_vm_of(vm);
	if (netvm == NULL) {
		wlr_log(WLR_ERROR, "VM %s: its network VM %s is gone", vm_name(vm),
			vm->def->network_vm);
		return false;
	}
	struct tinct_net_ports *ports = ports_of(netvm);
	if (ports == NULL) {
		return false;
	}
	bool taken[TINCT_NETVM_MAX_PORTS] = {false};
	struct tinct_vm *other;
	wl_list_for_each (other, &vm->manager->vms, link) {
		if (other != vm && uses(other, netvm) && other->net_port < TINCT_NETVM_MAX_PORTS) {
			taken[other->net_port] = true;
		}
	}
	int port = -1;
	for (unsigned i = 0; i < ports->len && port < 0; i++) {
		char why[128];
		if (taken[i] || ports->port[i].retired) {
			continue;
		}
		if (!port_end_check(&ports->port[i], 1, why, sizeof(why))) {
			retire(netvm, i, "an earlier app VM", why);
			continue;
		}
		port = (int)i;
	}
	if (port < 0) {
		wlr_log(WLR_ERROR, "VM %s: its network VM %s has no free port (all %u in use)",
			vm_name(vm), vm_name(netvm), ports->len);
		return false;
	}
	*links = calloc(1, sizeof(**links));
	if (*links == NULL || !link_init(*links, vm_runtime_dir(vm), (unsigned)port,
				      end_for(vm, &ports->port[port], 1), false)) {
		network_links_free(*links, *links != NULL ? 1 : 0);
		*links = NULL;
		return false;
	}
	*len = 1;
	vm->net_port = port;
	vm->net_link_down = false;
	wlr_log(WLR_INFO, "VM %s: on port %d of network VM %s", vm_name(vm), port, vm_name(netvm));
	return true;
}

// A network VM that starts gets every port: a port no app VM holds is made
// anew (whatever an earlier VMM did to it is gone), one in use keeps its
// pair so that the app VM on it stays connected.
static bool attach_netvm(struct tinct_vm *vm, struct tinct_vmm_net_link **links, size_t *len)
{
	struct tinct_net_ports *ports = ports_of(vm);
	if (ports == NULL) {
		return false;
	}
	bool used[TINCT_NETVM_MAX_PORTS] = {false};
	struct tinct_vm *other;
	wl_list_for_each (other, &vm->manager->vms, link) {
		if (uses(other, vm) && other->net_port < TINCT_NETVM_MAX_PORTS) {
			used[other->net_port] = true;
		}
	}
	for (unsigned i = 0; i < ports->len; i++) {
		char why[128];
		if (!used[i]) {
			if (!port_make(&ports->port[i])) {
				return false;
			}
		} else if (!port_end_check(&ports->port[i], 0, why, sizeof(why))) {
			wlr_log(WLR_ERROR,
				"Port %u of network VM %s: its previous run left it unusable (%s); "
				"the app VM on it has no network until it starts again",
				i, vm_name(vm), why);
		}
	}
	*links = calloc(ports->len, sizeof(**links));
	if (*links == NULL) {
		wlr_log(WLR_ERROR, "Out of memory preparing %s's ports", vm_name(vm));
		return false;
	}
	for (unsigned i = 0; i < ports->len; i++) {
		if (!link_init(&(*links)[i], vm_runtime_dir(vm), i, end_for(vm, &ports->port[i], 0),
			    true)) {
			network_links_free(*links, i + 1);
			*links = NULL;
			return false;
		}
	}
	*len = ports->len;
	return true;
}

bool network_attach(struct tinct_vm *vm, struct tinct_vmm_net_link **links, size_t *len)
{
	*links = NULL;
	*len = 0;
	if (vm->def->netvm) {
		return attach_netvm(vm, links, len);
	}
	if (vm->def->network == TINCT_VM_NETWORK_VM) {
		return attach_app(vm, links, len);
	}
	return true;
}

void network_detach(struct tinct_vm *vm, bool vmm_gone)
{
	qmp_destroy(vm->net_qmp);
	vm->net_qmp = NULL;
	if (vm->net_port < 0) {
		return;
	}
	unsigned index = (unsigned)vm->net_port;
	struct tinct_vm *netvm = network_vm_of(vm);
	vm->net_port = -1;
	wlr_log(WLR_DEBUG, "VM %s: left port %u", vm_name(vm), index);
	if (netvm == NULL || netvm->net_ports == NULL || index >= netvm->net_ports->len ||
		vm->def->vmm != TINCT_VMM_QEMU) {
		return;
	}
	// Its end goes to the next app VM only as it was made, and what it
	// sent that netvm has not read yet is not the next one's to send.
	char why[128];
	if (vmm_gone) {
		port_drain(&netvm->net_ports->port[index], 0);
	}
	if (!vmm_gone) {
		retire(netvm, index, vm_name(vm), "processes of its VMM may still hold it");
	} else if (!port_end_check(&netvm->net_ports->port[index], 1, why, sizeof(why))) {
		retire(netvm, index, vm_name(vm), why);
	}
}

#define SET_LINK(up) "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"link0\",\"up\":" up "}}"

static void handle_link_done(void *data)
{
	struct tinct_vm *vm = data;
	qmp_destroy(vm->net_qmp);
	vm->net_qmp = NULL;
}

// Sets the links of netvm's app VMs up or down (QEMU's set_link): the
// guest sees its NIC's carrier come and go with the network VM.
static void set_links(struct tinct_vm *netvm, bool up)
{
	struct tinct_vm *vm;
	wl_list_for_each (vm, &netvm->manager->vms, link) {
		if (!uses(vm, netvm) || vm->vmm == NULL || vm->def->vmm != TINCT_VMM_QEMU) {
			continue;
		}
		// A VMM starts with its link up: only a link set down goes up.
		if (up == !vm->net_link_down) {
			continue;
		}
		// A newer state replaces a command still under way.
		qmp_destroy(vm->net_qmp);
		vm->net_qmp = qmp_execute(vm->manager->loop, vm->api_path, vm_name(vm),
			up ? SET_LINK("true") : SET_LINK("false"), handle_link_done, vm);
		if (vm->net_qmp == NULL) {
			continue; // logged; the link stays as it was
		}
		vm->net_link_down = !up;
		wlr_log(WLR_INFO, "VM %s: link %s (network VM %s is %s)", vm_name(vm),
			up ? "up" : "down", vm_name(netvm), vm_state_name(netvm->state));
	}
}

static void handle_state_changed(struct wl_listener *listener, void *data)
{
	struct tinct_vm_state_event *event = data;
	if (!event->vm->def->netvm) {
		return;
	}
	switch (event->new_state) {
	case TINCT_VM_RUNNING:
		set_links(event->vm, true);
		break;
	case TINCT_VM_STOPPING:
	case TINCT_VM_CRASHED:
		set_links(event->vm, false);
		break;
	case TINCT_VM_STOPPED:
		if (event->old_state != TINCT_VM_STOPPING) {
			set_links(event->vm, false);
		}
		break;
	case TINCT_VM_STARTING:
	case TINCT_VM_BOOTING:
		break;
	}
}

void network_init(struct tinct_vm_manager *manager)
{
	manager->network_state.notify = handle_state_changed;
	wl_signal_add(&manager->events.state_changed, &manager->network_state);
}

void network_finish(struct tinct_vm_manager *manager)
{
	wl_list_remove(&manager->network_state.link);
}
