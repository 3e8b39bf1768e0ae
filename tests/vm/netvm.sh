#!/bin/sh
# netvm end to end on real QEMU guests (TCG), with a real IRC server
# (ngircd, TLS) and a real HTTP server on the loopback:
#   - starting appvm-lynx with netvm stopped starts netvm first, and the app
#     VM gets its address from netvm (DHCP, dnsmasq);
#   - lynx fetches a page of the host's 127.0.0.1 through netvm's user-mode
#     upstream (10.0.2.2);
#   - catgirl, in a window of appvm-catgirl, joins a channel through netvm
#     and a message the test posts there reaches it;
#   - one app VM cannot reach the other (netvm can: the control), nor send
#     in the other's name (spoofed source), nor reach the host's loopback
#     beyond [netvm] host-ports;
#   - no network interface appears while they run, no socket of the links
#     in the file system, and only netvm's VMM (user-mode upstream) shares
#     the host's network namespace;
#   - netvm killed: crashed, the app VMs stay up with their links down, and
#     regain the network once netvm is started again;
#   - stopping netvm while they use it takes a second Stop.
# The test runs in a network namespace of its own, so its servers, its
# interface list and its ports are nobody else's.
if [ -z "${TINCT_NETVM_NETNS:-}" ] && command -v unshare >/dev/null &&
	unshare -n true 2>/dev/null; then
	TINCT_NETVM_NETNS=1 exec unshare -n "$0" "$@"
fi
. "$TINCT_SOURCE_ROOT/tests/integration/lib.sh"
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
for image in vmlinuz netvm.img appvm-lynx.img appvm-catgirl.img; do
	[ -r "$images/$image" ] || skip "guest image $image missing in $images (make images)"
done
need qemu-system-x86_64 python3 ngircd openssl ip waypipe
[ -n "${TINCT_NETVM_NETNS:-}" ] || skip "no network namespace (unshare -n) for the servers"
export TINCT_IMAGES="$images" TINCT_KVM=0
CONSOLE="$TINCT_SOURCE_ROOT/tests/tools/console.py"
ip link set lo up

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
listening() {
	python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1"
}

# The HTTP server: a page only it has.
HTTP_PORT=$(free_port)
PAGE="Tinct netvm page $$"
mkdir "$TEST_DIR/www"
echo "<html><body><p>$PAGE</p></body></html>" >"$TEST_DIR/www/index.html"
background python3 -m http.server --bind 127.0.0.1 --directory "$TEST_DIR/www" "$HTTP_PORT"
# The IRC server: ngircd with TLS only (catgirl speaks nothing else) and a
# self-signed certificate; it reads its files as root and then runs as
# nobody.
IRC_PORT=$(free_port)
mkdir "$TEST_DIR/irc"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=irc.tinct.test \
	-keyout "$TEST_DIR/irc/key.pem" -out "$TEST_DIR/irc/cert.pem" 2>/dev/null ||
	fail "openssl could not make a certificate"
cat >"$TEST_DIR/irc/ngircd.conf" <<CONF
[Global]
Name = irc.tinct.test
Info = tinct netvm test
Listen = 127.0.0.1
Ports =
PidFile =
MotdPhrase = tinct
ServerUID = nobody
ServerGID = nogroup
[Limits]
MaxNickLength = 30
[Options]
DNS = no
Ident = no
PAM = no
[SSL]
CertFile = $TEST_DIR/irc/cert.pem
KeyFile = $TEST_DIR/irc/key.pem
Ports = $IRC_PORT
CONF
background ngircd -n -f "$TEST_DIR/irc/ngircd.conf"
# UDP on the loopback, to see what reaches it: UDP_PORT+1 and +3 are open
# to the app VMs (host-ports), +5 is not.
UDP_PORT=$(free_port)
background python3 "$TINCT_SOURCE_ROOT/tests/tools/udp-listen.py" "$UDP_PORT" 6 "$TEST_DIR/udp.log"
wait_for 10 test -e "$TEST_DIR/udp.log" || fail "the UDP listener did not start"
wait_for 10 listening "$HTTP_PORT" || fail "the HTTP server did not start"
wait_for 10 listening "$IRC_PORT" || fail "ngircd did not start: $(cat "$TEST_DIR/clients.log")"

mkdir -p "$TEST_DIR/vms"
cat >"$TEST_DIR/vms/netvm.ini" <<INI
[vm]
colour = gray
kernel = vmlinuz
initrd = netvm.img
memory = 256
stop-timeout = 10
[netvm]
ports = 2
host-ports = $HTTP_PORT, $IRC_PORT, $((UDP_PORT + 1)), $((UDP_PORT + 3))
INI
cat >"$TEST_DIR/vms/appvm-lynx.ini" <<INI
[vm]
colour = blue
kernel = vmlinuz
initrd = appvm-lynx.img
memory = 256
network = netvm
stop-timeout = 10
INI
cat >"$TEST_DIR/vms/appvm-catgirl.ini" <<INI
[vm]
colour = purple
kernel = vmlinuz
initrd = appvm-catgirl.img
memory = 512
network = netvm
wayland = waypipe
stop-timeout = 10
[guest]
run = foot -e sh -c 'mkdir -p /root/.local/share/catgirl && catgirl -o -h 10.0.2.2 -p $IRC_PORT >/tmp/irc.pem && exec catgirl -l -t /tmp/irc.pem -h 10.0.2.2 -p $IRC_PORT -n appvm-catgirl -j "#tinct"'
INI

