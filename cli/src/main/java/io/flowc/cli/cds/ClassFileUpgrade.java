package io.flowc.cli.cds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Raises class files older than Java 6 (version 50) in a jar to version 51, with stack map frames
 * computed by ASM. HotSpot's class-data sharing leaves such classes out ("Pre JDK 6 class not
 * supported by CDS": they need the old inference verifier), and picocli and ASM are compiled for
 * Java 5, so without this the archive misses the command line parser that every command starts
 * with. Version 51 rather than 50: from 51 on HotSpot's type-checking verifier does not fall back
 * to the old one, so a wrong frame would fail at once instead of being papered over. The code
 * itself is unchanged (ASM recomputes frames and maximum stack sizes, and would replace
 * unreachable code, which javac does not emit, by {@code nop ... athrow}). A class ASM cannot
 * rewrite (one with {@code jsr}, or whose frames need a type missing from the jar) is kept as it
 * was.
 */
public final class ClassFileUpgrade {
  /** Class files older than this (Java 6) are left out of class-data-sharing archives. */
  static final int SHAREABLE_VERSION = Opcodes.V1_6;

  /** The version they are raised to (Java 7): the first without the old verifier's fallback. */
  static final int RAISED_VERSION = Opcodes.V1_7;

  private ClassFileUpgrade() {
  }

  /**
   * What an upgrade did: class files raised, those that had to stay as they were, and flowc's
   * records given methods of their own ({@link RecordMethods}).
   */
  public record Result(int upgraded, int kept, int records) {
  }

  /**
   * Rewrites {@code jar} in place (through a temporary file beside it and a rename), raising every
   * class file older than {@link #SHAREABLE_VERSION} to {@link #RAISED_VERSION} and giving flowc's
   * records (classes under {@code io/flowc/}) equals, hashCode and toString of their own
   * ({@link RecordMethods}). Entries keep their order, names and times.
   */
  public static Result upgradeJar(Path jar) throws IOException {
    Path tmp = Files.createTempFile(jar.toAbsolutePath().getParent(), jar.getFileName().toString(), ".tmp");
    int upgraded = 0;
    int kept = 0;
    int records = 0;
    try (URLClassLoader types = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        InputStream raw = Files.newInputStream(jar);
        ZipInputStream in = new ZipInputStream(raw);
        OutputStream rawOut = Files.newOutputStream(tmp);
        ZipOutputStream out = new ZipOutputStream(rawOut)) {
      for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
        byte[] bytes = in.readAllBytes();
        if (entry.getName().endsWith(".class") && majorVersion(bytes) < SHAREABLE_VERSION) {
          byte[] raised = upgrade(bytes, types);
          if (raised != null) {
            bytes = raised;
            upgraded++;
          } else {
            kept++;
          }
        }
        if (entry.getName().startsWith("io/flowc/") && entry.getName().endsWith(".class")) {
          byte[] rewritten = RecordMethods.rewrite(bytes, types);
          if (rewritten != null) {
            bytes = rewritten;
            records++;
          }
        }
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setTime(entry.getTime());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    keepPermissions(jar, tmp);
    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new Result(upgraded, kept, records);
  }

  /** Gives {@code copy} the POSIX permissions of {@code original} (a temporary file's are 0600). */
  private static void keepPermissions(Path original, Path copy) throws IOException {
    try {
      Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(original));
    } catch (UnsupportedOperationException notPosix) {
      // the file system has no POSIX permissions to keep
    }
  }

  /** The class file's major version (bytes 6 and 7), or Integer.MAX_VALUE if it is too short. */
  static int majorVersion(byte[] classFile) {
    return classFile.length < 8 ? Integer.MAX_VALUE : ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
  }

  /** A writer that computes frames, resolving the types they merge through {@code types}. */
  static ClassWriter framesWriter(ClassLoader types) {
    return new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
      @Override
      protected ClassLoader getClassLoader() {
        return types;
      }
    };
  }

  /**
   * The class raised to {@link #RAISED_VERSION} with frames computed, resolving the types that
   * frames merge through {@code types}; null if ASM cannot rewrite it.
   */
  static byte[] upgrade(byte[] classFile, ClassLoader types) {
    ClassWriter writer = framesWriter(types);
    ClassVisitor raise = new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        super.visit(RAISED_VERSION, access, name, signature, superName, interfaces);
      }
    };
    try {
      new ClassReader(classFile).accept(raise, 0);
      return writer.toByteArray();
    } catch (RuntimeException | LinkageError e) {
      // jsr/ret (COMPUTE_FRAMES refuses them) or a type missing from the class path
      return null;
    }
  }
}
