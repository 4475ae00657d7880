package io.flowc.cli.cds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Records whose equals, hashCode and toString are javac's ObjectMethods call sites, against the same
 * classes rewritten by {@link RecordMethods} and loaded apart: the same answers on the same
 * components, every primitive type, references, nulls, arrays (compared by identity, as records do),
 * NaN and signed zeros.
 */
class RecordMethodsTest {
  record Everything(boolean z, byte b, char c, short s, int i, long j, float f, double d, String text, Object any,
      int[] array) {}

  record Empty() {}

  record One(double value) {}

  record Nested(One one, List<String> names) {}

  /** Loads the rewritten form of a record class of this test, and no other class, on its own. */
  private static final class Rewritten extends ClassLoader {
    Rewritten() {
      super(RecordMethodsTest.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith(RecordMethodsTest.class.getName() + "$") || name.contains("Rewritten")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded != null) {
          return loaded;
        }
        byte[] original = bytes(name);
        byte[] rewritten = RecordMethods.rewrite(original, RecordMethodsTest.class.getClassLoader());
        byte[] code = rewritten == null ? original : rewritten;
        return defineClass(name, code, 0, code.length);
      }
    }
  }

  private static byte[] bytes(String className) {
    try (InputStream in = RecordMethodsTest.class.getClassLoader().getResourceAsStream(className.replace('.', '/') + ".class")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The canonical constructor, callable from here though the class was defined by another loader. */
  private static Constructor<?> constructor(Class<?> record) {
    Constructor<?> c = record.getDeclaredConstructors()[0];
    c.setAccessible(true);
    return c;
  }

  private static final int[] SHARED = {1, 2};

  private static Object[] values(Random r, int variant) {
    double[] doubles = {0.0, -0.0, Double.NaN, 1.5, -2.25e300, Double.NEGATIVE_INFINITY};
    float[] floats = {0f, -0f, Float.NaN, 0.1f, 3e38f};
    return new Object[] {variant % 2 == 0, (byte) (variant % 3 - 1), (char) ('a' + variant % 3), (short) (variant % 4 * 1000),
        variant % 5 - 2, (variant % 3) * 1_000_000_000_000L, floats[variant % floats.length],
        doubles[variant % doubles.length], variant % 4 == 0 ? null : "t" + variant % 3,
        variant % 3 == 0 ? null : Integer.valueOf(variant % 2), variant % 2 == 0 ? SHARED : new int[] {1, 2}};
  }

  @Test
  void rewrittenRecordsAnswerAsJavacsDo() throws Exception {
    Rewritten loader = new Rewritten();
    Class<?> everything = loader.loadClass(Everything.class.getName());
    assertTrue(everything != Everything.class && everything.getClassLoader() == loader);
    Constructor<?> made = constructor(everything);
    Constructor<?> original = constructor(Everything.class);
    List<Object[]> samples = new ArrayList<>();
    Random r = new Random(3);
    for (int v = 0; v < 60; v++) {
      samples.add(values(r, v));
    }
    for (Object[] a : samples) {
      Object x = original.newInstance(a);
      Object y = made.newInstance(a);
      assertEquals(x.hashCode(), y.hashCode(), x.toString());
      assertEquals(x.toString(), y.toString());
      assertTrue(y.equals(y));
      assertFalse(y.equals(null));
      assertFalse(y.equals("not a record"));
      assertFalse(y.equals(x), "another class");
      for (Object[] b : samples) {
        assertEquals(x.equals(original.newInstance(b)), y.equals(made.newInstance(b)), x + " vs " + original.newInstance(b));
      }
    }

    Object empty = constructor(loader.loadClass(Empty.class.getName())).newInstance();
    assertEquals(new Empty().hashCode(), empty.hashCode());
    assertEquals(new Empty().toString(), empty.toString());
    Class<?> nested = loader.loadClass(Nested.class.getName());
    Class<?> one = loader.loadClass(One.class.getName());
    Object oneMade = constructor(one).newInstance(2.5);
    Object nestedMade = constructor(nested).newInstance(oneMade, List.of("a", "b"));
    Nested nestedOriginal = new Nested(new One(2.5), List.of("a", "b"));
    assertEquals(nestedOriginal.hashCode(), nestedMade.hashCode());
    assertEquals(nestedOriginal.toString(), nestedMade.toString());
    assertTrue(nestedMade.equals(constructor(nested).newInstance(constructor(one).newInstance(2.5), List.of("a", "b"))));
  }

  @Test
  void onlyRecordsWithObjectMethodsCallSitesAreRewritten() throws Exception {
    assertNull(RecordMethods.rewrite(bytes(RecordMethodsTest.class.getName()), getClass().getClassLoader()), "not a record");
    byte[] rewritten = RecordMethods.rewrite(bytes(One.class.getName()), getClass().getClassLoader());
    assertNotNull(rewritten);
    assertFalse(new String(rewritten, java.nio.charset.StandardCharsets.ISO_8859_1).contains("java/lang/runtime/ObjectMethods"),
        "no call site of ObjectMethods is left");
  }
}
