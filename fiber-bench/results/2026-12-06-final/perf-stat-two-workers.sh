#!/usr/bin/env bash
# perfsys.sh <contender> <threads>: io_uring_enter and other syscalls per echo message, 100 conns
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
JAR=/work/bench5/benchmarks-nospin.jar
F=(--add-exports java.base/jdk.internal.vm=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -XX:LockingMode=1 -Xms2g -Xmx2g -XX:+UseG1GC -Dfiberio.log.level=WARN)
case $1 in fiberio-uring) P=(-Dfiberio.net.provider=uring); C=dev.fiberio.bench.servers.FiberioEchoServer;; netty-uring) P=(-Dfiberio.bench.netty.transport=io_uring); C=dev.fiberio.bench.servers.NettyEchoServer;; esac
$J "${F[@]}" "${P[@]}" -cp $JAR $C --port 0 --threads $2 > /tmp/srv.log 2>&1 &
PID=$!
for i in $(seq 60); do PORT=$(sed -n 's/^listening .* port=\([0-9]*\) .*/\1/p' /tmp/srv.log); [ -n "$PORT" ] && break; sleep 0.5; done
$J "${F[@]}" -cp $JAR dev.fiberio.bench.load.EchoLoadClient --port $PORT --connections 100 --size 64 --threads 1 --warmup 3 --duration 12 --format tsv > /tmp/load.tsv 2>/dev/null &
LP=$!
sleep 6
perf stat -e 'syscalls:sys_enter_io_uring_enter,syscalls:sys_enter_futex,syscalls:sys_enter_write,syscalls:sys_enter_read,context-switches' -p $PID -- sleep 5 2>&1 | grep -E "syscalls|context" 
wait $LP
echo "load: $(cat /tmp/load.tsv)"
kill $PID; wait $PID 2>/dev/null
