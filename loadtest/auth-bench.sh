#!/usr/bin/env bash
# What auth adds per request, in-process (ai.poncho.security.AuthBenchmark): ns per authentication for the
# master key, a managed key in memory, and a managed key from the local cache (Redis steady state).
#   loadtest/auth-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
  -Dmdep.includeScope=test >/dev/null
java -Xms512m -Xmx512m -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
  ai.poncho.security.AuthBenchmark
