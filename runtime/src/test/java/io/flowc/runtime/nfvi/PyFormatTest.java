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

  /** Python's str(float) (repr), values checked against CPython. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0.30246096720680476|0.30246096720680476", "0.8|0.8", "0.00001|1e-05", "1.5e16|1.5e+16", "1e16|1e+16",
      "123|123.0", "0.30000000000000004|0.30000000000000004", "0.6666666666666666|0.6666666666666666",
      "0.0001|0.0001", "4.9e-324|5e-324", "1.7976931348623157e308|1.7976931348623157e+308",
      "9999999999999998|9999999999999998.0", "-0.0001234|-0.0001234", "NaN|nan", "-Infinity|-inf", "0|0.0"})
  void reprLikePython(double x, String expected) {
    assertEquals(expected, PyFormat.repr(x));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"0|0", "999|999", "1000|1_000", "1234567|1_234_567", "-12000|-12_000"})
  void underscoreThousands(long n, String expected) {
    assertEquals(expected, PyFormat.underscores(n));
  }
}
