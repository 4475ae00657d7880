package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.diagnostics.ParameterSummary;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTableTest {
  @Test
  void ordinaryValuesAreFixedAndHugeOnesScientific() {
    String table = SummaryTable.render(List.of(
        new ParameterSummary("x", 1.23456, 0.5, -0.25, 1, 2, 0.01, 812.4, 640.6, 1.004),
        new ParameterSummary("s", Double.POSITIVE_INFINITY, Double.NaN, Double.MAX_VALUE, -9.87e99, 1e9, 12, 2, 2,
            3.2e14)));
    List<String> lines = table.lines().toList();
    assertEquals(3, lines.size(), table);
    assertEquals(List.of("x", "1.235", "0.500", "-0.250", "1.000", "2.000", "0.010", "812", "641", "1.00"),
        List.of(lines.get(1).trim().split(" +")), table);
    assertEquals(List.of("s", "inf", "nan", "1.798e+308", "-9.870e+99", "1.000e+09", "12.000", "2", "2", "3.200e+14"),
        List.of(lines.get(2).trim().split(" +")), table);
    assertTrue(lines.get(0).length() < 120, "columns stay narrow: " + table);
  }
}