links() {
	ip -o link | awk -F': ' '{ print $2 }' | sort | tr '\n' ' '
}
links_before=$(links)

console() {
	echo "$XDG_RUNTIME_DIR/tinct/$1.console"
}
# on VM COMMAND TOKEN [SECONDS]: types COMMAND on VM's console and waits
# until TOKEN appears (pick one the echoed command does not hold).
on() {
	python3 "$CONSOLE" "$(console "$1")" "$TEST_DIR/$1.out" --send "$2
" --until "$3" --timeout "${4:-30}" ||
		fail "$1: no \"$3\" after \"$2\": $(tail -n 40 "$TEST_DIR/$1.out")"
}
# booted VM: waits for the guest's lease and shell.
booted() {
	python3 "$CONSOLE" "$(console "$1")" "$TEST_DIR/$1.boot" --until "tinct-guest: ready" \
		--timeout 150 || fail "$1 did not boot: $(tail -n 15 "$TEST_DIR/$1.boot")"
	python3 "$CONSOLE" "$(console "$1")" "$TEST_DIR/$1.boot" --until "tinct-guest: net eth0" \
		--timeout 60 || fail "$1 got no address: $(tail -n 15 "$TEST_DIR/$1.boot")"
	# Keys typed before the shell runs are lost.
	python3 "$CONSOLE" "$(console "$1")" "$TEST_DIR/$1.boot" --until "$1:~# " \
		--timeout 60 || fail "$1 has no shell: $(tail -n 15 "$TEST_DIR/$1.boot")"
}
# lease VM: the "tinct-guest: net" line of its boot.
lease() {
	tr -d '\r' <"$TEST_DIR/$1.boot" | sed -n 's/.*\(tinct-guest: net eth0 .*\)/\1/p' | head -n1
}

start_tinct --vms "$TEST_DIR/vms"
vm_is netvm stopped || fail "netvm is not stopped at first"

# 1. appvm-lynx starts netvm first; catgirl follows on the running netvm.
"$TINCTCTL" start appvm-lynx || fail "tinctctl start appvm-lynx failed"
vm_is netvm stopped && fail "netvm was not started with appvm-lynx"
log_has "VM appvm-lynx: starting its network VM netvm first" || fail "no start order"
"$TINCTCTL" start appvm-catgirl || fail "tinctctl start appvm-catgirl failed"
booted appvm-lynx
booted appvm-catgirl
lynx_lease=$(lease appvm-lynx)
catgirl_lease=$(lease appvm-catgirl)
log "lynx: $lynx_lease; catgirl: $catgirl_lease"
case "$lynx_lease" in
"tinct-guest: net eth0 10.99.0.2/24 router 10.99.0.1 server 10.99.0.1") ;;
*) fail "appvm-lynx's address is not netvm's: $lynx_lease" ;;
esac
case "$catgirl_lease" in
"tinct-guest: net eth0 10.99.1.2/24 router 10.99.1.1 server 10.99.1.1") ;;
*) fail "appvm-catgirl's address is not netvm's: $catgirl_lease" ;;
esac

# 2. lynx fetches the host's page through netvm.
on appvm-lynx "lynx -dump http://10.0.2.2:$HTTP_PORT/; echo fetched-\$?" "fetched-0" 60
grep -aq "$PAGE" "$TEST_DIR/appvm-lynx.out" || fail "lynx did not show the page"

# 3. catgirl, in its window, joins #tinct; a message posted there reaches it.
wait_for 90 has_window appvm-catgirl "" || fail "no window of appvm-catgirl"
MESSAGE="hello-from-the-host-$$"
python3 "$TINCT_SOURCE_ROOT/tests/tools/irc-post.py" "$IRC_PORT" "#tinct" appvm-catgirl \
	"$MESSAGE" --timeout 90 || fail "catgirl never joined #tinct"
on appvm-catgirl "until grep -rq $MESSAGE /root/.local/share/catgirl/log; do sleep 0.5; done; echo logged-\$?" \
	"logged-0" 30

# 4. Isolation: lynx cannot reach catgirl; netvm can.
on netvm "ping -c 1 -W 3 10.99.1.2 >/dev/null; echo control-\$?" "control-0"
on appvm-lynx "ping -c 1 -W 3 10.99.1.2 >/dev/null; echo isolated-\$?" "isolated-1"

