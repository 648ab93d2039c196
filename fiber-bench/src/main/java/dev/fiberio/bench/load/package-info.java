/**
 * Load generators written on plain JDK APIs so they favour no contender: the echo load client
 * (NIO selector threads, closed loop, one message in flight per connection, HdrHistogram latencies)
 * and the idle-connection holder of the memory benchmark.
 */
package dev.fiberio.bench.load;
