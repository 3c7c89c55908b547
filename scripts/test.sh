#!/usr/bin/env bash
# Runs the whole test suite (unit, integration over loopback, conformance) and packages the jar.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B verify "$@"
