#!/usr/bin/env python3
"""Compositor benchmark: tinct against sway 1.7 (the same wlroots 0.15), side
by side on the headless backend with the pixman renderer, same unprivileged
user, same clients at the same places. Not a test: numbers depend on the
machine and on what else it runs.

What it measures, per run: the compositor's CPU time (every thread's
schedstat), the frames it presented (counted inside the compositor by
present-counter.so, preloaded into both), and its peak RSS. It reports CPU
per presented frame, frames per second and CPU per second, min/median/max
over the rounds, and tinct/sway ratios. Rounds alternate the order (tinct
first, then sway first) so that drift in the machine's load hits both.

Workloads (1280x720 output, every window floating and centred, so each one
overlaps the others; the smaller ones are opened last and stay on top):
  idle   two static windows: nothing changes, nothing should be drawn
  anim1  one window repainting itself every frame (paint-client --animate)
  anim4  four such windows, 640x480 down to 550x414, overlapping
  anim8  eight such windows, 640x480 down to 430x326
  foot2  two foot terminals scrolling as fast as they can

  tests/bench/compositor.py BUILD_DIR [--rounds N] [--seconds S]
                            [--workloads idle,anim1,...] [--tinct PATH]...

--tinct may be given more than once (say, a build from before a change): each
binary is then measured in the same alternating rounds, and compared to sway.
"""
import argparse
import os
import pwd
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

USER = "tinct-bench"
WORKLOADS = ["idle", "anim1", "anim4", "anim8", "foot2"]
SWAY_CONFIG = """\
# Like for like: tinct floats every window and draws a 2 px border and a
# title bar; so does sway here. No bar, no background.
for_window [app_id=".*"] floating enable
default_border normal 2
default_floating_border normal 2
"""


def clients_for(workload, bindir):
    """The client command lines of a workload, bottom window first."""
    paint = os.path.join(bindir, "paint-client")
    colours = ["2040c0", "c04020", "20c040", "c0c020", "8020c0", "20c0c0", "c02080", "808080"]
    if workload == "idle":
        return [[paint, "--size", "640x480", "--colour", colours[0]],
                [paint, "--size", "520x390", "--colour", colours[1]]]
    if workload.startswith("anim"):
        n = int(workload[4:])
        return [[paint, "--size", "%dx%d" % (640 - 30 * i, 480 - 22 * i),
                 "--colour", colours[i], "--animate", "101010"] for i in range(n)]
    if workload == "foot2":
        return [["foot", "sh", "-c", "while :; do seq 1 200; done"]] * 2
    sys.exit("unknown workload " + workload)


def as_user():
    if os.getuid() != 0:
        return []
    return ["setpriv", "--reuid=" + USER, "--regid=" + USER, "--clear-groups",
            "--inh-caps=-all"]


def cpu_ns(pid):
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def peak_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def presented(path):
    with open(path, "rb") as f:
        return struct.unpack("=Q", f.read(8))[0]


