package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class JsonTest {
  /** Every kind of value --json prints, written as Jackson's ObjectMapper writes the same tree. */
  @Test
  void aTreeIsWrittenAsTheObjectMapperWritesIt() throws Exception {
    ObjectNode o = Json.object();
    o.put("model", "pot1 \"quoted\" \\ \u00e9\n\t");
    Json.putNumber(o, "loss", -1.7378935854633590);
    Json.putNumber(o, "tiny", 4.9e-324);
    Json.putNumber(o, "big", 1.7976931348623157e308);
    Json.putNumber(o, "nan", Double.NaN);
    Json.putNumber(o, "inf", Double.NEGATIVE_INFINITY);
    o.put("iterations", 25_000);
    o.put("seed", -9_223_372_036_854_775_808L);
    o.put("float", 0.1f);
    o.put("bigint", new BigInteger("123456789012345678901234567890"));
    o.put("decimal", new BigDecimal("0.1000000000000000055511151231257827"));
    o.put("ok", true);
    o.putNull("none");
    ArrayNode a = o.putArray("draws");
    Json.addNumber(a, 1.5);
    Json.addNumber(a, Double.POSITIVE_INFINITY);
    a.addObject().put("nested", 1).putArray("empty");
    o.putObject("empty");
    String expected = new ObjectMapper().writeValueAsString(o);
    assertEquals(expected, Json.line(o));
    assertEquals(-1, Json.line(o).indexOf('\n'), "one line");
  }
}
