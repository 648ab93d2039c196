package dev.fiberio.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LineChartTest {
    private static final Tsv HTTP = Tsv.parse("""
            connections\tserver\treq/s
            16\tfiberio\t30000
            16\tnetty & co\t20000
            256\tfiberio\t45000
            256\tnetty & co\t40000
            1024\tfiberio\t44000
            1024\tnetty & co\tskipped
            """);

    @Test
    void drawsOneLinePerContenderWithAPointPerMeasuredGroup() throws Exception {
        Document doc = parse(LineChart.svg(HTTP, "req/s", "HTTP <plaintext>", "connections", "requests/s"));
        NodeList lines = doc.getElementsByTagName("polyline");
        assertEquals(2, lines.getLength());
        assertEquals(3, ((Element) lines.item(0)).getAttribute("points").split(" ").length);
        assertEquals(2, ((Element) lines.item(1)).getAttribute("points").split(" ").length, "the skipped value is not drawn");
        assertEquals(5, doc.getElementsByTagName("circle").getLength());
        assertTrue(doc.getDocumentElement().getTextContent().contains("HTTP <plaintext>"), "title escaped and kept");
    }

    @Test
    void higherValuesAreDrawnHigher() throws Exception {
        Document doc = parse(LineChart.svg(HTTP, "req/s", "t", "x", "y"));
        String[] fiberio = ((Element) doc.getElementsByTagName("polyline").item(0)).getAttribute("points").split(" ");
        double y16 = Double.parseDouble(fiberio[0].split(",")[1]);
        double y256 = Double.parseDouble(fiberio[1].split(",")[1]);
        assertTrue(y256 < y16, "45k is above 30k (SVG y grows downwards)");
    }

    @Test
    void tickStepsAreRound() {
        assertEquals(10_000, LineChart.tickStep(45_000));
        assertEquals(20_000, LineChart.tickStep(100_000));
        assertEquals(0.5, LineChart.tickStep(2.5), 1e-12);
        assertEquals(1, LineChart.tickStep(0));
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
}