def wait_until(bound, check):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def run(name, command, workload, bindir, seconds, uid):
    """One compositor, one workload: returns (cpu_s, frames, wall_s, rss_kib)."""
    rt = tempfile.mkdtemp(prefix="tinct-bench.")
    procs = []
    try:
        os.chmod(rt, 0o700)
        os.makedirs(os.path.join(rt, "config"))
        counter = os.path.join(rt, "presented")
        with open(counter, "wb") as f:
            f.write(bytes(8))
        if uid is not None:
            for path in (rt, os.path.join(rt, "config"), counter):
                os.chown(path, uid, -1)
        base = {"PATH": "/usr/bin:/bin", "HOME": rt, "XDG_RUNTIME_DIR": rt,
                "XDG_CONFIG_HOME": os.path.join(rt, "config"), "SHELL": "/bin/sh"}
        env = dict(base, WLR_BACKENDS="headless", WLR_RENDERER="pixman",
                   WLR_LIBINPUT_NO_DEVICES="1",
                   LD_PRELOAD=os.path.join(bindir, "present-counter.so"),
                   TINCT_BENCH_PRESENTED=counter)
        log = open(os.path.join(rt, "log"), "wb")
        comp = subprocess.Popen(as_user() + command, env=env, stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
        procs.append(comp)
        sockets = lambda: [s for s in os.listdir(rt)
                           if s.startswith("wayland-") and not s.endswith(".lock")]
        if not wait_until(10, sockets):
            sys.exit("bench: %s did not start; its log:\n%s" %
                     (name, open(os.path.join(rt, "log")).read()))
        client_env = dict(base, WAYLAND_DISPLAY=sockets()[0])
        outs = []
        for i, argv in enumerate(clients_for(workload, bindir)):
            out = os.path.join(rt, "client%d.out" % i)
            outs.append(out)
            procs.append(subprocess.Popen(as_user() + argv, env=client_env,
                                          stdout=open(out, "wb"), stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL))
            # One at a time, so the stacking order is the same everywhere.
            if argv[0].endswith("paint-client"):
                if not wait_until(10, lambda: "configured" in open(out).read()):
                    sys.exit("bench: a client did not draw on %s" % name)
            else:
                time.sleep(0.5)
        time.sleep(1.5)  # warm-up: every client mapped and animating
        c0, f0, t0 = cpu_ns(comp.pid), presented(counter), time.monotonic()
        time.sleep(seconds)
        c1, f1, t1 = cpu_ns(comp.pid), presented(counter), time.monotonic()
        rss = peak_rss_kib(comp.pid)
        if comp.poll() is not None:
            sys.exit("bench: %s exited during the run" % name)
        return (c1 - c0) / 1e9, f1 - f0, t1 - t0, rss
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(rt, ignore_errors=True)


def stats(values):
    return min(values), statistics.median(values), max(values)


def fmt3(values, scale=1.0, digits=0):
    lo, med, hi = stats(values)
    f = "%%.%df" % digits
    return "/".join(f % (v * scale) for v in (lo, med, hi))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--tinct", action="append", default=[])
    args = parser.parse_args()

    for prog in ("sway", "foot", "setpriv"):
        if shutil.which(prog) is None:
            sys.exit("bench: %s is not installed" % prog)
    uid = None
    if os.getuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                            "/usr/sbin/nologin", USER], check=True)
        uid = pwd.getpwnam(USER).pw_uid

    # Copies the unprivileged user can read, whatever the build tree's mode.
    bindir = tempfile.mkdtemp(prefix="tinct-bench-bin.")
    try:
        tincts = args.tinct or [os.path.join(args.build, "compositor", "tinct")]
        compositors = []
        for i, path in enumerate(tincts):
            label = "tinct" if len(tincts) == 1 else "tinct%d" % (i + 1)
            shutil.copy(path, os.path.join(bindir, label))
            compositors.append((label, [os.path.join(bindir, label)]))
        for tool in ("tests/tools/paint-client", "tests/bench/present-counter.so"):
            shutil.copy(os.path.join(args.build, tool), bindir)
        with open(os.path.join(bindir, "sway.config"), "w") as f:
            f.write(SWAY_CONFIG)
        compositors.append(("sway", ["sway", "-c", os.path.join(bindir, "sway.config")]))
        os.chmod(bindir, 0o755)
        for entry in os.listdir(bindir):
            os.chmod(os.path.join(bindir, entry), 0o755)

        workloads = args.workloads.split(",")
        results = {}  # (workload, name) -> [(cpu_s, frames, wall_s, rss)]
        for r in range(args.rounds):
            order = compositors if r % 2 == 0 else list(reversed(compositors))
            for workload in workloads:
                for name, command in order:
                    res = run(name, command, workload, bindir, args.seconds, uid)
                    results.setdefault((workload, name), []).append(res)
                    print("# round %d %-6s %-6s cpu %6.1f ms  frames %4d  %.1f s  rss %d KiB"
                          % (r + 1, workload, name, res[0] * 1e3, res[1], res[2], res[3]),
                          file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(bindir, ignore_errors=True)

    print("headless 1280x720, pixman renderer, %d rounds of %.0f s, alternating order; "
          "min/median/max" % (args.rounds, args.seconds))
    print("%-6s %-7s %9s %17s %20s %14s" % ("load", "", "frames/s", "CPU ms/s",
                                              "CPU µs/frame", "peak RSS MiB"))
    for workload in workloads:
        for name, _ in compositors:
            res = results[(workload, name)]
            fps = [f / w for _, f, w, _ in res]
            cps = [c / w for c, _, w, _ in res]
            # Idle: a stray frame (the clock) is no measure of a frame's cost.
            per_frame = [c / f for c, f, _, _ in res if f > 0] if workload != "idle" else []
            print("%-6s %-7s %9.1f %17s %20s %14.1f" % (
                workload, name, statistics.median(fps), fmt3(cps, 1e3, 1),
                fmt3(per_frame, 1e6) if per_frame else "-",
                statistics.median(r[3] for r in res) / 1024))
    print()
    print("ratios to sway, median (min-max of the per-round ratios):")
    sway = "sway"
    for workload in workloads:
        for name, _ in compositors[:-1]:
            mine, theirs = results[(workload, name)], results[(workload, sway)]
            rss = statistics.median(r[3] for r in mine) / statistics.median(
                r[3] for r in theirs)
            if workload == "idle":
                key = lambda r: r[0] / r[2]
                what = "CPU per second"
            else:
                key = lambda r: r[0] / r[1] if r[1] > 0 else float("nan")
                what = "CPU per frame"
            paired = [key(a) / key(b) for a, b in zip(mine, theirs) if key(b) > 0]
            theirs_median = statistics.median(key(r) for r in theirs)
            if not paired or not theirs_median > 0:
                print("%-6s %-7s %s: sway spent none   peak RSS %.2f" % (
                    workload, name, what, rss))
                continue
            ratio = statistics.median(key(r) for r in mine) / theirs_median
            print("%-6s %-7s %s %.2f (%.2f-%.2f)   peak RSS %.2f" % (
                workload, name, what, ratio, min(paired), max(paired), rss))


if __name__ == "__main__":
    main()
