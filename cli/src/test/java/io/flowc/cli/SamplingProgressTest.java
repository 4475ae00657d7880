package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What NUTS progress shows and when, on a clock the test moves. */
class SamplingProgressTest {
  private final StringWriter text = new StringWriter();
  private final PrintWriter err = new PrintWriter(text);
  private long nanos;

  private SamplingProgress progress(boolean terminal, int chains, int tune, int draws) {
    return new SamplingProgress(err, terminal, chains, tune, draws, () -> nanos);
  }

  private void advance(double seconds) {
    nanos += (long) (seconds * TimeUnit.SECONDS.toNanos(1));
  }

  /** The bar's drawings so far (each starts with a carriage return). */
  private List<String> drawings() {
    List<String> parts = List.of(text.toString().split("\r", -1));
    return parts.subList(1, parts.size());
  }

  @Test
  void aTerminalSeesTheBarAtOnceAndEverySecondDuringASlowWarmUp() {
    // a slow model: 2 chains x (50 tuning + 50 draws), seconds per iteration
    SamplingProgress p = progress(true, 2, 50, 50);
    assertEquals(List.of("[                              ] 0% Sampling 2 chains: 0/200 iterations, tuning, 0 s"),
        drawings());
    advance(0.5);
    p.tick();
    assertEquals(1, drawings().size(), "not yet a second");
    advance(0.5);
    p.tick();
    assertEquals("[                              ] 0% Sampling 2 chains: 0/200 iterations, tuning, 1 s",
        drawings().get(1));
    // an iteration that crosses no percent and comes within the second draws nothing
    advance(0.2);
    p.iterationDone(0, 1);
    assertEquals(2, drawings().size());
    // the second iteration makes 1 %
    p.iterationDone(1, 1);
    assertEquals("[                              ] 1% Sampling 2 chains: 2/200 iterations, tuning, 1 s",
        drawings().get(2));
    advance(1);
    p.iterationDone(0, 2);
    assertEquals("[                              ] 1% Sampling 2 chains: 3/200 iterations, tuning, 2 s",
        drawings().get(3));
  }

  @Test
  void theBarEndsItsLineAtTheEndOrWhenChainsStopEarly() {
    SamplingProgress p = progress(true, 1, 1, 1);
    p.iterationDone(0, 1);
    assertTrue(drawings().get(1).startsWith("[###############               ] 50% Sampling 1 chain: 1/2 iterations, "
        + "drawing"), drawings().toString());
    p.close();
    assertTrue(text.toString().endsWith("\n"), "a chain that stopped early leaves no open line");
    String before = text.toString();
    SamplingProgress q = progress(true, 1, 0, 1);
    q.iterationDone(0, 1);
    q.close();
    assertTrue(text.toString().substring(before.length()).endsWith("100% Sampling 1 chain: 1/1 iterations, "
        + "drawing, 0 s\n"), text.toString());
  }

  @Test
  void aLogGetsALineEveryTenSecondsAndShortRunsNone() {
    SamplingProgress p = progress(false, 2, 10, 10);
    for (int i = 1; i <= 5; i++) {
      advance(1);
      p.iterationDone(0, i);
      p.iterationDone(1, i);
    }
    p.tick();
    assertEquals("", text.toString(), "nothing in the first ten seconds");
    advance(5);
    p.tick();
    assertEquals("Sampling 2 chains: 10/40 iterations (25%), tuning, 10 s" + System.lineSeparator(), text.toString());
    for (int i = 6; i <= 12; i++) {
      p.iterationDone(0, i);
      p.iterationDone(1, i);
    }
    advance(9.9);
    p.tick();
    assertEquals(1, text.toString().lines().count());
    advance(0.1);
    p.iterationDone(0, 13);
    assertEquals("Sampling 2 chains: 25/40 iterations (62%), drawing, 20 s", text.toString().lines().toList().get(1));
    p.close();
    assertEquals(2, text.toString().lines().count(), "no line of its own at the end");
  }
}
