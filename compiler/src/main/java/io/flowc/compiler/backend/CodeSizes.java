package io.flowc.compiler.backend;

import java.util.LinkedHashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;

/** The bytecode length of each method of a class file (its Code attribute's code_length). */
public final class CodeSizes {
  /** HotSpot compiles no method of this many bytes or more (its HugeMethodLimit): it stays interpreted. */
  public static final int HUGE_METHOD = 8000;

  private CodeSizes() {}

  /** Whether HotSpot would compile every method of the class. */
  public static boolean allCompilable(byte[] classFile) {
    return of(classFile).values().stream().allMatch(size -> size < HUGE_METHOD);
  }

  public static Map<String, Integer> of(byte[] classFile) {
    ClassReader r = new ClassReader(classFile);
    char[] buffer = new char[r.getMaxStringLength()];
    int p = r.header + 6;                       // access_flags, this_class, super_class
    p += 2 + 2 * r.readUnsignedShort(p);         // interfaces
    int fields = r.readUnsignedShort(p);
    p += 2;
    for (int f = 0; f < fields; f++) {
      p = skipMember(r, p);
    }
    int methods = r.readUnsignedShort(p);
    p += 2;
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (int m = 0; m < methods; m++) {
      String name = r.readUTF8(p + 2, buffer);
      int attributes = r.readUnsignedShort(p + 6);
      int a = p + 8;
      for (int k = 0; k < attributes; k++) {
        int length = r.readInt(a + 2);
        if ("Code".equals(r.readUTF8(a, buffer))) {
          sizes.put(name, r.readInt(a + 10)); // max_stack(2), max_locals(2), code_length(4)
        }
        a += 6 + length;
      }
      p = a;
    }
    return sizes;
  }

  private static int skipMember(ClassReader r, int p) {
    int attributes = r.readUnsignedShort(p + 6);
    int a = p + 8;
    for (int k = 0; k < attributes; k++) {
      a += 6 + r.readInt(a + 2);
    }
    return a;
  }
}
