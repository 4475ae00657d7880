package io.flowc.runtime.nfvi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.runtime.flow.FlowFormulas;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackerTest {

  /** A matrix element's name has a comma: its header field is quoted, so the CSV keeps one column per element. */
  @Test
  void matrixElementNamesAreQuotedInTheCsvHeader() throws IOException {
    List<String> names = FlowFormulas.layout("realnvp(hidden=1,layers=1)", 2).elementNames();
    assertEquals(List.of("realnvp_0.net.0.weight[0,0]", "realnvp_0.net.0.bias[0]", "realnvp_0.out.weight[0,0]",
        "realnvp_0.out.weight[1,0]", "realnvp_0.out.bias[0]", "realnvp_0.out.bias[1]"), names);
    StringWriter out = new StringWriter();
    new Tracker(1, names.subList(0, 2)).writeCsv(out);
    assertEquals("iteration,\"realnvp_0.net.0.weight[0,0]\",realnvp_0.net.0.bias[0],"
        + "\"grad.realnvp_0.net.0.weight[0,0]\",grad.realnvp_0.net.0.bias[0]\n", out.toString());
  }
}
