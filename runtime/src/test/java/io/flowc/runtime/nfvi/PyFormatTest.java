package io.flowc.runtime.nfvi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Python's format(x, ",.5g"), values checked against CPython. */
class PyFormatTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "-1.77724|-1.7772", "-0.890744|-0.89074", "12345.6|12,346", "0.000123456|0.00012346",
      "0.000015|1.5e-05", "1234567|1.2346e+06", "100000|1e+05", "99999|99,999", "-2.5|-2.5", "1|1",
      "0.1|0.1", "123.456|123.46", "-0.0001|-0.0001", "2.5e-300|2.5e-300", "1e100|1e+100", "0.5|0.5",
      "-17772.44|-17,772", "3.14159265|3.1416"})
  void formatsLikePython(double x, String expected) {
    assertEquals(expected, PyFormat.commaG5(x));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"NaN|nan", "Infinity|inf", "-Infinity|-inf", "0|0"})
  void specialValues(double x, String expected) {
    assertEquals(expected, PyFormat.commaG5(x));
  }
}
