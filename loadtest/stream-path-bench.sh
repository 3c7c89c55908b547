#!/usr/bin/env bash
# CPU cost of the streamed proxy path's per-stream parsing and writing (SSE parse, chunk read, model
# rename, SSE JSON write) for one upstream read of the proxy scenario's stream, without the network.
# Builds the jar and the test classes when missing. See StreamPathBenchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests
[ -d target/test-classes/ai/poncho/provider/openai ] || mvn -B -q test-compile
java -Xmx256m -cp target/ponchoai.jar:target/test-classes ai.poncho.provider.openai.StreamPathBenchmark "$@"