# 4b. No spoofing: a datagram from appvm-lynx in catgirl's name (source
# 10.99.1.2) never reaches the host, nor one to a port of the host's
# loopback that host-ports does not open; then an honest one does, along
# the same path, after both. (traceroute -p P sends its first probe to
# P+1; QEMU's user networking drops it with a TTL of 2 or less.)
probe() {
	echo "traceroute -n -f 8 -m 8 -q 1 -w 1 -p $(($1 - 1)) ${2:-} 10.0.2.2 >/dev/null 2>&1; echo probe-$1"
}
on appvm-lynx "ip addr add 10.99.1.2/32 dev eth0; $(probe $((UDP_PORT + 1)) '-s 10.99.1.2'); ip addr del 10.99.1.2/32 dev eth0" \
	"probe-$((UDP_PORT + 1))"
on appvm-lynx "$(probe $((UDP_PORT + 5)))" "probe-$((UDP_PORT + 5))"
on appvm-lynx "$(probe $((UDP_PORT + 3)))" "probe-$((UDP_PORT + 3))"
wait_for 10 grep -qx "$((UDP_PORT + 3))" "$TEST_DIR/udp.log" ||
	fail "an honest datagram to an open host port did not arrive: $(cat "$TEST_DIR/udp.log")"
grep -qx "$((UDP_PORT + 1))" "$TEST_DIR/udp.log" && fail "a spoofed datagram reached the host"
grep -qx "$((UDP_PORT + 5))" "$TEST_DIR/udp.log" && fail "a closed host port was reached"
on appvm-lynx "wget -T 5 -q -O - http://10.0.2.2:$((UDP_PORT + 5))/ >/dev/null 2>&1; echo closed-\$?" "closed-1"

# 5. The host gained no network interface.
[ "$(links)" = "$links_before" ] || fail "interfaces changed: before $links_before, now $(links)"

# The links are descriptors, not paths; each VMM runs in its sandbox, and
# only netvm's (QEMU user networking) in the host's network namespace.
[ -z "$(find "$XDG_RUNTIME_DIR/tinct" -name 'port-*')" ] ||
	fail "link sockets in the file system: $(find "$XDG_RUNTIME_DIR/tinct" -name 'port-*')"
qemu_of() {
	pid_named qemu-system-x86 $(group_pids "tinct/$1/serial")
}
host_net=$(readlink /proc/self/ns/net)
netvm_qemu=$(qemu_of netvm) || fail "no QEMU of netvm"
lynx_qemu=$(qemu_of appvm-lynx) || fail "no QEMU of appvm-lynx"
catgirl_qemu=$(qemu_of appvm-catgirl) || fail "no QEMU of appvm-catgirl"
[ "$(readlink "/proc/$netvm_qemu/ns/net")" = "$host_net" ] ||
	fail "netvm's QEMU has no user-mode upstream to the host"
for pid in "$lynx_qemu" "$catgirl_qemu"; do
	[ "$(readlink "/proc/$pid/ns/net")" != "$host_net" ] ||
		fail "an app VM's QEMU ($pid) shares the host's network namespace"
done
if [ "$(id -u)" = 0 ]; then
	[ "$(proc_field "$netvm_qemu" Uid)" != 0 ] && [ "$(proc_field "$lynx_qemu" Uid)" != 0 ] &&
		[ "$(proc_field "$netvm_qemu" Uid)" != "$(proc_field "$lynx_qemu" Uid)" ] ||
		fail "netvm and appvm-lynx do not run under uids of their own"
fi

# 6. netvm killed: crashed; the app VMs stay up, links down; back with it.
kill -KILL "$netvm_qemu"
wait_for 20 vm_is netvm crashed || fail "netvm is not crashed: $(vm_state netvm)"
vm_is appvm-lynx running || fail "appvm-lynx went down with netvm"
vm_is appvm-catgirl running || fail "appvm-catgirl went down with netvm"
on appvm-lynx "echo crashed-carrier-\$(cat /sys/class/net/eth0/carrier)" "crashed-carrier-0"
"$TINCTCTL" start netvm || fail "tinctctl start netvm failed"
on appvm-lynx "until lynx -dump http://10.0.2.2:$HTTP_PORT/ >/tmp/page; do sleep 1; done; grep -c 'netvm page' /tmp/page; echo again-\$?" \
	"again-0" 120
on appvm-lynx "echo restarted-carrier-\$(cat /sys/class/net/eth0/carrier)" "restarted-carrier-1"

# 7. Stopping netvm while they use it takes a second Stop.
if "$TINCTCTL" stop netvm 2>"$TEST_DIR/stop.err"; then
	fail "netvm stopped without confirmation"
fi
grep -q "netvm is the network of appvm-catgirl, appvm-lynx\|netvm is the network of appvm-lynx, appvm-catgirl" \
	"$TEST_DIR/stop.err" || fail "no confirmation asked: $(cat "$TEST_DIR/stop.err")"
vm_is netvm running || fail "netvm stopped on the first Stop"
"$TINCTCTL" stop netvm || fail "the second Stop failed"
wait_for 30 vm_is netvm stopped || fail "netvm did not stop"
on appvm-lynx "echo stopped-carrier-\$(cat /sys/class/net/eth0/carrier)" "stopped-carrier-0"
vm_is appvm-lynx running || fail "appvm-lynx went down with netvm"
stop_tinct
