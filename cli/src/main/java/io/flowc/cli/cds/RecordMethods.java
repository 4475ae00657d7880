package io.flowc.cli.cds;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Gives a record class's {@code equals}, {@code hashCode} and {@code toString} bytecode of their
 * own in place of javac's {@code invokedynamic} of {@code java.lang.runtime.ObjectMethods}: the
 * first call of each such method in a process links it by building a tree of method handles, whose
 * lambda forms HotSpot 17 spins as classes at run time (no archive holds them). A fit's compilation
 * meets eight of them, about 30 ms of a fresh process; the first record's alone took 45-50 ms in a
 * JVM without flowc's archive. The code written here computes what ObjectMethods computes: equals
 * is identity, then the class, then the components from the last to the first (primitives with
 * {@code ==}, float and double with {@code compare == 0}, references with {@code Objects.equals});
 * hashCode is {@code h = 31 h + hash(c)} over the components from 0, each hashed by its wrapper's
 * {@code hashCode} or {@code Objects.hashCode}; toString is {@code Name[a=1, b=x]}
 * (RecordMethodsTest compares both forms of the same records). The build applies it to flowc's
 * own classes in the CLI's jar only ({@link ClassFileUpgrade#upgradeJar}).
 */
final class RecordMethods {
  private static final String OBJECT_METHODS = "java/lang/runtime/ObjectMethods";

  private RecordMethods() {
  }

  /** One component: the field the record's accessor reads. */
  private record Component(String name, String descriptor) {
  }

