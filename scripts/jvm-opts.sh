#!/usr/bin/env bash
# Prints the JVM flags of the default start (scripts/start.sh, the Docker image, loadtest/). Container-aware:
# under a cgroup memory limit the heap is a share of it; without one it is sized for a gateway node.
#   - MaxRAMPercentage=75 under a limit (as docker/Dockerfile): a 512 MB container gets the 384 MB heap
#     measured for 10,000 streams, the rest is for what is not heap (Netty's direct buffers, metaspace,
#     code cache, thread stacks: ~70 MB there), so RSS stays inside the limit.
#   - Without a limit: -Xms64m -Xmx384m, the heap 10,000 concurrent streams need with room to spare
#     (loadtest/README.md); the JVM's default (a quarter of the host's RAM) let RSS pass 1 GiB.
#   - A young generation of at most 32 MB, and a heap that gives memory back (Min/MaxHeapFreeRatio):
#     the gateway's garbage is short-lived (a request's or a chunk's), so a young collection finds
#     little alive and its cost does not grow with a smaller young generation, while ParallelGC's
#     adaptive sizing otherwise grows it towards the maximum heap under a steady allocation rate.
#     Under the proxy benchmark (loadtest/README.md) RSS went from ~400-540 MB to ~200 MB.
#   - ParallelGC: a footprint as small as SerialGC's, but young collections use every core, which halved
#     the pauses that dominate /health/live's p99 with 10,000 streams; G1 cost ~60-80 MB more RSS there
#     for no better latency. PONCHO_GC=SerialGC or G1GC picks another collector.
#   - Bounded metaspace, code cache and direct memory, so nothing grows unseen.
#   - TrimNativeHeapInterval (JDK 17.0.9+; left out on a JVM without it): every 5 s the JVM gives the C heap's
#     free memory back to the OS (the JIT's arenas, freed Netty and Jackson buffers), which glibc otherwise
#     keeps; with MALLOC_ARENA_MAX=2 (an environment variable: scripts/start.sh and the Docker image set it)
#     RSS under the proxy benchmark went from ~212 to ~183-199 MB (loadtest/README.md, "Where the RSS goes").
limit=""
if [ -r /sys/fs/cgroup/memory.max ]; then
  limit=$(cat /sys/fs/cgroup/memory.max)
elif [ -r /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
  limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
fi
case "$limit" in
  ""|max) limited="" ;;
  *) [ "$limit" -lt 1099511627776 ] && limited=1 || limited="" ;;
esac
if [ -n "$limited" ]; then
  heap="-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=25"
else
  heap="-Xms64m -Xmx384m"
fi
trim=""
if java -XX:TrimNativeHeapInterval=5000 -version >/dev/null 2>&1; then
  trim=" -XX:TrimNativeHeapInterval=5000"
fi
echo "$heap -XX:MaxNewSize=32m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+Use${PONCHO_GC:-ParallelGC} -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=128m -Xss512k -XX:+ExitOnOutOfMemoryError$trim"
