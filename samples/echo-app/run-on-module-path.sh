#!/usr/bin/env bash
# Runs the sample with fiberio's jars on the module path, as named modules (dev.fiberio.*): the app in
# the unnamed module reads the exported user API only; the backend SPI is exported to fiberio's modules.
# Needs the artifacts installed (./fiberio test does that first) and JAVA_HOME at a JDK 25.
set -euo pipefail
cd "$(dirname "$0")"
MVN=${MVN:-mvn}
$MVN -q -B -ntp dependency:build-classpath -Dmdep.outputFile=target/module-path.txt -Dmdep.includeScope=runtime >/dev/null
$MVN -q -B -ntp compile >/dev/null
MP=$(cat target/module-path.txt)
"$JAVA_HOME/bin/java" \
  --add-exports java.base/jdk.internal.vm=dev.fiberio.core --add-opens java.base/java.lang=dev.fiberio.core \
  -XX:LockingMode=1 --enable-native-access=dev.fiberio.nativeio,dev.fiberio.epoll \
  --module-path "$MP" --add-modules dev.fiberio.epoll \
  -cp target/classes app.EchoApp
