#!/usr/bin/env bash
# The cost of one limit check itself (no HTTP): check + release of a call charged to a key and a model
# (rpm, tpm, max_parallel) with a budget, on the in-memory limiter and on Redis (one Lua round trip
# each). See LimitCheckBenchmark.
#   loadtest/limit-check-bench.sh [redis://127.0.0.1:6379]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests
[ -d target/test-classes/ai/poncho/limits ] || mvn -B -q test-compile
java -Xmx512m -cp target/ponchoai.jar:target/test-classes ai.poncho.limits.LimitCheckBenchmark "$@" 2>/dev/null
