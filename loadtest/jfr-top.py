#!/usr/bin/env python3
"""Summarises a JFR recording: where the CPU samples and the sampled allocations go.

  python3 loadtest/jfr-top.py recording.jfr [--from HH:MM:SS --to HH:MM:SS] [--top 25] [--thread vert.x-eventloop]

Prints, for jdk.ExecutionSample (CPU) and jdk.ObjectAllocationSample (allocation, weighted by bytes):
  self       the top frame (where the time is spent)
  inclusive  every distinct method on the stack (what the time is spent under), as a share of all samples
  areas      samples bucketed by the first frame of a known subsystem (ours, Vert.x, Netty, Jackson, ...)
Shares, not absolute numbers, are what to compare between runs on a noisy machine.
"""
import argparse
import collections
import json
import subprocess
import sys

# First matching prefix (from the top of the stack) names the area a sample belongs to.
AREAS = [
    ("ai/poncho/provider/http/SseParser", "poncho: SSE parse"),
    ("ai/poncho/provider/openai/ChunkReader", "poncho: chunk JSON read"),
    ("ai/poncho/provider/openai", "poncho: OpenAI translate"),
    ("ai/poncho/chat/JsonOut", "poncho: chunk JSON write"),
    ("ai/poncho/chat", "poncho: chat records/JSON"),
    ("ai/poncho/bus", "poncho: bus stream pump/consumer"),
    ("ai/poncho/http/SseWriter", "poncho: SSE write"),
    ("ai/poncho/metrics", "poncho: metrics"),
    ("ai/poncho/usage", "poncho: usage/metering"),
    ("ai/poncho", "poncho: other"),
    ("com/fasterxml/jackson", "jackson"),
    ("io/vertx/core/json", "vert.x json"),
    ("io/vertx/core/eventbus", "vert.x event bus"),
    ("io/vertx/core/http", "vert.x http"),
    ("io/vertx/ext/web", "vert.x web"),
    ("io/vertx", "vert.x other"),
    ("io/micrometer", "micrometer"),
    ("io/netty/handler/codec/http", "netty http codec"),
    ("io/netty/channel/epoll", "netty epoll/syscalls"),
    ("io/netty/channel/nio", "netty nio/syscalls"),
    ("io/netty", "netty other"),
    ("sun/nio/ch", "jdk nio/syscalls"),
    ("java/", "jdk"),
    ("jdk/", "jdk"),
]


def events(path, kind):
    out = subprocess.run(["jfr", "print", "--json", "--events", kind, path], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(frame):
    method = frame["method"]
    return method["type"]["name"] + "." + method["name"]


def area(frames):
    for frame in frames:
        name = frame_name(frame)
        for prefix, label in AREAS:
            if name.startswith(prefix):
                if label in ("jdk",):
                    break  # a JDK frame: look further down for who called it
                return label
    for frame in frames:
        if frame_name(frame).startswith(("java/", "jdk/")):
            return "jdk"
    return "other"


def summarise(evs, weight, args, title):
    self_c, incl_c, area_c = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for ev in evs:
        v = ev["values"]
        t = v["startTime"][11:19]
        if (args.start and t < args.start) or (args.end and t > args.end):
            continue
        thread = (v.get("sampledThread") or v.get("eventThread") or {}).get("javaName") or ""
        if args.thread and args.thread not in thread:
            continue
        st = v.get("stackTrace")
        if not st or not st["frames"]:
            continue
        w = weight(v)
        total += w
        frames = st["frames"]
        self_c[frame_name(frames[0])] += w
        for name in {frame_name(f) for f in frames}:
            incl_c[name] += w
        area_c[area(frames)] += w
    print(f"\n=== {title}: {total:,.0f} {'samples' if weight is one else 'bytes sampled'}")
    if not total:
        return
    for label, counter in (("self", self_c), ("inclusive", incl_c), ("areas", area_c)):
        print(f"--- {label}")
        for name, c in counter.most_common(args.top if label != "areas" else 40):
            print(f"  {100.0 * c / total:5.1f}%  {name.replace('/', '.')}")


def one(_):
    return 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("jfr")
    p.add_argument("--from", dest="start")
    p.add_argument("--to", dest="end")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--thread", default="")
    p.add_argument("--no-alloc", action="store_true")
    args = p.parse_args()
    summarise(events(args.jfr, "jdk.ExecutionSample"), one, args, "CPU")
    if not args.no_alloc:
        summarise(events(args.jfr, "jdk.ObjectAllocationSample"), lambda v: v.get("weight", 0), args, "allocation")


if __name__ == "__main__":
    sys.exit(main())
