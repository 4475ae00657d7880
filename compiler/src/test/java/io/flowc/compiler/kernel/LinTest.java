package io.flowc.compiler.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Linear forms of workspace slots, against values worked out by hand. */
class LinTest {
  private static final double[] W = {0, 7, 0, 100, 0, 3};

  @Test
  void sumsMergeSlotsAndDropCancelledOnes() {
    Lin a = Lin.slot(5, 2).plus(Lin.slot(1, 1)).plus(4); // 2 w[5] + w[1] + 4
    Lin b = Lin.slot(3, 1).plus(Lin.slot(1, -1));         // w[3] - w[1]
    Lin sum = a.plus(b);
    assertArrayEquals(new int[] {3, 5}, sum.slots());
    assertEquals(2 * 3 + 7 + 4 + 100 - 7, sum.evaluate(W));
    assertEquals(a.evaluate(W) + b.evaluate(W), sum.evaluate(W));
    assertTrue(Lin.of(3).plus(Lin.of(-3)).equals(Lin.ZERO));
    assertTrue(Lin.slot(1, 1).isSlot());
    assertFalse(Lin.slot(1, 1).plus(1).isSlot());
  }

  @Test
  void theMaximumIsCoefficientwiseAndKeepsSlotsThatASumWouldCancel() {
    Lin a = Lin.slot(1, 1).plus(10);                       // w[1] + 10
    Lin b = Lin.slot(1, -1).plus(Lin.slot(3, 2)).plus(4);  // -w[1] + 2 w[3] + 4
    Lin max = a.max(b);                                    // w[1] + 2 w[3] + 10
    assertArrayEquals(new int[] {1, 3}, max.slots());
    assertEquals(7 + 200 + 10, max.evaluate(W));
    assertTrue(max.evaluate(W) >= Math.max(a.evaluate(W), b.evaluate(W)));
    assertEquals(Lin.of(5), Lin.of(5).max(Lin.of(2)));
  }
}
