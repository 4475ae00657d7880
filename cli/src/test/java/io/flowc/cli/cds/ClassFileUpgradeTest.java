package io.flowc.cli.cds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import picocli.CommandLine;

class ClassFileUpgradeTest {
  /** An even number of seconds: zip entry times have a resolution of two seconds. */
  private static final long ENTRY_TIME = 1_600_000_000_000L;

  @TempDir
  Path dir;

  @Test
  void aJava5ClassIsRaisedToVersion51WithFramesAndTheRestOfTheJarIsUnchanged() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nMain-Class: Old\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    entries.put("Old.class", oldClassWithBranches());
    entries.put("notes/readme.txt", "not a class".getBytes(StandardCharsets.UTF_8));
    entries.put("New.class", emptyClass("New", Opcodes.V1_8));
    entries.put("WithJsr.class", classWithJsr());
    Path jar = writeJar(dir.resolve("a.jar"), entries);

    ClassFileUpgrade.Result result = ClassFileUpgrade.upgradeJar(jar);

    assertEquals(new ClassFileUpgrade.Result(1, 1, 0), result);
    Map<String, byte[]> after = readJar(jar);
    assertEquals(List.copyOf(entries.keySet()), List.copyOf(after.keySet()), "entry order");
    for (String name : List.of("META-INF/MANIFEST.MF", "notes/readme.txt", "New.class", "WithJsr.class")) {
      assertArrayEquals(entries.get(name), after.get(name), name);
    }
    byte[] raised = after.get("Old.class");
    assertEquals(Opcodes.V1_7, ClassFileUpgrade.majorVersion(raised));
    assertTrue(hasStackMapTable(raised), "frames were computed");
    // version 51: HotSpot's type-checking verifier with no fallback to the old one, so frames must be right
    assertEquals("7 45", runJava(jar, "Old").strip());
  }

  @Test
  void entryTimesAreKept() throws Exception {
    Path jar = writeJar(dir.resolve("t.jar"), Map.of("Old.class", oldClassWithBranches()));
    ClassFileUpgrade.upgradeJar(jar);
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
      assertEquals(ENTRY_TIME, in.getNextEntry().getTime());
    }
  }

  @Test
  void picocliIsRaisedAndEveryClassPassesTheTypeCheckingVerifier() throws Exception {
    Path picocli = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(readJar(picocli).entrySet().stream()
        .anyMatch(e -> e.getKey().endsWith(".class") && ClassFileUpgrade.majorVersion(e.getValue()) < Opcodes.V1_6),
        "picocli no longer ships Java 5 class files: the upgrade may go");
    Path copy = Files.copy(picocli, dir.resolve("picocli.jar"), StandardCopyOption.REPLACE_EXISTING);

    ClassFileUpgrade.Result result = ClassFileUpgrade.upgradeJar(copy);

    assertTrue(result.upgraded() > 100, result.toString());
    assertEquals(0, result.kept(), result.toString());
    for (Map.Entry<String, byte[]> e : readJar(copy).entrySet()) {
      if (e.getKey().endsWith(".class") && !e.getKey().startsWith("META-INF/")) {
        assertTrue(ClassFileUpgrade.majorVersion(e.getValue()) >= Opcodes.V1_6, e.getKey());
      }
    }
    Path testClasses = Path.of(LinkAll.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String out = runJava(testClasses, LinkAll.class.getName(), copy.toString(), String.valueOf(Opcodes.V1_7));
    assertTrue(out.startsWith("linked ") && Integer.parseInt(out.substring(7).strip()) >= result.upgraded() - 10, out);
  }

  // --- class files made with ASM ---

  /**
   * A Java 5 class with a loop and a conditional (so version 51 needs frames) whose main prints
   * max(7, 3) and the sum 0..9.
   */
  private static byte[] oldClassWithBranches() {
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "Old", null, "java/lang/Object", null);
    MethodVisitor max = cw.visitMethod(Opcodes.ACC_STATIC, "max", "(II)I", null, null);
    max.visitCode();
    Label second = new Label();
    max.visitVarInsn(Opcodes.ILOAD, 0);
    max.visitVarInsn(Opcodes.ILOAD, 1);
    max.visitJumpInsn(Opcodes.IF_ICMPLE, second);
    max.visitVarInsn(Opcodes.ILOAD, 0);
    max.visitInsn(Opcodes.IRETURN);
    max.visitLabel(second);
    max.visitVarInsn(Opcodes.ILOAD, 1);
    max.visitInsn(Opcodes.IRETURN);
    max.visitMaxs(0, 0);
    max.visitEnd();
    MethodVisitor main = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "main", "([Ljava/lang/String;)V", null, null);
    main.visitCode();
    // int sum = 0; for (int i = 0; i < 10; i++) sum += i;
    Label test = new Label();
    Label body = new Label();
    main.visitInsn(Opcodes.ICONST_0);
    main.visitVarInsn(Opcodes.ISTORE, 1);
    main.visitInsn(Opcodes.ICONST_0);
    main.visitVarInsn(Opcodes.ISTORE, 2);
    main.visitJumpInsn(Opcodes.GOTO, test);
    main.visitLabel(body);
    main.visitVarInsn(Opcodes.ILOAD, 1);
    main.visitVarInsn(Opcodes.ILOAD, 2);
    main.visitInsn(Opcodes.IADD);
    main.visitVarInsn(Opcodes.ISTORE, 1);
    main.visitIincInsn(2, 1);
    main.visitLabel(test);
    main.visitVarInsn(Opcodes.ILOAD, 2);
    main.visitIntInsn(Opcodes.BIPUSH, 10);
    main.visitJumpInsn(Opcodes.IF_ICMPLT, body);
    main.visitFieldInsn(Opcodes.GETSTATIC, "java/lang/System", "out", "Ljava/io/PrintStream;");
    main.visitTypeInsn(Opcodes.NEW, "java/lang/StringBuilder");
    main.visitInsn(Opcodes.DUP);
    main.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "()V", false);
    main.visitIntInsn(Opcodes.BIPUSH, 7);
    main.visitInsn(Opcodes.ICONST_3);
    main.visitMethodInsn(Opcodes.INVOKESTATIC, "Old", "max", "(II)I", false);
    main.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "append", "(I)Ljava/lang/StringBuilder;", false);
    main.visitLdcInsn(" ");
    main.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "append",
        "(Ljava/lang/String;)Ljava/lang/StringBuilder;", false);
    main.visitVarInsn(Opcodes.ILOAD, 1);
    main.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "append", "(I)Ljava/lang/StringBuilder;", false);
    main.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "toString", "()Ljava/lang/String;", false);
    main.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/io/PrintStream", "println", "(Ljava/lang/String;)V", false);
    main.visitInsn(Opcodes.RETURN);
    main.visitMaxs(0, 0);
    main.visitEnd();
    cw.visitEnd();
    return cw.toByteArray();
  }

  private static byte[] emptyClass(String name, int version) {
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
    cw.visit(version, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name, null, "java/lang/Object", null);
    cw.visitEnd();
    return cw.toByteArray();
  }

  /** A Java 1.4 class with a subroutine (jsr/ret), which frames cannot describe. */
  private static byte[] classWithJsr() {
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(Opcodes.V1_4, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "WithJsr", null, "java/lang/Object", null);
    MethodVisitor m = cw.visitMethod(Opcodes.ACC_STATIC, "f", "()V", null, null);
    m.visitCode();
    Label sub = new Label();
    m.visitJumpInsn(Opcodes.JSR, sub);
    m.visitInsn(Opcodes.RETURN);
    m.visitLabel(sub);
    m.visitVarInsn(Opcodes.ASTORE, 0);
    m.visitVarInsn(Opcodes.RET, 0);
    m.visitMaxs(0, 0);
    m.visitEnd();
    cw.visitEnd();
    return cw.toByteArray();
  }

  private static boolean hasStackMapTable(byte[] classFile) {
    boolean[] found = {false};
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] exceptions) {
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            found[0] = true;
          }
        };
      }
    }, ClassReader.EXPAND_FRAMES);
    return found[0];
  }

  // --- jars and JVMs ---

  private static Path writeJar(Path jar, Map<String, byte[]> entries) throws IOException {
    try (OutputStream raw = Files.newOutputStream(jar); ZipOutputStream out = new ZipOutputStream(raw)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setTime(ENTRY_TIME);
        out.putNextEntry(entry);
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return jar;
  }

  private static Map<String, byte[]> readJar(Path jar) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        entries.put(e.getName(), in.readAllBytes());
      }
    }
    return entries;
  }

  /** Runs a main class in a JVM of its own; returns its output, and fails unless it exits with 0. */
  private String runJava(Object classPath, String mainClass, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:off", "-cp", classPath.toString(), mainClass));
    command.addAll(List.of(args));
    Path log = dir.resolve("java.log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
