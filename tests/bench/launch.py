#!/usr/bin/env python3
"""Launch latency: from a start request to the VMM's first instruction.

Headless tinct runs a `command` VM whose VMM is tests/bench/exec-stamp,
which writes the time it starts running. Each sample takes the time just
before `tinctctl start` is run and the stamp, so it includes tinctctl's own
start-up; the same is measured for a direct spawn of exec-stamp from this
script, the floor any launcher has. Prints min/median/max of both, of a
bare tinctctl request, and tinct's own part. Not a test: numbers depend on the machine.

    tests/bench/launch.py [BUILD_DIR] [SAMPLES]
"""
import json, os, statistics, subprocess, sys, tempfile, time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "build"))
samples = int(sys.argv[2]) if len(sys.argv) > 2 else 20
stamp_prog = os.path.join(build, "tests/bench/exec-stamp")
tinctctl = os.path.join(build, "tinctctl/tinctctl")


def wait(cond, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.005)
    return False


def stamps(path):
    try:
        with open(path) as f:
            return [int(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def summary(name, values):
    ms = sorted(v / 1e6 for v in values)
    print(f"{name:28s} min {ms[0]:6.2f} ms  median {statistics.median(ms):6.2f} ms  "
          f"max {ms[-1]:6.2f} ms")
    return statistics.median(ms)


with tempfile.TemporaryDirectory(prefix="tinct-bench-launch.") as d:
    run = os.path.join(d, "run")
    os.mkdir(run, 0o700)
    os.mkdir(os.path.join(d, "vms"))
    stamp_file = os.path.join(d, "stamps")
    with open(os.path.join(d, "vms", "bench.ini"), "w") as f:
        f.write(f"[vm]\ncolour = orange\nvmm = command\ncommand = {stamp_prog} {stamp_file}\n"
                "stop-timeout = 1\n[guest]\nready = console\n")
    env = dict(os.environ, XDG_RUNTIME_DIR=run, XDG_CONFIG_HOME=os.path.join(d, "config"),
               WLR_BACKENDS="headless", WLR_RENDERER="pixman", WLR_LIBINPUT_NO_DEVICES="1")
    env.pop("WAYLAND_DISPLAY", None)
    log = open(os.path.join(d, "tinct.log"), "w")
    tinct = subprocess.Popen([os.path.join(build, "compositor/tinct"), "--vms",
                              os.path.join(d, "vms")], env=env, stdout=log, stderr=log)
    try:
        if not wait(lambda: any(n.startswith("wayland-") and not n.endswith(".lock")
                                for n in os.listdir(run)), 20):
            sys.exit("bench: tinct did not start")
        env["WAYLAND_DISPLAY"] = next(n for n in os.listdir(run)
                                      if n.startswith("wayland-") and not n.endswith(".lock"))

        def state():
            out = subprocess.run([tinctctl, "--json", "list"], env=env, capture_output=True,
                                 text=True).stdout
            return next((v["state"] for v in json.loads(out or "[]") if v["name"] == "bench"),
                        None)

        via_tinct = []
        for i in range(samples):
            before = len(stamps(stamp_file))
            t0 = time.time_ns()
            subprocess.run([tinctctl, "start", "bench"], env=env, check=True)
            if not wait(lambda: len(stamps(stamp_file)) > before, 10):
                sys.exit("bench: the VMM never ran")
            via_tinct.append(stamps(stamp_file)[-1] - t0)
            subprocess.run([tinctctl, "kill", "bench"], env=env, capture_output=True)
            wait(lambda: state() in ("stopped", "crashed"), 10)
        # What a request costs before tinct acts: tinctctl's start-up and a
        # roundtrip, measured alone.
        request = []
        for i in range(samples):
            t0 = time.time_ns()
            subprocess.run([tinctctl, "list"], env=env, capture_output=True, check=True)
            request.append(time.time_ns() - t0)
        direct = []
        for i in range(samples):
            before = len(stamps(stamp_file))
            t0 = time.time_ns()
            p = subprocess.Popen([stamp_prog, stamp_file])
            wait(lambda: len(stamps(stamp_file)) > before, 10)
            direct.append(stamps(stamp_file)[-1] - t0)
            p.kill()
            p.wait()
    finally:
        tinct.terminate()
        tinct.wait(timeout=20)
    print(f"launch latency, {samples} samples each (request to the VMM's first instruction):")
    a = summary("tinctctl start -> VMM runs", via_tinct)
    r = summary("tinctctl list (the request)", request)
    b = summary("direct spawn -> program runs", direct)
    print(f"tinct's own part (start minus request, medians): {a - r:.2f} ms")
    print(f"ratio tinct/direct (medians): {a / b:.2f}")