  /**
   * The class with its ObjectMethods call sites replaced by calls of static methods added to it,
   * or null if it has none.
   */
  static byte[] rewrite(byte[] classFile, ClassLoader types) {
    ClassReader reader = new ClassReader(classFile);
    if (!"java/lang/Record".equals(reader.getSuperName())) {
      return null;
    }
    String owner = reader.getClassName();
    List<String> replaced = new ArrayList<>();
    List<Component> components = new ArrayList<>();
    // a fresh constant pool: the bootstrap methods no call site uses any more are left out
    ClassWriter writer = ClassFileUpgrade.framesWriter(types);
    ClassVisitor visitor = new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
        return new MethodVisitor(Opcodes.ASM9, next) {
          @Override
          public void visitInvokeDynamicInsn(String indyName, String indyDescriptor, Handle bootstrap, Object... args) {
            if (!bootstrap.getOwner().equals(OBJECT_METHODS) || !List.of("equals", "hashCode", "toString")
                .contains(indyName)) {
              super.visitInvokeDynamicInsn(indyName, indyDescriptor, bootstrap, args);
              return;
            }
            if (components.isEmpty()) {
              for (int k = 2; k < args.length; k++) {
                Handle getter = (Handle) args[k];
                components.add(new Component(getter.getName(), getter.getDesc()));
              }
            }
            if (!replaced.contains(indyName)) {
              replaced.add(indyName);
            }
            // the same operands (the record, and for equals the other object), now a static call
            super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, helperName(indyName), indyDescriptor, false);
          }
        };
      }

      @Override
      public void visitEnd() {
        for (String method : replaced) {
          MethodVisitor m = cv.visitMethod(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC,
              helperName(method), descriptor(owner, method), null, null);
          m.visitCode();
          switch (method) {
            case "equals" -> writeEquals(m, owner, components);
            case "hashCode" -> writeHashCode(m, owner, components);
            default -> writeToString(m, owner, components, simpleName(reader));
          }
          m.visitMaxs(0, 0);
          m.visitEnd();
        }
        super.visitEnd();
      }
    };
    reader.accept(visitor, 0);
    return replaced.isEmpty() ? null : writer.toByteArray();
  }

  private static String helperName(String method) {
    return "flowc$" + method;
  }

  private static String descriptor(String owner, String method) {
    return switch (method) {
      case "equals" -> "(L" + owner + ";Ljava/lang/Object;)Z";
      case "hashCode" -> "(L" + owner + ";)I";
      default -> "(L" + owner + ";)Ljava/lang/String;";
    };
  }

  /** Class.getSimpleName's answer: the name after the last '$' (a nested record) or '/'. */
  private static String simpleName(ClassReader reader) {
    String name = reader.getClassName();
    return name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('$')) + 1);
  }

  private static void writeEquals(MethodVisitor m, String owner, List<Component> components) {
    Label no = new Label();
    Label yes = new Label();
    m.visitVarInsn(Opcodes.ALOAD, 0);
    m.visitVarInsn(Opcodes.ALOAD, 1);
    m.visitJumpInsn(Opcodes.IF_ACMPEQ, yes);
    m.visitVarInsn(Opcodes.ALOAD, 1);
    m.visitTypeInsn(Opcodes.INSTANCEOF, owner);
    m.visitJumpInsn(Opcodes.IFEQ, no);
    m.visitVarInsn(Opcodes.ALOAD, 1);
    m.visitTypeInsn(Opcodes.CHECKCAST, owner);
    m.visitVarInsn(Opcodes.ASTORE, 2);
    for (int k = components.size() - 1; k >= 0; k--) {
      Component c = components.get(k);
      m.visitVarInsn(Opcodes.ALOAD, 0);
      m.visitFieldInsn(Opcodes.GETFIELD, owner, c.name(), c.descriptor());
      m.visitVarInsn(Opcodes.ALOAD, 2);
      m.visitFieldInsn(Opcodes.GETFIELD, owner, c.name(), c.descriptor());
      switch (c.descriptor()) {
        case "Z", "B", "C", "S", "I" -> m.visitJumpInsn(Opcodes.IF_ICMPNE, no);
        case "J" -> {
          m.visitInsn(Opcodes.LCMP);
          m.visitJumpInsn(Opcodes.IFNE, no);
        }
        case "F" -> {
          m.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Float", "compare", "(FF)I", false);
          m.visitJumpInsn(Opcodes.IFNE, no);
        }
        case "D" -> {
          m.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Double", "compare", "(DD)I", false);
          m.visitJumpInsn(Opcodes.IFNE, no);
        }
        default -> {
          m.visitMethodInsn(Opcodes.INVOKESTATIC, "java/util/Objects", "equals", "(Ljava/lang/Object;Ljava/lang/Object;)Z",
              false);
          m.visitJumpInsn(Opcodes.IFEQ, no);
        }
      }
    }
    m.visitLabel(yes);
    m.visitInsn(Opcodes.ICONST_1);
    m.visitInsn(Opcodes.IRETURN);
    m.visitLabel(no);
    m.visitInsn(Opcodes.ICONST_0);
    m.visitInsn(Opcodes.IRETURN);
  }

  private static void writeHashCode(MethodVisitor m, String owner, List<Component> components) {
    m.visitInsn(Opcodes.ICONST_0);
    for (Component c : components) {
      m.visitIntInsn(Opcodes.BIPUSH, 31);
      m.visitInsn(Opcodes.IMUL);
      m.visitVarInsn(Opcodes.ALOAD, 0);
      m.visitFieldInsn(Opcodes.GETFIELD, owner, c.name(), c.descriptor());
      String wrapper = wrapper(c.descriptor());
      if (wrapper != null) {
        m.visitMethodInsn(Opcodes.INVOKESTATIC, wrapper, "hashCode", "(" + c.descriptor() + ")I", false);
      } else {
        m.visitMethodInsn(Opcodes.INVOKESTATIC, "java/util/Objects", "hashCode", "(Ljava/lang/Object;)I", false);
      }
      m.visitInsn(Opcodes.IADD);
    }
    m.visitInsn(Opcodes.IRETURN);
  }

  private static void writeToString(MethodVisitor m, String owner, List<Component> components, String simpleName) {
    m.visitTypeInsn(Opcodes.NEW, "java/lang/StringBuilder");
    m.visitInsn(Opcodes.DUP);
    m.visitLdcInsn(simpleName + "[");
    m.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "(Ljava/lang/String;)V", false);
    for (int k = 0; k < components.size(); k++) {
      Component c = components.get(k);
      m.visitLdcInsn((k == 0 ? "" : ", ") + c.name() + "=");
      append(m, "Ljava/lang/String;");
      m.visitVarInsn(Opcodes.ALOAD, 0);
      m.visitFieldInsn(Opcodes.GETFIELD, owner, c.name(), c.descriptor());
      String type = c.descriptor().length() == 1 ? c.descriptor() : "Ljava/lang/Object;";
      String valueType = type.equals("B") || type.equals("S") ? "I" : type;
      m.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/String", "valueOf", "(" + valueType + ")Ljava/lang/String;", false);
      append(m, "Ljava/lang/String;");
    }
    m.visitLdcInsn("]");
    append(m, "Ljava/lang/String;");
    m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "toString", "()Ljava/lang/String;", false);
    m.visitInsn(Opcodes.ARETURN);
  }

  private static void append(MethodVisitor m, String descriptor) {
    m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "append", "(" + descriptor + ")Ljava/lang/StringBuilder;",
        false);
  }

  /** The wrapper class whose static hashCode hashes a primitive of this descriptor; null for a reference. */
  private static String wrapper(String descriptor) {
    return switch (descriptor) {
      case "Z" -> "java/lang/Boolean";
      case "B" -> "java/lang/Byte";
      case "C" -> "java/lang/Character";
      case "S" -> "java/lang/Short";
      case "I" -> "java/lang/Integer";
      case "J" -> "java/lang/Long";
      case "F" -> "java/lang/Float";
      case "D" -> "java/lang/Double";
      default -> null;
    };
  }
}
