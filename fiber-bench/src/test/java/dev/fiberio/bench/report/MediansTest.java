package dev.fiberio.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MediansTest {
    @Test
    void oneRowPerGroupAndContenderWithTheMedianOfEachColumn() {
        Tsv medians = Medians.of(Tsv.parse("""
                connections\tserver\treq/s\tp99 ms
                16\tfiberio\t100\t3.0
                16\tnetty\t80\t2.50
                16\tfiberio\t300\t1.0
                16\tnetty\t90\t2.00
                16\tfiberio\t200\t9.0
                256\tfiberio\t7\tskipped
                """));
        assertEquals(List.of(
                List.of("16", "fiberio", "200", "3.0"),
                List.of("16", "netty", "85", "2.25"),
                List.of("256", "fiberio", "7", "skipped")), medians.rows());
    }
}
