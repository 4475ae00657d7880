package io.flowc.runtime.nfvi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartSelectionTest {

  private static Restart restart(int index, Fit.Status status, double finalLoss) {
    Fit fit = new Fit(new double[] {index}, new double[1000], status, 1000, status == Fit.Status.NOT_FINITE
        ? "the loss is NaN at iteration 1000; the parameters are those before it" : "");
    double[] ratios = new double[10_000];
    Arrays.fill(ratios, -finalLoss);
    return new Restart(index, 100 + index, fit, new Nfvi.Evaluation(finalLoss, 0.01, ratios), null, 0.5, 0.1);
  }

  @Test
  void theBestSucceededRestartWinsWhateverComesBefore() {
    RestartSelection selection = new RestartSelection();
    selection.add(restart(0, Fit.Status.NOT_FINITE, Double.NaN));
    selection.add(restart(1, Fit.Status.FINISHED, Double.POSITIVE_INFINITY));
    selection.add(restart(2, Fit.Status.FINISHED, 3.5));
    selection.add(restart(3, Fit.Status.FINISHED, Double.NEGATIVE_INFINITY));
    selection.add(restart(4, Fit.Status.FINISHED, 3.1));
    selection.add(restart(5, Fit.Status.FINISHED, 3.1));
    selection.add(restart(6, Fit.Status.NOT_FINITE, Double.NaN));
    assertEquals(4, selection.best().index());
    assertEquals(4, selection.failures());
    List<Restart.Summary> summaries = selection.summaries();
    assertEquals(7, summaries.size());
    assertEquals(List.of("not_finite", "not_finite", "finished", "not_finite", "finished", "finished", "not_finite"),
        summaries.stream().map(Restart.Summary::status).toList());
    assertEquals(103, summaries.get(3).seed());
  }

  @Test
  void withoutASucceededRestartTheFirstIsReported() {
    RestartSelection selection = new RestartSelection();
    assertNull(selection.best());
    selection.add(restart(0, Fit.Status.FINISHED, Double.POSITIVE_INFINITY));
    selection.add(restart(1, Fit.Status.NOT_FINITE, Double.NaN));
    assertEquals(0, selection.best().index());
    assertFalse(selection.best().succeeded());
    assertEquals(2, selection.failures());
    assertTrue(selection.best().failure().startsWith("the final loss is Infinity: "), selection.best().failure());
  }

  /** However many restarts run, only the best one's fit and draws stay reachable. */
  @Test
  void onlyTheBestRestartsStateIsRetained() {
    RestartSelection selection = new RestartSelection();
    List<WeakReference<Restart>> added = new ArrayList<>();
    for (int r = 0; r < 50; r++) {
      Restart each = restart(r, Fit.Status.FINISHED, r == 17 ? 1.0 : 2.0 + r);
      added.add(new WeakReference<>(each));
      selection.add(each);
    }
    Restart best = selection.best();
    assertEquals(17, best.index());
    for (int attempt = 0; attempt < 50 && retained(added) > 1; attempt++) {
      System.gc();
    }
    assertEquals(1, retained(added));
    assertSame(best, added.get(17).get());
    assertEquals(50, selection.summaries().size());
  }

  private static long retained(List<WeakReference<Restart>> refs) {
    return refs.stream().filter(ref -> ref.get() != null).count();
  }
}
