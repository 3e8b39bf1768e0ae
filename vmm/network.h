/*
 * Networks through network VMs, Spectrum's design: an app VM with
 * `network = NAME` reaches the network only through NAME, a network VM
 * ([netvm] in its definition, vm-def.h) that gives it an address, forwards
 * its DNS and NATs it to its upstream. The host carries Ethernet frames
 * between the two VMMs and nothing else: no IP, bridge, firewall or
 * interface of its own for them.
 *
 * Ports prepared at boot: a network VM boots with [netvm] ports NICs,
 * port i with MAC 02:74:6e:00:00:ii (vmm/images/netvm finds them by it).
 * An app VM that starts takes the lowest free port of its network VM and
 * gets one NIC, MAC 02:74:6e:01:00:ii, joined to it.
 *
 * Port i is a Unix datagram socket pair that tinct makes when the network
 * VM first needs it and keeps for as long as the VM is defined: one end
 * goes to the network VM's VMM, the other to the VMM of the app VM on the
 * port, each as an inherited descriptor (-netdev dgram,local.type=fd).
 * Because tinct holds both ends, either VMM can be restarted under the
 * other: the new one gets the same end and the frames flow again. Frames
 * that queued in an end while no VMM read it are dropped before the end is
 * handed on. The links have no path in the file system: a VMM can reach
 * nothing but its own ports, whatever its sandbox (jail.h) or uid, and an
 * app VM's only peer is its network VM. A port keeps its app VM (and so
 * its address) for as long as the app VM runs. Hot-plugging over QMP would
 * need no port count, but every network VM restart would have to plug
 * every running app VM again, and the guest to follow NICs that come and
 * go; the fixed ports make both trivial.
 *
 * Order: starting an app VM first starts its network VM if that is stopped
 * or crashed (vm_start), as Spectrum's vm-start does. Link state: while
 * the network VM is not running, the app VMs' links are down (QMP
 * set_link), so their guests see the carrier go away rather than a silent
 * wire; they come up when it runs again.
 *
 * With crosvm and cloud-hypervisor the same topology is written with
 * vhost-user-net front ends, each on a socket in the VM's own runtime
 * directory (so inside its sandbox): `net.vhost` for an app VM,
 * `port-i.vhost` for a network VM's port i (backend-crosvm.c,
 * backend-cloud-hypervisor.c). The switch that would serve them, joining
 * the two, is not part of tinct.
 */
#ifndef TINCT_VMM_NETWORK_H
#define TINCT_VMM_NETWORK_H

#include <stdbool.h>
#include <stddef.h>

struct tinct_vm;
struct tinct_vm_manager;
struct tinct_vmm_net_link;

/** Watches the manager's VMs to set their links up and down. */
void network_init(struct tinct_vm_manager *manager);
void network_finish(struct tinct_vm_manager *manager);

/**
 * For vm_start: checks that `vm`'s network VM exists and is one, and
 * starts it unless it is active. false (logged, with the definition's
 * file and line) when it cannot.
 */
bool network_start_first(struct tinct_vm *vm);

/**
 * For a launch: an app VM takes a free port of its network VM, a network
 * VM gets all its ports. `*links` (free with network_links_free) is what
 * the backend needs (backend.h). false (logged) on failure.
 */
bool network_attach(struct tinct_vm *vm, struct tinct_vmm_net_link **links, size_t *len);
void network_links_free(struct tinct_vmm_net_link *links, size_t len);
/**
 * The descriptors of `links` (those that have one, QEMU's) as tinct holds
 * them, in order, to `fds` for the spawn to pass; each such link's `fd`
 * becomes its number in the child, from `first_child_fd` on. Returns how
 * many.
 */
size_t network_links_pass(
	struct tinct_vmm_net_link *links, size_t len, int *fds, int first_child_fd);
/**
 * The VMM's run is over: an app VM gives its port back. The port serves
 * the next app VM only when `vmm_gone` (nothing of the VMM can still hold
 * its end) and its end is as made (port.h); else it waits for the network
 * VM's next start.
 */
void network_detach(struct tinct_vm *vm, bool vmm_gone);
/** The VM is going away: a network VM's ports close. */
void network_vm_destroy(struct tinct_vm *vm);

/** The network VM that `vm` names with network = NAME, or NULL. */
struct tinct_vm *network_vm_of(struct tinct_vm *vm);
/**
 * How many active VMs use `netvm` as their network; their names, comma
 * separated, go to `names` (may be NULL).
 */
size_t network_users(struct tinct_vm *netvm, char *names, size_t size);

#endif
