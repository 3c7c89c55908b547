#!/usr/bin/env sh
# Prints the JVM flags of the default start (scripts/start.sh, the Docker image, loadtest/). Container-aware:
# under a cgroup memory limit the heap is a share of it; without one it is sized for a gateway node.
#   - MaxRAMPercentage=50 under a limit: the other half is for what is not heap (Netty's direct buffers,
#     metaspace, code cache, thread stacks), so RSS stays inside the limit instead of the heap alone.
#   - Without a limit: -Xmx384m, the heap 10,000 concurrent streams need with room to spare (loadtest/README.md).
#   - SerialGC: on the 1-2 cores a gateway node usually gets it has the smallest footprint and its young
#     pauses on this heap are a few ms; G1's remembered sets and concurrent threads cost memory and CPU here.
#   - Bounded metaspace and code cache, and Netty told the direct-memory cap, so nothing grows unseen.
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
  heap="-XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=10"
else
  heap="-Xms64m -Xmx384m"
fi
echo "$heap -XX:+UseSerialGC -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=128m -Xss512k -XX:+ExitOnOutOfMemoryError"
