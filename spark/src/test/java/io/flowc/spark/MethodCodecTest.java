package io.flowc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nuts.NutsSettings;
import io.flowc.runtime.optim.Adam;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A method travels to executors as Java serialization carries it, and arrives equal. */
class MethodCodecTest {
  private static FitMethod travelled(FitMethod method) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(MethodCodec.encode(method));
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return MethodCodec.decode((Serializable) in.readObject());
    }
  }

  @Test
  void nfviSettingsAndTheirOptimizerArriveEqual() throws Exception {
    FitMethod nfvi = new FitMethod.Nfvi("scale-hh*3-loc", new Nfvi.Settings(3000, new Adam(0.01, 0.8, 0.99, 1e-7), 2, 0.5,
        9, 4.0, List.of(), 100, 0.1), 3, 250);
    assertEquals(nfvi, travelled(nfvi));
  }

  @Test
  void nutsSettingsWithStartingPointsArriveEqual() throws Exception {
    double[][] starts = {{0.5, -1, 2}};
    FitMethod.Nuts nuts = new FitMethod.Nuts(new NutsSettings(300, 200, 2, 0.9, 8, 6, 3, 1, starts));
    FitMethod.Nuts back = (FitMethod.Nuts) travelled(nuts);
    assertEquals(nuts.settings().draws(), back.settings().draws());
    assertEquals(nuts.settings().targetAccept(), back.settings().targetAccept());
    assertEquals(nuts.settings().earlyMaxTreeDepth(), back.settings().earlyMaxTreeDepth());
    assertArrayEquals(starts[0], back.settings().starts()[0]);
  }

  @Test
  void aCallbackCannotTravel() {
    FitMethod nfvi = new FitMethod.Nfvi("scale-loc", new Nfvi.Settings(10, new Adam(), 1, 1, 0,
        Nfvi.Settings.NO_CLIPPING, List.of(progress -> null)), 1, 10);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MethodCodec.encode(nfvi));
    assertTrue(e.getMessage().startsWith("method.settings.callbacks[0] (io.flowc.spark.MethodCodecTest$$Lambda"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith(") cannot be sent to executors: only records of numbers, strings, lists and arrays "
        + "can"), e.getMessage());
  }
}
