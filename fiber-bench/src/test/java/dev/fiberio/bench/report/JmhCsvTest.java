package dev.fiberio.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class JmhCsvTest {
    @Test
    void groupsByClassWithoutSuffixAndNamesTheContenderByMethod() {
        Tsv t = JmhCsv.toTsv("""
                "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"
                "dev.fiberio.bench.jmh.YieldBench.fiberio","avgt",1,5,95.123456,3.210000,"ns/op"
                "dev.fiberio.bench.jmh.YieldBench.virtualThread","avgt",1,5,180.5,NaN,"ns/op"
                """);
        assertEquals(List.of("benchmark", "contender", "score", "error (99.9%)", "unit"), t.columns());
        assertEquals(List.of("Yield", "fiberio", "95.1", "3.2", "ns/op"), t.rows().get(0));
        assertEquals(List.of("Yield", "virtualThread", "180.5", "n/a", "ns/op"), t.rows().get(1));
    }

    @Test
    void quotedCommasStayInOneField() {
        assertEquals(List.of("a,b", "c", ""), JmhCsv.fields("\"a,b\",c,"));
    }

    @Test
    void rejectsSomethingElse() {
        assertThrows(IllegalArgumentException.class, () -> JmhCsv.toTsv("x,y\n1,2\n"));
    }
}
