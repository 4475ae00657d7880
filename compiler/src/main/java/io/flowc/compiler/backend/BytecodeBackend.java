package io.flowc.compiler.backend;

import static org.objectweb.asm.Opcodes.*;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.Const;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Invariant;
import io.flowc.compiler.kernel.Kernel.Lane;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneOperand;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Loop;
import io.flowc.compiler.kernel.Kernel.Move;
import io.flowc.compiler.kernel.Kernel.Operand;
import io.flowc.compiler.kernel.Kernel.Reduce;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Lin;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Splat;
import io.flowc.compiler.kernel.Kernel.Store;
import io.flowc.compiler.kernel.Kernel.Temp;
import io.flowc.compiler.kernel.Kernel.VecOperand;
import io.flowc.compiler.kernel.KernelSplitter;
import io.flowc.compiler.kernel.SlotBinding;
import io.flowc.runtime.Constants;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.Sums;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.compiler.kernel.BatchedBody;
import io.flowc.runtime.flow.DrawBlocks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.objectweb.asm.ClassTooLargeException;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Type;

/**
 * Bytecode for a model's {@link LogDensity}, the run-time twin of {@link JavaSourceBackend}: the
 * same kernels, the same split into methods, and for each op the instructions javac emits for
 * the Java expression that backend writes, so the two agree bit for bit. Pure: it returns the
 * class file; {@link io.flowc.runtime.jit.HiddenClasses} loads it.
 */
public final class BytecodeBackend {
  /** Package of run-time classes: hidden classes must live in their definer's package. */
  public static final String JIT_PACKAGE = "io/flowc/runtime/jit/";

  private static final String MATH = Type.getInternalName(Math.class);
  private static final String FUNCTIONS = Type.getInternalName(MathFunctions.class);
  /** Named, not loaded: the class needs the vector module. */
  private static final String VECTOR_PRODUCTS = "io/flowc/runtime/simd/VectorProducts";
  private static final String DENSE_MATRICES = "io/flowc/runtime/DenseMatrices";
  /** Named, not loaded, as VectorProducts. */
  private static final String DOUBLE_VECTOR = "jdk/incubator/vector/DoubleVector";
  private static final String VECTOR_TYPE = "L" + DOUBLE_VECTOR + ";";
  private static final String SPECIES = "Ljdk/incubator/vector/VectorSpecies;";
  /** Part methods: (z, grad, w, eps, base). */
  private static final String PART = "([D[D[D[DI)";

  /**
   * Class files of version 49, which carry no stack-map frames: the JVM verifies them by type
   * inference, in native code, while computing the frames (ASM's COMPUTE_FRAMES, a data-flow
   * analysis of every method) ran as Java that a fresh process still interprets. W1's kernel
   * class: emitted in 76 ms instead of 92 and verified in 3.5 instead of 1.5; nsf*8's 379 KB
   * class (270 KB without frames) in 271-298 ms instead of 408-497 and verified in 29-41 instead
   * of 13-15 (docs/performance.md, "Compiling on two processors"). The code uses nothing of later
   * versions (no invokedynamic, no constant handles), and every JVM loads version 49.
   */
  static final int CLASS_VERSION = V1_5;

  /** Maximum stack and locals computed; no frames (see {@link #CLASS_VERSION}). */
  private static ClassWriter classWriter() {
    return new ClassWriter(ClassWriter.COMPUTE_MAXS);
  }

  private BytecodeBackend() {}

  /**
   * The class file of a {@link LogDensity} with the given internal name ({@code a/b/C}); classes
   * defined as hidden classes must be in {@link #JIT_PACKAGE}.
   */
  public static byte[] emit(ModelKernels kernels, String internalName) {
    return emit(kernels, internalName, ConstantTable.DIRECT);
  }

  /**
   * As {@link #emit(ModelKernels, String)}, the offsets and lengths specialized to one data binding
   * ({@link SlotBinding}: {@code slots} holds the values it writes to the slots bound). The
   * kernels are cut into methods before they are bound, so the class keeps the workspace layout of
   * the unbound one: the binding that wrote those values places the data where it did for it.
   */
  public static byte[] emit(ModelKernels kernels, String internalName, Map<Integer, Integer> slots) {
    return emit(kernels, internalName, ConstantTable.DIRECT, false, split -> SlotBinding.bind(split, slots));
  }

  /** As {@link #emit(ModelKernels, String)}, loading the first {@code directConstants} constants directly. */
  static byte[] emit(ModelKernels kernels, String internalName, int directConstants) {
    return emit(kernels, internalName, directConstants, false, UnaryOperator.identity());
  }

  /** As {@link #emit(ModelKernels, String)}, with loops in vectors where {@link VectorLoops} admits them. */
  static byte[] emit(ModelKernels kernels, String internalName, boolean vectorLoops) {
    return emit(kernels, internalName, ConstantTable.DIRECT, vectorLoops, UnaryOperator.identity());
  }

  private static byte[] emit(ModelKernels kernels, String internalName, int directConstants, boolean vectorLoops,
      UnaryOperator<KernelSplitter.Split> bind) {
    KernelSplitter.Split value = bind.apply(KernelSplitter.split(kernels.value()));
    KernelSplitter.Split gradient = bind.apply(KernelSplitter.split(kernels.gradient()));
    String name = internalName;
    ClassWriter cw = classWriter();
    cw.visit(CLASS_VERSION, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, "java/lang/Object",
        new String[] {Type.getInternalName(LogDensity.class)});
    cw.visitSource("flowc:" + kernels.modelName(), null);

    defaultConstructor(cw);

    constant(cw, "dimension", kernels.value().dimension());
    constant(cw, "workspaceSize", Math.max(value.workspaceSize(), gradient.workspaceSize()));
    dynamicWorkspace(cw, name, kernels.workspaceEnd());
    entry(cw, name, "logDensity", "([D[D)D", value, "value", false);
    entry(cw, name, "logDensityGradient", "([D[D[D)D", gradient, "gradient", true);
    ConstantTable constants = ConstantTable.of(directConstants, value, gradient);
    PositionTables positions = PositionTables.of(value, gradient);
    staticTables(cw, name, constants, positions);
    parts(cw, name, constants, positions, "value", value, false, vectorLoops);
    parts(cw, name, constants, positions, "gradient", gradient, false, vectorLoops);
    cw.visitEnd();
    return classFile(cw, kernels.modelName());
  }

  /**
   * The class file of a {@link FlowKernel}: prologue, the loop over draws, epilogue; its products
   * scalar, so that it runs in any JVM (artifacts are loaded elsewhere).
   */
  public static byte[] emit(FlowKernels kernels, String internalName) {
    return emit(kernels, internalName, false);
  }

  /**
   * As {@link #emit(FlowKernels, String)}; with {@code vectorProducts} the batched body's block
   * products call {@code io.flowc.runtime.simd.VectorProducts} (the same bits), so the class runs
   * only in a JVM where {@link io.flowc.runtime.simd.Simd#modulePresent()} (docs/internals.md,
   * "Vectorized block products").
   */
  public static byte[] emit(FlowKernels kernels, String internalName, boolean vectorProducts) {
    return emit(kernels, internalName, vectorProducts, false);
  }

  /**
   * As {@link #emit(FlowKernels, String, boolean)}; with {@code vectorLoops} the elementwise loops
   * of the prologue, the per-draw body, the epilogue and the sampler (not the batched body's: a
   * block's loops over its draws, short and many, ran slower in vectors) that {@link VectorLoops}
   * admits run four elements a vector through {@code jdk.incubator.vector}
   * (the same bits; docs/internals.md, "Vector loops"), so the class runs only in a JVM with the
   * module.
   */
  public static byte[] emit(FlowKernels kernels, String internalName, boolean vectorProducts, boolean vectorLoops) {
    KernelSplitter.Split prologue = KernelSplitter.split(kernels.prologue());
    KernelSplitter.Split body = KernelSplitter.split(kernels.body());
    KernelSplitter.Split epilogue = KernelSplitter.split(kernels.epilogue());
    KernelSplitter.Split sample = KernelSplitter.split(kernels.sample());
    List<KernelSplitter.Split> batched = kernels.batchedSplits();
    List<KernelSplitter.Split> all = new ArrayList<>(List.of(prologue, body, epilogue, sample));
    all.addAll(batched);
    int workspace = kernels.workspaceSize(all.toArray(KernelSplitter.Split[]::new));
    ClassWriter cw = classWriter();
    cw.visit(CLASS_VERSION, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, internalName, null, "java/lang/Object",
        new String[] {Type.getInternalName(FlowKernel.class)});
    cw.visitSource("flowc:" + kernels.modelName() + ":" + kernels.formula(), null);
    defaultConstructor(cw);
    constant(cw, "dimension", kernels.dimension());
    constant(cw, "parameterCount", kernels.parameterCount());
    constant(cw, "workspaceSize", workspace);
    dynamicWorkspace(cw, internalName, kernels.workspaceEnd());

    // lossGradient(theta 1, eps 2, draws 3, grad 4, w 5); s 6, i 7
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "lossGradient", "([D[DI[D[D)D", null, null);
    mv.visitCode();
    callParts(mv, internalName, "prologue", prologue, 1, -1, 5, -1);
    overAccumulators(mv, kernels, () -> {
      mv.visitVarInsn(ALOAD, 5);
      mv.visitVarInsn(ILOAD, 7);
      mv.visitInsn(DCONST_0);
      mv.visitInsn(DASTORE);
    });
    if (kernels.batched() == null) {
      overDraws(mv, 6, () -> callParts(mv, internalName, "body", body, -1, -1, 5, 2, kernels.dimension()));
    } else {
      Label perDraw = new Label();
      Label summed = new Label();
      mv.visitVarInsn(ILOAD, 3);
      pushInt(mv, kernels.batched().minDraws());
      mv.visitJumpInsn(IF_ICMPLT, perDraw);
      overBlocks(mv, internalName, kernels, batched);
      mv.visitJumpInsn(GOTO, summed);
      mv.visitLabel(perDraw);
      overDraws(mv, 6, () -> callParts(mv, internalName, "body", body, -1, -1, 5, 2, kernels.dimension()));
      mv.visitLabel(summed);
    }
    // the sums become means; over one draw a sum is its mean (x / 1 is x), and W4's steps of one
    // draw skip 10,300 divisions
    Label meansDone = new Label();
    mv.visitVarInsn(ILOAD, 3);
    mv.visitInsn(ICONST_1);
    mv.visitJumpInsn(IF_ICMPEQ, meansDone);
    overAccumulators(mv, kernels, () -> {
      mv.visitVarInsn(ALOAD, 5);
      mv.visitVarInsn(ILOAD, 7);
      mv.visitVarInsn(ALOAD, 5);
      mv.visitVarInsn(ILOAD, 7);
      mv.visitInsn(DALOAD);
      mv.visitVarInsn(ILOAD, 3);
      mv.visitInsn(I2D);
      mv.visitInsn(DDIV);
      mv.visitInsn(DASTORE);
    });
    mv.visitLabel(meansDone);
    callParts(mv, internalName, "epilogue", epilogue, 1, 4, 5, -1);
    mv.visitVarInsn(ALOAD, 5);
    pushInt(mv, kernels.lossOffset());
    mv.visitInsn(DALOAD);
    mv.visitInsn(DRETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();

    sampler(cw, internalName, kernels, prologue, sample);
    KernelSplitter.Split[] splits = all.toArray(KernelSplitter.Split[]::new);
    ConstantTable constants = ConstantTable.of(splits);
    PositionTables positions = PositionTables.of(splits);
    staticTables(cw, internalName, constants, positions);
    parts(cw, internalName, constants, positions, "prologue", prologue, false, vectorLoops);
    parts(cw, internalName, constants, positions, "body", body, false, vectorLoops);
    parts(cw, internalName, constants, positions, "epilogue", epilogue, false, vectorLoops);
    parts(cw, internalName, constants, positions, "sample", sample, false, vectorLoops);
    for (int k = 0; k < batched.size(); k++) {
      parts(cw, internalName, constants, positions, segmentPrefix(k), batched.get(k), vectorProducts, false);
    }
    cw.visitEnd();
    return classFile(cw, kernels.modelName() + " with flow '" + kernels.formula() + "'");
  }

  /**
   * The finished class file. Tabled constants and split methods keep even very large models
   * within the class file's limits; a model that still exceeds them (a constant pool of more than
   * 65535 entries, say from workspace indices above 32767, or a method over 64 KB) is too large
   * to compile, which is the user's to fix, not an internal error.
   */
  private static byte[] classFile(ClassWriter cw, String what) {
    try {
      return cw.toByteArray();
    } catch (ClassTooLargeException e) {
      throw new CodeTooLargeException("model " + what,
          "its class needs " + e.getConstantPoolCount() + " constant pool entries, a class file holds 65535");
    } catch (MethodTooLargeException e) {
      throw new CodeTooLargeException("model " + what,
          "a method needs " + e.getCodeSize() + " bytes of bytecode, a class file allows 65535");
    }
  }

  /**
   * The static arrays of tabled constants, each decoded from its string when the class
   * initializes, and the position tables, each the chars of its string (as javac compiles the
   * initializers {@link JavaSourceBackend} writes).
   */
  private static void staticTables(ClassWriter cw, String owner, ConstantTable constants, PositionTables positions) {
    if (constants.tableCount() == 0 && positions.count() == 0) {
      return;
    }
    MethodVisitor init = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
    init.visitCode();
    for (int t = 0; t < constants.tableCount(); t++) {
      cw.visitField(ACC_PRIVATE | ACC_STATIC | ACC_FINAL, ConstantTable.field(t), "[D", null, null).visitEnd();
      init.visitLdcInsn(constants.text(t));
      init.visitMethodInsn(INVOKESTATIC, Type.getInternalName(Constants.class), "decode", "(Ljava/lang/String;)[D", false);
      init.visitFieldInsn(PUTSTATIC, owner, ConstantTable.field(t), "[D");
    }
    for (int t = 0; t < positions.count(); t++) {
      cw.visitField(ACC_PRIVATE | ACC_STATIC | ACC_FINAL, PositionTables.field(t), "[I", null, null).visitEnd();
      init.visitLdcInsn(positions.text(t));
      init.visitMethodInsn(INVOKEVIRTUAL, "java/lang/String", "chars", "()Ljava/util/stream/IntStream;", false);
      init.visitMethodInsn(INVOKEINTERFACE, "java/util/stream/IntStream", "toArray", "()[I", true);
      init.visitFieldInsn(PUTSTATIC, owner, PositionTables.field(t), "[I");
    }
    init.visitInsn(RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
  }

  /** sample(theta 1, eps 2, draws 3, z 4, logq 5, w 6); s in local 7. */
  private static void sampler(ClassWriter cw, String owner, FlowKernels kernels, KernelSplitter.Split prologue,
      KernelSplitter.Split sample) {
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "sample", "([D[DI[D[D[D)V", null, null);
    mv.visitCode();
    callParts(mv, owner, "prologue", prologue, 1, -1, 6, -1);
    overDraws(mv, 7, () -> sampleOneDraw(mv, owner, kernels, sample));
    mv.visitInsn(RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** The method-name prefix of a batched body's segment. */
  static String segmentPrefix(int segment) {
    return "block" + segment;
  }

  /**
   * The batched body over all draws (see {@link BatchedBody}): blocks of up to blockSize draws,
   * s in local 6, the block's draw count n in 8, the draw b in 9.
   */
  private static void overBlocks(MethodVisitor mv, String owner, FlowKernels kernels, List<KernelSplitter.Split> segments) {
    BatchedBody batched = kernels.batched();
    Label top = new Label();
    Label end = new Label();
    mv.visitInsn(ICONST_0);
    mv.visitVarInsn(ISTORE, 6);
    mv.visitLabel(top);
    mv.visitVarInsn(ILOAD, 6);
    mv.visitVarInsn(ILOAD, 3);
    mv.visitJumpInsn(IF_ICMPGE, end);
    // n = min(blockSize, draws - s); w[countSlot] = n
    pushInt(mv, batched.blockSize());
    mv.visitVarInsn(ILOAD, 3);
    mv.visitVarInsn(ILOAD, 6);
    mv.visitInsn(ISUB);
    mv.visitMethodInsn(INVOKESTATIC, MATH, "min", "(II)I", false);
    mv.visitVarInsn(ISTORE, 8);
    mv.visitVarInsn(ALOAD, 5);
    pushInt(mv, batched.countSlot());
    mv.visitVarInsn(ILOAD, 8);
    mv.visitInsn(I2D);
    mv.visitInsn(DASTORE);
    // DrawBlocks.transpose(eps, s, n, d, w, epsRows + 1, rowStride)
    mv.visitVarInsn(ALOAD, 2);
    mv.visitVarInsn(ILOAD, 6);
    mv.visitVarInsn(ILOAD, 8);
    pushInt(mv, kernels.dimension());
    mv.visitVarInsn(ALOAD, 5);
    pushInt(mv, batched.epsRows() + 1);
    pushInt(mv, batched.rowStride());
    mv.visitMethodInsn(INVOKESTATIC, Type.getInternalName(DrawBlocks.class), "transpose", "([DIII[DII)V", false);
    for (int k = 0; k < segments.size(); k++) {
      String prefix = segmentPrefix(k);
      KernelSplitter.Split split = segments.get(k);
      if (batched.segments().get(k).perBlock()) {
        callSegment(mv, owner, prefix, split, -1);
        continue;
      }
      Label drawTop = new Label();
      Label drawEnd = new Label();
      mv.visitInsn(ICONST_0);
      mv.visitVarInsn(ISTORE, 9);
      mv.visitLabel(drawTop);
      mv.visitVarInsn(ILOAD, 9);
      mv.visitVarInsn(ILOAD, 8);
      mv.visitJumpInsn(IF_ICMPGE, drawEnd);
      callSegment(mv, owner, prefix, split, 9);
      mv.visitIincInsn(9, 1);
      mv.visitJumpInsn(GOTO, drawTop);
      mv.visitLabel(drawEnd);
    }
    mv.visitIincInsn(6, batched.blockSize());
    mv.visitJumpInsn(GOTO, top);
    mv.visitLabel(end);
  }

  /** Calls a segment's parts with (null, null, w, null, base), base the int in local {@code base} (-1: 0). */
  private static void callSegment(MethodVisitor mv, String owner, String prefix, KernelSplitter.Split split, int base) {
    int last = split.parts().size() - 1;
    for (int p = 0; p <= last; p++) {
      mv.visitInsn(ACONST_NULL);
      mv.visitInsn(ACONST_NULL);
      mv.visitVarInsn(ALOAD, 5);
      mv.visitInsn(ACONST_NULL);
      if (base < 0) {
        mv.visitInsn(ICONST_0);
      } else {
        mv.visitVarInsn(ILOAD, base);
      }
      mv.visitMethodInsn(INVOKESTATIC, owner, prefix + "Part" + p, PART + (p == last ? "D" : "V"), false);
      if (p == last) {
        mv.visitInsn(POP2);
      }
    }
  }

  /** {@code for (int s = 0; s < draws; s++) body}, draws in local 3 and s in {@code counter}. */
  private static void overDraws(MethodVisitor mv, int counter, Runnable body) {
    Label top = new Label();
    Label end = new Label();
    mv.visitInsn(ICONST_0);
    mv.visitVarInsn(ISTORE, counter);
    mv.visitLabel(top);
    mv.visitVarInsn(ILOAD, counter);
    mv.visitVarInsn(ILOAD, 3);
    mv.visitJumpInsn(IF_ICMPGE, end);
    body.run();
    mv.visitIincInsn(counter, 1);
    mv.visitJumpInsn(GOTO, top);
    mv.visitLabel(end);
  }

  /** One draw of sample(): the sampling kernel, then z and log q copied out of the workspace. */
  private static void sampleOneDraw(MethodVisitor mv, String owner, FlowKernels kernels, KernelSplitter.Split sample) {
    int last = sample.parts().size() - 1;
    for (int p = 0; p <= last; p++) {
      mv.visitInsn(ACONST_NULL);
      mv.visitInsn(ACONST_NULL);
      mv.visitVarInsn(ALOAD, 6);
      mv.visitVarInsn(ALOAD, 2);
      mv.visitVarInsn(ILOAD, 7);
      pushInt(mv, kernels.dimension());
      mv.visitInsn(IMUL);
      mv.visitMethodInsn(INVOKESTATIC, owner, "samplePart" + p, PART + (p == last ? "D" : "V"), false);
      if (p == last) {
        mv.visitInsn(POP2);
      }
    }
    // System.arraycopy(w, zOffset, z, s * d, d); logq[s] = w[logqOffset]
    mv.visitVarInsn(ALOAD, 6);
    pushInt(mv, kernels.zOffset());
    mv.visitVarInsn(ALOAD, 4);
    mv.visitVarInsn(ILOAD, 7);
    pushInt(mv, kernels.dimension());
    mv.visitInsn(IMUL);
    pushInt(mv, kernels.dimension());
    mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "arraycopy", "(Ljava/lang/Object;ILjava/lang/Object;II)V", false);
    mv.visitVarInsn(ALOAD, 5);
    mv.visitVarInsn(ILOAD, 7);
    mv.visitVarInsn(ALOAD, 6);
    pushInt(mv, kernels.logqOffset());
    mv.visitInsn(DALOAD);
    mv.visitInsn(DASTORE);
  }

  /** Calls every part of a split kernel; argument slots of -1 pass null (or base 0). */
  private static void callParts(MethodVisitor mv, String owner, String prefix, KernelSplitter.Split split, int z,
      int grad, int w, int eps, int... rowLength) {
    int last = split.parts().size() - 1;
    for (int p = 0; p <= last; p++) {
      for (int slot : new int[] {z, grad, w, eps}) {
        if (slot < 0) {
          mv.visitInsn(ACONST_NULL);
        } else {
          mv.visitVarInsn(ALOAD, slot);
        }
      }
      if (rowLength.length > 0) {
        mv.visitVarInsn(ILOAD, 6);
        pushInt(mv, rowLength[0]);
        mv.visitInsn(IMUL);
      } else {
        mv.visitInsn(ICONST_0);
      }
      mv.visitMethodInsn(INVOKESTATIC, owner, prefix + "Part" + p, PART + (p == last ? "D" : "V"), false);
      if (p == last) {
        mv.visitInsn(POP2);
      }
    }
  }

  /** {@code for (int i = lossOffset; i < accumulatorEnd; i++) body} with i in local 7. */
  private static void overAccumulators(MethodVisitor mv, FlowKernels kernels, Runnable body) {
    Label top = new Label();
    Label end = new Label();
    pushInt(mv, kernels.lossOffset());
    mv.visitVarInsn(ISTORE, 7);
    mv.visitLabel(top);
    mv.visitVarInsn(ILOAD, 7);
    pushInt(mv, kernels.accumulatorEnd());
    mv.visitJumpInsn(IF_ICMPGE, end);
    body.run();
    mv.visitIincInsn(7, 1);
    mv.visitJumpInsn(GOTO, top);
    mv.visitLabel(end);
  }

  private static void defaultConstructor(ClassWriter cw) {
    MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(ALOAD, 0);
    init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
    init.visitInsn(RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
  }

  private static void constant(ClassWriter cw, String method, int value) {
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, method, "()I", null, null);
    mv.visitCode();
    pushInt(mv, value);
    mv.visitInsn(IRETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private static void entry(ClassWriter cw, String owner, String method, String descriptor,
      KernelSplitter.Split split, String prefix, boolean withGradient) {
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, method, descriptor, null, null);
    mv.visitCode();
    int last = split.parts().size() - 1;
    for (int p = 0; p <= last; p++) {
      mv.visitVarInsn(ALOAD, 1);
      if (withGradient) {
        mv.visitVarInsn(ALOAD, 2);
        mv.visitVarInsn(ALOAD, 3);
      } else {
        mv.visitInsn(ACONST_NULL);
        mv.visitVarInsn(ALOAD, 2);
      }
      mv.visitInsn(ACONST_NULL);
      mv.visitInsn(ICONST_0);
      mv.visitMethodInsn(INVOKESTATIC, owner, prefix + "Part" + p, PART + (p == last ? "D" : "V"), false);
    }
    mv.visitInsn(DRETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** {@code int workspaceSize(double[] data)}: max(workspaceSize(), end) with end's slots read from data. */
  private static void dynamicWorkspace(ClassWriter cw, String owner, Lin end) {
    if (end.isConstant()) {
      return;
    }
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "workspaceSize", "([D)I", null, null);
    mv.visitCode();
    mv.visitVarInsn(ALOAD, 0);
    mv.visitMethodInsn(INVOKEVIRTUAL, owner, "workspaceSize", "()I", false);
    pushLin(mv, end, slot -> {
      mv.visitVarInsn(ALOAD, 1);
      pushInt(mv, slot);
      mv.visitInsn(DALOAD);
      mv.visitInsn(D2I);
    });
    mv.visitMethodInsn(INVOKESTATIC, MATH, "max", "(II)I", false);
    mv.visitInsn(IRETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** Pushes the int value of {@code l}, each slot's value pushed by {@code slotValue}. */
  private static void pushLin(MethodVisitor mv, Lin l, java.util.function.IntConsumer slotValue) {
    pushInt(mv, l.constantTerm());
    int[] slots = l.slots();
    for (int k = 0; k < slots.length; k++) {
      slotValue.accept(slots[k]);
      if (l.coefficient(k) != 1) {
        pushInt(mv, l.coefficient(k));
        mv.visitInsn(IMUL);
      }
      mv.visitInsn(IADD);
    }
  }

  private static void parts(ClassWriter cw, String owner, ConstantTable constants, PositionTables positions,
      String prefix, KernelSplitter.Split split) {
    parts(cw, owner, constants, positions, prefix, split, false, false);
  }

  private static void parts(ClassWriter cw, String owner, ConstantTable constants, PositionTables positions,
      String prefix, KernelSplitter.Split split, boolean vectorProducts, boolean vectorLoops) {
    for (int p = 0; p < split.parts().size(); p++) {
      boolean last = p == split.parts().size() - 1;
      MethodVisitor mv = cw.visitMethod(ACC_PRIVATE | ACC_STATIC, prefix + "Part" + p,
          PART + (last ? "D" : "V"), null, null);
      mv.visitCode();
      List<List<Instr>> calls = new ArrayList<>();
      new PartWriter(mv, owner, constants, positions, split.parts().get(p), vectorProducts, vectorLoops, prefix + "Call", calls, p)
          .write(split.parts().get(p));
      if (!last) {
        mv.visitInsn(RETURN);
      }
      mv.visitMaxs(0, 0);
      mv.visitEnd();
      // the parts of large loop bodies the part calls (and those they call in turn)
      for (int c = 0; c < calls.size(); c++) {
        MethodVisitor call = cw.visitMethod(ACC_PRIVATE | ACC_STATIC, callName(prefix + "Call", p, c), PART + "V", null, null);
        call.visitCode();
        new PartWriter(call, owner, constants, positions, calls.get(c), vectorProducts, vectorLoops, prefix + "Call", calls, p).write(calls.get(c));
        call.visitInsn(RETURN);
        call.visitMaxs(0, 0);
        call.visitEnd();
      }
    }
  }

  private static String callName(String prefix, int part, int index) {
    return prefix + part + "_" + index;
  }

  /**
   * Writes one part method's body: arguments z, grad, w, eps in slots 0-3 (the ordinals of
   * {@link Kernel.Array}), base in 4, then the loop index, then temps.
   */
  private static final class PartWriter {
    private static final int BASE = 4;
    private static final int INDEX = 5;
    /** Rows of a matrix-vector product summed side by side (see {@link #matvecRows}). */
    private static final int ROW_BLOCK = 4;
    private final MethodVisitor mv;
    private final String owner;
    private final ConstantTable constants;
    private final PositionTables positions;
    private final Map<Integer, Integer> slots = new HashMap<>();
    /** Workspace slot to the int local holding its value (sizes and offsets of dynamic values). */
    private final Map<Integer, Integer> linLocals = new HashMap<>();
    /** Elements read as invariants by the current loop, to their locals. */
    private final Map<Element, Integer> hoisted = new HashMap<>();
    /** Each offset and length known at run time only, to the int local holding it. */
    private final Map<Lin, Integer> lins = new HashMap<>();
    private int nextSlot = INDEX + 1;
    /** Block products through {@code io.flowc.runtime.simd.VectorProducts} rather than scalar loops. */
    private final boolean vectorProducts;
    /** Elementwise loops four elements a vector where {@link VectorLoops} admits them. */
    private final boolean vectorLoops;

    /** Where the parts of large loop bodies go ({@link Kernel.Call}): method names and bodies to write. */
    private final String callPrefix;
    private final List<List<Instr>> calls;
    private final int part;

    PartWriter(MethodVisitor mv, String owner, ConstantTable constants, PositionTables positions, List<Instr> body,
        boolean vectorProducts, boolean vectorLoops, String callPrefix, List<List<Instr>> calls, int part) {
      this.vectorLoops = vectorLoops;
      this.callPrefix = callPrefix;
      this.calls = calls;
      this.part = part;
      this.mv = mv;
      this.vectorProducts = vectorProducts;
      this.owner = owner;
      this.constants = constants;
      this.positions = positions;
      // sizes and offsets read at run time: each slot once, then each offset or length once, so
      // that loops index arrays by an invariant plus i, the form HotSpot's range checks expect
      for (int slot : Kernel.slotsRead(body)) {
        mv.visitVarInsn(ALOAD, Kernel.Array.WORK.ordinal());
        pushInt(mv, slot);
        mv.visitInsn(DALOAD);
        mv.visitInsn(D2I);
        mv.visitVarInsn(ISTORE, nextSlot);
        linLocals.put(slot, nextSlot++);
      }
      for (Lin l : Kernel.linsRead(body)) {
        if (l.isSlot()) {
          lins.put(l, linLocals.get(l.slots()[0]));
          continue;
        }
        BytecodeBackend.pushLin(mv, l, slot -> mv.visitVarInsn(ILOAD, linLocals.get(slot)));
        mv.visitVarInsn(ISTORE, nextSlot);
        lins.put(l, nextSlot++);
      }
    }

    private void pushLin(Lin l) {
      if (l.isConstant()) {
        pushInt(mv, l.constant());
        return;
      }
      mv.visitVarInsn(ILOAD, lins.get(l));
    }

    /** Adds {@code l} to the int on the stack (nothing for 0). */
    private void addLin(Lin l) {
      if (!l.equals(Lin.ZERO)) {
        pushLin(l);
        mv.visitInsn(IADD);
      }
    }

    private int slot(Temp t) {
      return slots.computeIfAbsent(t.id(), id -> {
        int s = nextSlot;
        nextSlot += 2;
        return s;
      });
    }

    void write(List<Instr> body) {
      for (Instr instr : body) {
        Fused vector = vectorLoops ? VectorLoops.vectorizable(instr) : null;
        if (vector != null) {
          vectorFused(vector);
        } else if (instr instanceof Assign a) {
          for (Operand o : a.args()) {
            push(o);
          }
          apply(a.op(), a.attrs(), a.args().size());
          mv.visitVarInsn(DSTORE, slot(a.target()));
        } else if (instr instanceof Loop l) {
          hoistInvariants(l);
          loop(l.length(), () -> {
            arrayElement(l.target());
            for (VecOperand v : l.args()) {
              push(v);
            }
            apply(l.op(), l.attrs(), l.args().size());
            mv.visitInsn(DASTORE);
          });
        } else if (instr instanceof Reduce r) {
          reduce(r);
        } else if (instr instanceof Store s) {
          arrayRef(s.target().array());
          pushInt(mv, s.target().index());
          addBase(s.target().array());
          push(s.value());
          mv.visitInsn(DASTORE);
        } else if (instr instanceof Fused f) {
          fused(f);
        } else if (instr instanceof Move m) {
          loop(m.length(), () -> {
            arrayElement(m.target());
            push(m.source());
            mv.visitInsn(DASTORE);
          });
        } else if (instr instanceof Kernel.Gather g) {
          loop(g.length(), () -> {
            arrayElement(g.target());
            indexedElement(g.source(), g.index(), g.shift());
            mv.visitInsn(DALOAD);
            mv.visitInsn(DASTORE);
          });
        } else if (instr instanceof Kernel.Scatter s) {
          loop(s.targetLength(), () -> {
            arrayElement(s.target());
            mv.visitInsn(DCONST_0);
            mv.visitInsn(DASTORE);
          });
          loop(s.length(), () -> {
            indexedElement(s.target(), s.index(), s.shift());
            mv.visitInsn(DUP2);
            mv.visitInsn(DALOAD);
            arrayElement(s.source());
            mv.visitInsn(DALOAD);
            mv.visitInsn(DADD);
            mv.visitInsn(DASTORE);
          });
        } else if (instr instanceof Return r) {
          push(r.value());
          mv.visitInsn(DRETURN);
        } else if (instr instanceof Kernel.Repeat rp) {
          repeat(rp);
        } else if (instr instanceof Kernel.Call c) {
          for (int a = 0; a <= BASE; a++) {
            mv.visitVarInsn(a == BASE ? ILOAD : ALOAD, a);
          }
          mv.visitMethodInsn(INVOKESTATIC, owner, callName(callPrefix, part, calls.size()), PART + "V", false);
          calls.add(c.body());
        } else {
          matrixInstr(instr);
        }
      }
    }

    /** A scan's loop as JavaSourceBackend writes it (see {@link Kernel.Repeat}). */
    private void repeat(Kernel.Repeat rp) {
      int step = intLocal();
      int slice = intLocal();
      count(step, 0, rp.count(), () -> {
        if (rp.reverse() && rp.count().isConstant()) {
          pushInt(mv, rp.count().constant() - 1);
          mv.visitVarInsn(ILOAD, step);
          mv.visitInsn(ISUB);
        } else if (rp.reverse()) {
          pushLin(rp.count());
          pushInt(mv, 1);
          mv.visitInsn(ISUB);
          mv.visitVarInsn(ILOAD, step);
          mv.visitInsn(ISUB);
        } else {
          mv.visitVarInsn(ILOAD, step);
        }
        mv.visitVarInsn(ISTORE, slice);
        // w[indexSlot] = t for the methods the body calls; here the offsets that move with t again
        mv.visitVarInsn(ALOAD, Kernel.Array.WORK.ordinal());
        pushInt(mv, rp.indexSlot());
        mv.visitVarInsn(ILOAD, slice);
        mv.visitInsn(I2D);
        mv.visitInsn(DASTORE);
        Integer loaded = linLocals.get(rp.indexSlot());
        if (loaded != null) {
          mv.visitVarInsn(ILOAD, slice);
          mv.visitVarInsn(ISTORE, loaded);
          for (Map.Entry<Lin, Integer> e : lins.entrySet()) {
            Lin l = e.getKey();
            if (!l.isSlot() && java.util.Arrays.stream(l.slots()).anyMatch(x -> x == rp.indexSlot())) {
              BytecodeBackend.pushLin(mv, l, x -> mv.visitVarInsn(ILOAD, linLocals.get(x)));
              mv.visitVarInsn(ISTORE, e.getValue());
            }
          }
        }
        copies(rp.before(), slice);
        write(rp.body());
        copies(rp.after(), slice);
      });
      hoisted.clear();
    }

    private void copies(List<Kernel.Copy> copies, int slice) {
      for (Kernel.Copy c : copies) {
        int i = intLocal();
        Runnable stackedIndex = () -> {
          mv.visitVarInsn(ILOAD, slice);
          pushInt(mv, c.size());
          mv.visitInsn(IMUL);
          mv.visitVarInsn(ILOAD, i);
          mv.visitInsn(IADD);
        };
        count(i, 0, c.size(), () -> {
          if (c.intoFrame()) {
            at(c.frame(), local(i));
            load(c.stacked(), stackedIndex);
          } else {
            at(c.stacked(), stackedIndex);
            load(c.frame(), local(i));
          }
          mv.visitInsn(DASTORE);
        });
      }
    }

    // ---- matrices and neural flows: the loops JavaSourceBackend writes, as javac compiles them ----

    private int intLocal() {
      return nextSlot++;
    }

    private int doubleLocal() {
      int s = nextSlot;
      nextSlot += 2;
      return s;
    }

    /** {@code for (int counter = from; counter < bound; counter++) body}. */
    /** As {@link #count(int, int, int, Runnable)} to a bound that may be known at run time only. */
    private void count(int counter, int from, Lin bound, Runnable body) {
      count(counter, constant(from), bound, body);
    }

    /** As {@link #count(int, int, Lin, Runnable)} from an int the runnable pushes. */
    private void count(int counter, Runnable from, Lin bound, Runnable body) {
      Label top = new Label();
      Label end = new Label();
      from.run();
      mv.visitVarInsn(ISTORE, counter);
      mv.visitLabel(top);
      mv.visitVarInsn(ILOAD, counter);
      pushLin(bound);
      mv.visitJumpInsn(IF_ICMPGE, end);
      body.run();
      mv.visitIincInsn(counter, 1);
      mv.visitJumpInsn(GOTO, top);
      mv.visitLabel(end);
    }

    private void count(int counter, int from, int bound, Runnable body) {
      count(counter, from, Lin.of(bound), body);
    }

    /** Pushes array and index of element {@code index} (an int pushed by the runnable) of a region. */
    private void at(Region r, Runnable index) {
      arrayRef(r.array());
      if (r.offset().equals(Lin.ZERO)) {
        index.run();
        scaleByStride(r);
      } else {
        pushLin(r.offset());
        index.run();
        scaleByStride(r);
        mv.visitInsn(IADD);
      }
      addBase(r.array());
    }

    private Runnable local(int slot) {
      return () -> mv.visitVarInsn(ILOAD, slot);
    }

    private Runnable constant(int value) {
      return () -> pushInt(mv, value);
    }

    private Runnable sum(int a, int b) {
      return () -> {
        mv.visitVarInsn(ILOAD, a);
        mv.visitVarInsn(ILOAD, b);
        mv.visitInsn(IADD);
      };
    }

    /** Pushes {@code (int) operand}. */
    private Runnable truncated(Operand o) {
      return () -> {
        push(o);
        mv.visitInsn(D2I);
      };
    }

    private void load(Region r, Runnable index) {
      at(r, index);
      mv.visitInsn(DALOAD);
    }

    private void matrixInstr(Instr instr) {
      if (instr instanceof Kernel.MatVec m && !m.transposed()) {
        int blocked = m.rows() - m.rows() % ROW_BLOCK;
        if (blocked > 0) {
          matvecRows(m, 0, blocked, ROW_BLOCK);
        }
        if (blocked < m.rows()) {
          matvecRows(m, blocked, m.rows(), 1);
        }
      } else if (instr instanceof Kernel.MatVec m) {
        int row = intLocal();
        int j = intLocal();
        int yi = doubleLocal();
        count(j, 0, m.cols(), () -> {
          at(m.target(), local(j));
          load(m.matrix(), local(j));
          load(m.vector(), constant(0));
          mv.visitInsn(DMUL);
          mv.visitInsn(DASTORE);
        });
        count(INDEX, 1, m.rows(), () -> {
          mv.visitVarInsn(ILOAD, INDEX);
          pushInt(mv, m.cols());
          mv.visitInsn(IMUL);
          mv.visitVarInsn(ISTORE, row);
          load(m.vector(), local(INDEX));
          mv.visitVarInsn(DSTORE, yi);
          count(j, 0, m.cols(), () -> {
            // t[j] += w[r + j] * yi, as javac compiles a compound assignment
            at(m.target(), local(j));
            mv.visitInsn(DUP2);
            mv.visitInsn(DALOAD);
            load(m.matrix(), sum(row, j));
            mv.visitVarInsn(DLOAD, yi);
            mv.visitInsn(DMUL);
            mv.visitInsn(DADD);
            mv.visitInsn(DASTORE);
          });
        });
      } else if (instr instanceof Kernel.BlockMatVec m && vectorProducts && m.matrix().stride() == 1) {
        vectorMatVec(m);
      } else if (instr instanceof Kernel.BlockMatVec m) {
        blockMatVec(m);
      } else if (instr instanceof Kernel.BlockOuterSum os && vectorProducts && os.accumulator().stride() == 1) {
        vectorOuterSum(os);
      } else if (instr instanceof Kernel.BlockOuterSum os) {
        blockOuterSum(os);
      } else if (instr instanceof Kernel.Dense d) {
        // DenseMatrices.routine(target, offset, arg, offset, ..., ints...)
        rowElement(d.target(), constant(0));
        for (Region r : d.args()) {
          rowElement(r, constant(0));
        }
        for (int k : d.ints()) {
          pushInt(mv, k);
        }
        mv.visitMethodInsn(INVOKESTATIC, DENSE_MATRICES, d.routine(), d.descriptor(), false);
      } else if (instr instanceof Kernel.Outer o) {
        int row = intLocal();
        int j = intLocal();
        int ai = doubleLocal();
        count(INDEX, 0, o.rows(), () -> {
          mv.visitVarInsn(ILOAD, INDEX);
          pushInt(mv, o.cols());
          mv.visitInsn(IMUL);
          mv.visitVarInsn(ISTORE, row);
          load(o.left(), local(INDEX));
          mv.visitVarInsn(DSTORE, ai);
          count(j, 0, o.cols(), () -> {
            at(o.target(), sum(row, j));
            mv.visitVarInsn(DLOAD, ai);
            load(o.right(), local(j));
            mv.visitInsn(DMUL);
            mv.visitInsn(DASTORE);
          });
        });
      } else if (instr instanceof Kernel.Place p) {
        Runnable position = tableElement(p.positions());
        count(INDEX, 0, p.positions().length, () -> {
          at(p.target(), position);
          load(p.source(), local(INDEX));
          mv.visitInsn(DASTORE);
        });
      } else if (instr instanceof Kernel.Take t) {
        Runnable position = tableElement(t.positions());
        count(INDEX, 0, t.positions().length, () -> {
          at(t.target(), local(INDEX));
          load(t.source(), position);
          mv.visitInsn(DASTORE);
        });
      } else if (instr instanceof Kernel.Scan s) {
        scan(s);
      } else if (instr instanceof Kernel.Search s) {
        int target = slot(s.target());
        mv.visitInsn(DCONST_0);
        mv.visitVarInsn(DSTORE, target);
        count(INDEX, 1, s.count() - 1, () -> {
          Label skip = new Label();
          push(s.x());
          load(s.knots(), local(INDEX));
          mv.visitInsn(DCMPL);
          mv.visitJumpInsn(IFLT, skip);
          mv.visitVarInsn(ILOAD, INDEX);
          mv.visitInsn(I2D);
          mv.visitVarInsn(DSTORE, target);
          mv.visitLabel(skip);
        });
      } else if (instr instanceof Kernel.Pick p) {
        load(p.source(), truncated(p.index()));
        mv.visitVarInsn(DSTORE, slot(p.target()));
      } else if (instr instanceof Kernel.Put p) {
        at(p.target(), truncated(p.index()));
        push(p.value());
        mv.visitInsn(DASTORE);
      } else {
        throw new IllegalArgumentException("unknown instruction " + instr);
      }
    }

    /**
     * Rows {@code from} to {@code to} of W x, {@code block} rows at a time: their sums run side by
     * side (independent chains of additions, which the processor overlaps), each still from its
     * first term, j ascending. As JavaSourceBackend writes it:
     * <pre>
     * for (int i = from; i < to; i += block) {
     *   int r = i * cols;
     *   double a0 = w[r] * x[0]; double a1 = w[r + cols] * x[0]; ...
     *   for (int j = 1; j < cols; j++) { double xj = x[j]; a0 += w[r + j] * xj; a1 += w[r + cols + j] * xj; ... }
     *   t[i] = a0; t[i + 1] = a1; ...
     * }
     * </pre>
     */
    private void matvecRows(Kernel.MatVec m, int from, int to, int block) {
      int cols = m.cols();
      int row = intLocal();
      int j = intLocal();
      int xj = doubleLocal();
      int[] acc = new int[block];
      for (int b = 0; b < block; b++) {
        acc[b] = doubleLocal();
      }
      Label top = new Label();
      Label end = new Label();
      pushInt(mv, from);
      mv.visitVarInsn(ISTORE, INDEX);
      mv.visitLabel(top);
      mv.visitVarInsn(ILOAD, INDEX);
      pushInt(mv, to);
      mv.visitJumpInsn(IF_ICMPGE, end);
      mv.visitVarInsn(ILOAD, INDEX);
      pushInt(mv, cols);
      mv.visitInsn(IMUL);
      mv.visitVarInsn(ISTORE, row);
      for (int b = 0; b < block; b++) {
        load(m.matrix(), plus(local(row), b * cols));
        load(m.vector(), constant(0));
        mv.visitInsn(DMUL);
        mv.visitVarInsn(DSTORE, acc[b]);
      }
      count(j, 1, cols, () -> {
        load(m.vector(), local(j));
        mv.visitVarInsn(DSTORE, xj);
        for (int b = 0; b < block; b++) {
          mv.visitVarInsn(DLOAD, acc[b]);
          load(m.matrix(), plus(sum(row, j), b * cols));
          mv.visitVarInsn(DLOAD, xj);
          mv.visitInsn(DMUL);
          mv.visitInsn(DADD);
          mv.visitVarInsn(DSTORE, acc[b]);
        }
      });
      for (int b = 0; b < block; b++) {
        at(m.target(), plus(local(INDEX), b));
        mv.visitVarInsn(DLOAD, acc[b]);
        mv.visitInsn(DASTORE);
      }
      mv.visitIincInsn(INDEX, block);
      mv.visitJumpInsn(GOTO, top);
      mv.visitLabel(end);
    }

    /**
     * A product for a block of draws, {@code Kernel.BlockMatVec.DRAWS_PER_TRIP} draws per trip,
     * each with its own sum from the first term, terms ascending, then the draws left over one by
     * one. As JavaSourceBackend writes it (P draws per trip, V and T the rows' stride):
     * <pre>
     * for (int i = 0; i < outputs; i++) {
     *   int b = 0;
     *   for (; b + P <= n; b += P) {
     *     double wk = m[i * outputStep];
     *     double a0 = wk * v[b]; ... a(P-1) = wk * v[b + P - 1];
     *     for (int k = 1; k < terms; k++) {
     *       wk = m[i * outputStep + k * termStep]; int r = k * V + b;
     *       a0 += wk * v[r]; ...
     *     }
     *     t[i * T + b] = a0; ...
     *   }
     *   for (; b < n; b++) { the same with one sum }
     * }
     * </pre>
     */
    private void blockMatVec(Kernel.BlockMatVec m) {
      int n = intLocal();
      int b = intLocal();
      int k = intLocal();
      int mk = intLocal();
      int vk = intLocal();
      int wk = doubleLocal();
      int[] acc = new int[Kernel.BlockMatVec.DRAWS_PER_TRIP];
      for (int p = 0; p < acc.length; p++) {
        acc[p] = doubleLocal();
      }
      pushLin(m.count());
      mv.visitVarInsn(ISTORE, n);
      count(INDEX, 0, m.targetLength(), () -> {
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, b);
        Label trips = new Label();
        Label rest = new Label();
        mv.visitLabel(trips);
        mv.visitVarInsn(ILOAD, b);
        pushInt(mv, acc.length);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ILOAD, n);
        mv.visitJumpInsn(IF_ICMPGT, rest);
        blockSums(m, acc, b, k, mk, vk, wk);
        mv.visitIincInsn(b, acc.length);
        mv.visitJumpInsn(GOTO, trips);
        mv.visitLabel(rest);
        Label done = new Label();
        mv.visitVarInsn(ILOAD, b);
        mv.visitVarInsn(ILOAD, n);
        mv.visitJumpInsn(IF_ICMPGE, done);
        blockSums(m, new int[] {acc[0]}, b, k, mk, vk, wk);
        mv.visitIincInsn(b, 1);
        mv.visitJumpInsn(GOTO, rest);
        mv.visitLabel(done);
      });
    }

    /**
     * {@code VectorProducts.blockMatVec(t, tOff, tStride, m, mOff, outputStep, termStep, v, vOff,
     * vStride, outputs, terms, n)}: the product of {@link #blockMatVec} with draws in vector lanes.
     */
    private void vectorMatVec(Kernel.BlockMatVec m) {
      rowElement(m.target(), constant(0));
      pushInt(mv, m.target().stride());
      rowElement(m.matrix(), constant(0));
      pushInt(mv, m.outputStep());
      pushInt(mv, m.termStep());
      rowElement(m.vector(), constant(0));
      pushInt(mv, m.vector().stride());
      pushInt(mv, m.targetLength());
      pushInt(mv, m.vectorLength());
      pushLin(m.count());
      mv.visitMethodInsn(INVOKESTATIC, VECTOR_PRODUCTS, "blockMatVec", "([DII[DIII[DIIIII)V", false);
    }

    /**
     * {@code VectorProducts.blockOuterSum(acc, accOff, left, lOff, lStride, right, rOff, rStride,
     * mask, maskOff, rows, cols, n)}: the sums of {@link #blockOuterSum}, four columns in lanes.
     */
    private void vectorOuterSum(Kernel.BlockOuterSum os) {
      rowElement(os.accumulator(), constant(0));
      rowElement(os.left(), constant(0));
      pushInt(mv, os.left().stride());
      rowElement(os.right(), constant(0));
      pushInt(mv, os.right().stride());
      if (os.mask() == null) {
        mv.visitInsn(ACONST_NULL);
        mv.visitInsn(ICONST_0);
      } else {
        rowElement(os.mask(), constant(0));
      }
      pushInt(mv, os.rows());
      pushInt(mv, os.cols());
      pushLin(os.count());
      mv.visitMethodInsn(INVOKESTATIC, VECTOR_PRODUCTS, "blockOuterSum", "([DI[DII[DII[DIIII)V", false);
    }

    /** The sums of output INDEX for draws b .. b + acc.length - 1, stored to the target. */
    private void blockSums(Kernel.BlockMatVec m, int[] acc, int b, int k, int mk, int vk, int wk) {
      // mk: the term's matrix element, vk: the term's row plus b
      mv.visitVarInsn(ILOAD, INDEX);
      pushInt(mv, m.outputStep());
      mv.visitInsn(IMUL);
      mv.visitVarInsn(ISTORE, mk);
      load(m.matrix(), local(mk));
      mv.visitVarInsn(DSTORE, wk);
      for (int p = 0; p < acc.length; p++) {
        mv.visitVarInsn(DLOAD, wk);
        rowElement(m.vector(), plus(local(b), p));
        mv.visitInsn(DALOAD);
        mv.visitInsn(DMUL);
        mv.visitVarInsn(DSTORE, acc[p]);
      }
      mv.visitVarInsn(ILOAD, b);
      mv.visitVarInsn(ISTORE, vk);
      count(k, 1, m.vectorLength(), () -> {
        mv.visitIincInsn(mk, m.termStep());
        mv.visitIincInsn(vk, m.vector().stride());
        load(m.matrix(), local(mk));
        mv.visitVarInsn(DSTORE, wk);
        for (int p = 0; p < acc.length; p++) {
          mv.visitVarInsn(DLOAD, acc[p]);
          mv.visitVarInsn(DLOAD, wk);
          rowElement(m.vector(), plus(local(vk), p));
          mv.visitInsn(DALOAD);
          mv.visitInsn(DMUL);
          mv.visitInsn(DADD);
          mv.visitVarInsn(DSTORE, acc[p]);
        }
      });
      for (int p = 0; p < acc.length; p++) {
        int draw = p;
        rowElement(m.target(), () -> {
          mv.visitVarInsn(ILOAD, INDEX);
          pushInt(mv, m.target().stride());
          mv.visitInsn(IMUL);
          mv.visitVarInsn(ILOAD, b);
          mv.visitInsn(IADD);
          if (draw != 0) {
            pushInt(mv, draw);
            mv.visitInsn(IADD);
          }
        });
        mv.visitVarInsn(DLOAD, acc[p]);
        mv.visitInsn(DASTORE);
      }
    }

    /**
     * The sum over a block's draws of outer products added into a shared matrix, {@code
     * Kernel.BlockOuterSum.COLUMNS_PER_TRIP} columns per trip, each column's sum over the draws in
     * order, then the columns left over one by one. As JavaSourceBackend writes it:
     * <pre>
     * for (int i = 0; i < rows; i++) {
     *   int c = 0;
     *   for (; c + P <= cols; c += P) {
     *     double a0 = acc[i * cols + c]; ...
     *     for (int d = 0; d < n; d++) {
     *       if (mask[d] != 0.0) { double li = left[i * L + d]; a0 += li * right[c * R + d]; ... }
     *     }
     *     acc[i * cols + c] = a0; ...
     *   }
     *   for (; c < cols; c++) { the same with one sum }
     * }
     * </pre>
     * A draw the mask leaves out adds nothing: adding its 0.0 would not change the sum, which
     * never is -0.0 (BatchMajor's class comment).
     */
    private void blockOuterSum(Kernel.BlockOuterSum os) {
      int n = intLocal();
      int c = intLocal();
      int d = intLocal();
      int li = doubleLocal();
      int[] acc = new int[Kernel.BlockOuterSum.COLUMNS_PER_TRIP];
      for (int k = 0; k < acc.length; k++) {
        acc[k] = doubleLocal();
      }
      pushLin(os.count());
      mv.visitVarInsn(ISTORE, n);
      count(INDEX, 0, os.rows(), () -> {
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, c);
        Label trips = new Label();
        Label rest = new Label();
        mv.visitLabel(trips);
        mv.visitVarInsn(ILOAD, c);
        pushInt(mv, acc.length);
        mv.visitInsn(IADD);
        pushInt(mv, os.cols());
        mv.visitJumpInsn(IF_ICMPGT, rest);
        columnSums(os, acc, n, c, d, li);
        mv.visitIincInsn(c, acc.length);
        mv.visitJumpInsn(GOTO, trips);
        mv.visitLabel(rest);
        Label done = new Label();
        mv.visitVarInsn(ILOAD, c);
        pushInt(mv, os.cols());
        mv.visitJumpInsn(IF_ICMPGE, done);
        columnSums(os, new int[] {acc[0]}, n, c, d, li);
        mv.visitIincInsn(c, 1);
        mv.visitJumpInsn(GOTO, rest);
        mv.visitLabel(done);
      });
    }

    /** Columns c .. c + acc.length - 1 of row INDEX: loaded, summed over the draws, stored. */
    private void columnSums(Kernel.BlockOuterSum os, int[] acc, int n, int c, int d, int li) {
      Runnable element = () -> {
        mv.visitVarInsn(ILOAD, INDEX);
        pushInt(mv, os.cols());
        mv.visitInsn(IMUL);
        mv.visitVarInsn(ILOAD, c);
        mv.visitInsn(IADD);
      };
      for (int k = 0; k < acc.length; k++) {
        load(os.accumulator(), plus(element, k));
        mv.visitVarInsn(DSTORE, acc[k]);
      }
      Label top = new Label();
      Label end = new Label();
      Label next = new Label();
      mv.visitInsn(ICONST_0);
      mv.visitVarInsn(ISTORE, d);
      mv.visitLabel(top);
      mv.visitVarInsn(ILOAD, d);
      mv.visitVarInsn(ILOAD, n);
      mv.visitJumpInsn(IF_ICMPGE, end);
      if (os.mask() != null) {
        rowElement(os.mask(), local(d));
        mv.visitInsn(DALOAD);
        mv.visitInsn(DCONST_0);
        mv.visitInsn(DCMPL);
        mv.visitJumpInsn(IFEQ, next);
      }
      rowElement(os.left(), () -> {
        mv.visitVarInsn(ILOAD, INDEX);
        pushInt(mv, os.left().stride());
        mv.visitInsn(IMUL);
        mv.visitVarInsn(ILOAD, d);
        mv.visitInsn(IADD);
      });
      mv.visitInsn(DALOAD);
      mv.visitVarInsn(DSTORE, li);
      for (int k = 0; k < acc.length; k++) {
        int column = k;
        mv.visitVarInsn(DLOAD, acc[k]);
        mv.visitVarInsn(DLOAD, li);
        rowElement(os.right(), () -> {
          mv.visitVarInsn(ILOAD, c);
          if (column != 0) {
            pushInt(mv, column);
            mv.visitInsn(IADD);
          }
          pushInt(mv, os.right().stride());
          mv.visitInsn(IMUL);
          mv.visitVarInsn(ILOAD, d);
          mv.visitInsn(IADD);
        });
        mv.visitInsn(DALOAD);
        mv.visitInsn(DMUL);
        mv.visitInsn(DADD);
        mv.visitVarInsn(DSTORE, acc[k]);
      }
      mv.visitLabel(next);
      mv.visitIincInsn(d, 1);
      mv.visitJumpInsn(GOTO, top);
      mv.visitLabel(end);
      for (int k = 0; k < acc.length; k++) {
        at(os.accumulator(), plus(element, k));
        mv.visitVarInsn(DLOAD, acc[k]);
        mv.visitInsn(DASTORE);
      }
    }

    /** Pushes array and index of {@code r.offset + index}: an index already counting rows and draws. */
    private void rowElement(Region r, Runnable index) {
      arrayRef(r.array());
      pushLin(r.offset());
      index.run();
      mv.visitInsn(IADD);
      addBase(r.array());
    }

    /** The int the runnable pushes, plus a constant. */
    private Runnable plus(Runnable index, int k) {
      return () -> {
        index.run();
        if (k != 0) {
          pushInt(mv, k);
          mv.visitInsn(IADD);
        }
      };
    }

    /** Pushes {@code P[i]} of the positions' table, i the loop index. */
    private Runnable tableElement(int[] table) {
      String field = positions.fieldOf(table);
      return () -> {
        mv.visitFieldInsn(GETSTATIC, owner, field, "[I");
        mv.visitVarInsn(ILOAD, INDEX);
        mv.visitInsn(IALOAD);
      };
    }

    /** Running sums: the first element copied, then each the previous one plus its source element. */
    private void scan(Kernel.Scan s) {
      int n = s.length();
      int first = s.reverse() ? n - 1 : 0;
      at(s.target(), constant(first));
      load(s.source(), constant(first));
      mv.visitInsn(DASTORE);
      Runnable previous = () -> {
        mv.visitVarInsn(ILOAD, INDEX);
        pushInt(mv, s.reverse() ? 1 : -1);
        mv.visitInsn(IADD);
      };
      Runnable body = () -> {
        at(s.target(), local(INDEX));
        load(s.target(), previous);
        load(s.source(), local(INDEX));
        mv.visitInsn(DADD);
        mv.visitInsn(DASTORE);
      };
      if (!s.reverse()) {
        count(INDEX, 1, n, body);
        return;
      }
      // for (int i = n - 2; i >= 0; i--)
      Label top = new Label();
      Label end = new Label();
      pushInt(mv, n - 2);
      mv.visitVarInsn(ISTORE, INDEX);
      mv.visitLabel(top);
      mv.visitVarInsn(ILOAD, INDEX);
      mv.visitJumpInsn(IFLT, end);
      body.run();
      mv.visitIincInsn(INDEX, -1);
      mv.visitJumpInsn(GOTO, top);
      mv.visitLabel(end);
    }

    private void fused(Fused f) {
      Map<Integer, int[]> sums = new LinkedHashMap<>();
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneSum sum) {
          sums.put(sum.accumulator().id(), sumLanes(slot(sum.accumulator()), sum.inLanes(), f.length()));
        }
      }
      hoistInvariants(f);
      loop(f.length(), laneBody(f, sums));
      sums.values().forEach(sum -> combineLanes(sum, f.length()));
    }

    /** One iteration of a fused loop, element i (the local INDEX) of each region. */
    private Runnable laneBody(Fused f, Map<Integer, int[]> sums) {
      Map<Integer, Integer> lanes = new HashMap<>();
      return () -> {
        for (LaneInstr li : f.body()) {
          if (li instanceof LaneAssign a) {
            for (LaneOperand o : a.args()) {
              push(o, lanes);
            }
            apply(a.op(), a.attrs(), a.args().size());
            int laneSlot = lanes.computeIfAbsent(a.target().id(), id -> {
              int slot = nextSlot;
              nextSlot += 2;
              return slot;
            });
            mv.visitVarInsn(DSTORE, laneSlot);
          } else if (li instanceof LaneWrite w) {
            arrayElement(w.target());
            push(w.value(), lanes);
            mv.visitInsn(DASTORE);
          } else {
            LaneSum sum = (LaneSum) li;
            addToSum(sums.get(sum.accumulator().id()), () -> push(sum.value(), lanes));
          }
        }
      };
    }

    /**
     * A fused loop that {@link VectorLoops} admits, four elements a trip: each lane value a
     * DoubleVector, each sum a DoubleVector whose lane j adds elements j, j + 4, ... (the lanes of
     * {@link Sums}); then the last length mod 4 elements one by one as {@link #fused} writes them,
     * into the sums' lanes taken out of the vectors, which {@link #combineLanes} adds as always.
     */
    private void vectorFused(Fused f) {
      Map<Integer, int[]> sums = new LinkedHashMap<>();
      Map<Integer, Integer> accumulators = new HashMap<>();
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneSum sum) {
          sums.put(sum.accumulator().id(), sumLanes(slot(sum.accumulator()), true, f.length()));
          int acc = nextSlot++;
          species();
          mv.visitMethodInsn(INVOKESTATIC, DOUBLE_VECTOR, "zero", "(" + SPECIES + ")" + VECTOR_TYPE, false);
          mv.visitVarInsn(ASTORE, acc);
          accumulators.put(sum.accumulator().id(), acc);
        }
      }
      hoistInvariants(f);
      Map<Operand, Integer> splats = new HashMap<>();
      for (LaneInstr li : f.body()) {
        for (LaneOperand o : laneOperands(li)) {
          if (o instanceof Invariant inv && !splats.containsKey(inv.scalar())) {
            species();
            push(inv.scalar());
            mv.visitMethodInsn(INVOKESTATIC, DOUBLE_VECTOR, "broadcast", "(" + SPECIES + "D)" + VECTOR_TYPE, false);
            splats.put(inv.scalar(), nextSlot);
            mv.visitVarInsn(ASTORE, nextSlot++);
          }
        }
      }
      // the trips cover [0, bound), bound = length rounded down to a multiple of four
      Lin length = f.length();
      Runnable bound;
      if (length.isConstant()) {
        int b = length.constant() & -VectorLoops.LANES;
        bound = () -> pushInt(mv, b);
      } else {
        int b = intLocal();
        pushLin(length);
        pushInt(mv, -VectorLoops.LANES);
        mv.visitInsn(IAND);
        mv.visitVarInsn(ISTORE, b);
        bound = local(b);
      }
      Map<Integer, Integer> lanes = new HashMap<>();
      Label top = new Label();
      Label end = new Label();
      mv.visitInsn(ICONST_0);
      mv.visitVarInsn(ISTORE, INDEX);
      mv.visitLabel(top);
      mv.visitVarInsn(ILOAD, INDEX);
      bound.run();
      mv.visitJumpInsn(IF_ICMPGE, end);
      for (LaneInstr li : f.body()) {
        if (li instanceof LaneAssign a) {
          for (LaneOperand o : a.args()) {
            pushVector(o, lanes, splats);
          }
          vectorOp(a.op());
          int slot = lanes.computeIfAbsent(a.target().id(), id -> nextSlot++);
          mv.visitVarInsn(ASTORE, slot);
        } else if (li instanceof LaneWrite w) {
          pushVector(w.value(), lanes, splats);
          arrayElement(w.target());
          mv.visitMethodInsn(INVOKEVIRTUAL, DOUBLE_VECTOR, "intoArray", "([DI)V", false);
        } else {
          LaneSum sum = (LaneSum) li;
          int acc = accumulators.get(sum.accumulator().id());
          mv.visitVarInsn(ALOAD, acc);
          pushVector(sum.value(), lanes, splats);
          vectorOp(Op.ADD);
          mv.visitVarInsn(ASTORE, acc);
        }
      }
      mv.visitIincInsn(INDEX, VectorLoops.LANES);
      mv.visitJumpInsn(GOTO, top);
      mv.visitLabel(end);
      // after a multiple of four terms the scalar code's local p holds lane p (see addToSum)
      for (Map.Entry<Integer, int[]> e : sums.entrySet()) {
        int[] scalarLanes = e.getValue();
        for (int p = 0; p < scalarLanes.length; p++) {
          mv.visitVarInsn(ALOAD, accumulators.get(e.getKey()));
          pushInt(mv, p);
          mv.visitMethodInsn(INVOKEVIRTUAL, DOUBLE_VECTOR, "lane", "(I)D", false);
          mv.visitVarInsn(DSTORE, scalarLanes[p]);
        }
      }
      if (!length.isConstant() || length.constant() % VectorLoops.LANES != 0) {
        count(INDEX, bound, length, laneBody(f, sums));
      }
      hoisted.clear();
      sums.values().forEach(sum -> combineLanes(sum, length));
    }

    private static List<LaneOperand> laneOperands(LaneInstr li) {
      if (li instanceof LaneAssign a) {
        return a.args();
      }
      return List.of(li instanceof LaneWrite w ? w.value() : ((LaneSum) li).value());
    }

    private void species() {
      mv.visitFieldInsn(GETSTATIC, DOUBLE_VECTOR, "SPECIES_256", SPECIES);
    }

    /** Elements i .. i + 3 of an operand as a DoubleVector. */
    private void pushVector(LaneOperand o, Map<Integer, Integer> lanes, Map<Operand, Integer> splats) {
      if (o instanceof Lane l) {
        mv.visitVarInsn(ALOAD, lanes.get(l.id()));
      } else if (o instanceof At at) {
        species();
        arrayElement(at.region());
        mv.visitMethodInsn(INVOKESTATIC, DOUBLE_VECTOR, "fromArray", "(" + SPECIES + "[DI)" + VECTOR_TYPE, false);
      } else {
        mv.visitVarInsn(ALOAD, splats.get(((Invariant) o).scalar()));
      }
    }

    /** The op lane by lane on the vectors on the stack: the scalar op's IEEE 754 result in each lane. */
    private void vectorOp(Op op) {
      String binary = "(Ljdk/incubator/vector/Vector;)" + VECTOR_TYPE;
      switch (op) {
        case NEG -> mv.visitMethodInsn(INVOKEVIRTUAL, DOUBLE_VECTOR, "neg", "()" + VECTOR_TYPE, false);
        case ADD -> mv.visitMethodInsn(INVOKEVIRTUAL, DOUBLE_VECTOR, "add", binary, false);
        case SUB -> mv.visitMethodInsn(INVOKEVIRTUAL, DOUBLE_VECTOR, "sub", binary, false);
        case MUL -> mv.visitMethodInsn(INVOKEVIRTUAL, DOUBLE_VECTOR, "mul", binary, false);
        case DIV -> mv.visitMethodInsn(INVOKEVIRTUAL, DOUBLE_VECTOR, "div", binary, false);
        case SQUARE -> {
          mv.visitInsn(DUP);
          mv.visitMethodInsn(INVOKEVIRTUAL, DOUBLE_VECTOR, "mul", binary, false);
        }
        default -> throw new IllegalArgumentException(op + " has no exact vector form");
      }
    }

    private void push(LaneOperand o, Map<Integer, Integer> lanes) {
      if (o instanceof Lane l) {
        mv.visitVarInsn(DLOAD, lanes.get(l.id()));
      } else if (o instanceof At at) {
        push(at.region());
      } else {
        push(((Invariant) o).scalar());
      }
    }

    private void reduce(Reduce r) {
      int target = slot(r.target());
      if (r.op() == Op.SUM) {
        int[] lanes = sumLanes(target, r.inLanes(), r.length());
        loop(r.length(), () -> addToSum(lanes, () -> push(r.source())));
        combineLanes(lanes, r.length());
      } else {
        arrayRef(r.source().array());
        pushLin(r.source().offset());
        addBase(r.source().array());
        pushLin(r.length());
        if (r.source().stride() == 1) {
          mv.visitMethodInsn(INVOKESTATIC, FUNCTIONS, "logsumexp", "([DII)D", false);
        } else {
          pushInt(mv, r.source().stride());
          mv.visitMethodInsn(INVOKESTATIC, FUNCTIONS, "logsumexp", "([DIII)D", false);
        }
        mv.visitVarInsn(DSTORE, target);
      }
    }

    /**
     * The locals of a sum, all 0.0: the accumulator alone for a sum in one chain (or of up to three
     * terms, which rounds the same), else it and three more, the lanes of {@link Sums} rotated
     * through them (see {@link #addToSum}).
     */
    private int[] sumLanes(int accumulator, boolean inLanes, Lin length) {
      int[] slots = new int[inLanes && Kernel.sumsInLanes(length) ? Sums.LANES : 1];
      slots[0] = accumulator;
      for (int j = 1; j < slots.length; j++) {
        slots[j] = doubleLocal();
      }
      for (int slot : slots) {
        mv.visitInsn(DCONST_0);
        mv.visitVarInsn(DSTORE, slot);
      }
      return slots;
    }

    /**
     * Adds the term on the stack to the first local and rotates the locals, so that term i goes to
     * lane i mod 4 and each lane's chain of additions waits for one addition in four: after n
     * terms, local p holds lane (n + p) mod 4.
     */
    private void addToSum(int[] lanes, Runnable term) {
      mv.visitVarInsn(DLOAD, lanes[0]);
      term.run();
      mv.visitInsn(DADD);
      if (lanes.length > 1) {
        rotate(lanes);
      }
      mv.visitVarInsn(DSTORE, lanes[lanes.length - 1]);
    }

    /** Shifts locals 1.. down by one, leaving the value on the stack for the last to take. */
    private void rotate(int[] lanes) {
      for (int j = 1; j < lanes.length; j++) {
        mv.visitVarInsn(DLOAD, lanes[j]);
        mv.visitVarInsn(DSTORE, lanes[j - 1]);
      }
    }

    /** The total {@code (lane0 + lane1) + (lane2 + lane3)} into the first local, after n terms. */
    private void combineLanes(int[] lanes, Lin length) {
      if (lanes.length == 1) {
        return;
      }
      int[] lane = new int[Sums.LANES];
      if (length.isConstant()) {
        for (int p = 0; p < Sums.LANES; p++) {
          lane[(length.constant() + p) % Sums.LANES] = lanes[p];
        }
      } else {
        // rotate to a multiple of four terms, where local p holds lane p
        int k = intLocal();
        Label top = new Label();
        Label end = new Label();
        pushLin(length);
        pushInt(mv, Sums.LANES - 1);
        mv.visitInsn(IAND);
        mv.visitVarInsn(ISTORE, k);
        mv.visitLabel(top);
        mv.visitVarInsn(ILOAD, k);
        mv.visitJumpInsn(IFEQ, end);
        mv.visitVarInsn(DLOAD, lanes[0]);
        rotate(lanes);
        mv.visitVarInsn(DSTORE, lanes[lanes.length - 1]);
        mv.visitIincInsn(k, 1);
        mv.visitVarInsn(ILOAD, k);
        pushInt(mv, Sums.LANES - 1);
        mv.visitInsn(IAND);
        mv.visitVarInsn(ISTORE, k);
        mv.visitJumpInsn(GOTO, top);
        mv.visitLabel(end);
        lane = lanes;
      }
      mv.visitVarInsn(DLOAD, lane[0]);
      mv.visitVarInsn(DLOAD, lane[1]);
      mv.visitInsn(DADD);
      mv.visitVarInsn(DLOAD, lane[2]);
      mv.visitVarInsn(DLOAD, lane[3]);
      mv.visitInsn(DADD);
      mv.visitInsn(DADD);
      mv.visitVarInsn(DSTORE, lanes[0]);
    }

    /** {@code for (int i = 0; i < length; i++) body}. */
    private void loop(int length, Runnable body) {
      loop(Lin.of(length), body);
    }

    private void loop(Lin length, Runnable body) {
      count(INDEX, 0, length, body);
      hoisted.clear(); // later instructions may store to those elements
    }

    /** The array's local: DRAWS is the workspace, indexed from the base. */
    private void arrayRef(Kernel.Array a) {
      mv.visitVarInsn(ALOAD, a == Kernel.Array.DRAWS ? Kernel.Array.WORK.ordinal() : a.ordinal());
    }

    /** Pushes array and index of element i of a region (for a following DALOAD or DASTORE). */
    private void arrayElement(Region r) {
      arrayRef(r.array());
      if (r.offset().isConstant()) {
        mv.visitVarInsn(ILOAD, INDEX);
        scaleByStride(r);
        addLin(r.offset());
      } else {
        pushLin(r.offset());
        mv.visitVarInsn(ILOAD, INDEX);
        scaleByStride(r);
        mv.visitInsn(IADD);
      }
      addBase(r.array());
    }

    /** The int on the stack times the region's stride. */
    private void scaleByStride(Region r) {
      if (r.stride() != 1) {
        pushInt(mv, r.stride());
        mv.visitInsn(IMUL);
      }
    }

    /** Pushes array and index of {@code region[(int) index[i] + shift]}. */
    private void indexedElement(Region region, Region index, int shift) {
      arrayRef(region.array());
      arrayElement(index);
      mv.visitInsn(DALOAD);
      mv.visitInsn(D2I);
      if (region.stride() != 1) {
        addLin(Lin.of(shift));
        scaleByStride(region);
        addLin(region.offset());
      } else if (region.offset().isConstant()) {
        addLin(region.offset().plus(shift));
      } else {
        addLin(region.offset());
        addLin(Lin.of(shift));
      }
      addBase(region.array());
    }

    /** EPS and DRAWS indices count from the method's base. */
    private void addBase(Kernel.Array a) {
      if (a.fromBase()) {
        mv.visitVarInsn(ILOAD, BASE);
        mv.visitInsn(IADD);
      }
    }

    /**
     * Before a loop: array elements read as one value for every i go to locals. HotSpot cannot
     * always tell the loop's stores to the workspace from those elements (never at an offset it
     * does not know), and would reload them in every iteration and not vectorize the loop.
     */
    private void hoistInvariants(Instr loop) {
      for (Element e : Kernel.invariantsRead(loop)) {
        push(e);
        mv.visitVarInsn(DSTORE, nextSlot);
        hoisted.put(e, nextSlot);
        nextSlot += 2;
      }
    }

    private void push(Operand o) {
      if (o instanceof Temp t) {
        mv.visitVarInsn(DLOAD, slot(t));
      } else if (o instanceof Const c) {
        pushDouble(c.value());
      } else if (hoisted.containsKey(o)) {
        mv.visitVarInsn(DLOAD, hoisted.get(o));
      } else {
        Element e = (Element) o;
        arrayRef(e.array());
        pushInt(mv, e.index());
        addBase(e.array());
        mv.visitInsn(DALOAD);
      }
    }

    private void push(VecOperand v) {
      if (v instanceof Splat s) {
        push(s.scalar());
      } else {
        arrayElement((Region) v);
        mv.visitInsn(DALOAD);
      }
    }

    private void pushDouble(double v) {
      if (Double.doubleToRawLongBits(v) == 0L) {
        mv.visitInsn(DCONST_0);
      } else if (v == 1.0) {
        mv.visitInsn(DCONST_1);
      } else if (constants.isTabled(v)) {
        mv.visitFieldInsn(GETSTATIC, owner, ConstantTable.field(constants.table(v)), "[D");
        pushInt(mv, constants.index(v));
        mv.visitInsn(DALOAD);
      } else {
        mv.visitLdcInsn(v);
      }
    }

    /** The op applied to the operands on the stack (POLYGAMMA's order is pushed here). */
    private void apply(Op op, int[] attrs, int arity) {
      switch (op) {
        case NEG -> mv.visitInsn(DNEG);
        case ADD -> mv.visitInsn(DADD);
        case SUB -> mv.visitInsn(DSUB);
        case MUL -> mv.visitInsn(DMUL);
        case DIV -> mv.visitInsn(DDIV);
        case SQUARE -> {
          mv.visitInsn(DUP2);
          mv.visitInsn(DMUL);
        }
        case POLYGAMMA -> {
          // polygamma(int, double): the order goes under the argument
          pushInt(mv, attrs[0]);
          mv.visitInsn(DUP_X2);
          mv.visitInsn(POP);
          mv.visitMethodInsn(INVOKESTATIC, FUNCTIONS, "polygamma", "(ID)D", false);
        }
        case LT -> compare(DCMPG, IFGE);
        case LE -> compare(DCMPG, IFGT);
        case GT -> compare(DCMPL, IFLE);
        case GE -> compare(DCMPL, IFLT);
        case EQ -> compare(DCMPL, IFNE);
        case NE -> compare(DCMPL, IFEQ);
        case NOT -> {
          mv.visitInsn(DCONST_0);
          compare(DCMPL, IFNE);
        }
        case AND, OR -> logical(op);
        case SELECT -> select();
        default -> mv.visitMethodInsn(INVOKESTATIC, JavaMath.inRuntime(op) ? FUNCTIONS : MATH,
            JavaMath.methodName(op), arity == 1 ? "(D)D" : "(DD)D", false);
      }
    }

    /** Two doubles on the stack to 1.0 or 0.0: {@code jumpIfFalse} follows the comparison. */
    private void compare(int comparison, int jumpIfFalse) {
      Label no = new Label();
      Label end = new Label();
      mv.visitInsn(comparison);
      mv.visitJumpInsn(jumpIfFalse, no);
      mv.visitInsn(DCONST_1);
      mv.visitJumpInsn(GOTO, end);
      mv.visitLabel(no);
      mv.visitInsn(DCONST_0);
      mv.visitLabel(end);
    }

    /** a, b on the stack to (a != 0 && b != 0) or (a != 0 || b != 0), as 1.0 or 0.0. */
    private void logical(Op op) {
      int b = nextSlot;
      nextSlot += 4;
      int a = b + 2;
      mv.visitVarInsn(DSTORE, b);
      mv.visitVarInsn(DSTORE, a);
      Label yes = new Label();
      Label no = new Label();
      Label end = new Label();
      for (int slot : new int[] {a, b}) {
        mv.visitVarInsn(DLOAD, slot);
        mv.visitInsn(DCONST_0);
        mv.visitInsn(DCMPL);
        mv.visitJumpInsn(op == Op.AND ? IFEQ : IFNE, op == Op.AND ? no : yes);
      }
      if (op == Op.AND) {
        mv.visitJumpInsn(GOTO, yes);
      } else {
        mv.visitJumpInsn(GOTO, no);
      }
      mv.visitLabel(yes);
      mv.visitInsn(DCONST_1);
      mv.visitJumpInsn(GOTO, end);
      mv.visitLabel(no);
      mv.visitInsn(DCONST_0);
      mv.visitLabel(end);
    }

    /** cond, a, b on the stack to cond != 0 ? a : b. */
    private void select() {
      int b = nextSlot;
      nextSlot += 4;
      int a = b + 2;
      mv.visitVarInsn(DSTORE, b);
      mv.visitVarInsn(DSTORE, a);
      Label other = new Label();
      Label end = new Label();
      mv.visitInsn(DCONST_0);
      mv.visitInsn(DCMPL);
      mv.visitJumpInsn(IFEQ, other);
      mv.visitVarInsn(DLOAD, a);
      mv.visitJumpInsn(GOTO, end);
      mv.visitLabel(other);
      mv.visitVarInsn(DLOAD, b);
      mv.visitLabel(end);
    }
  }

  private static void pushInt(MethodVisitor mv, int v) {
    if (v >= -1 && v <= 5) {
      mv.visitInsn(ICONST_0 + v);
    } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
      mv.visitIntInsn(BIPUSH, v);
    } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      mv.visitIntInsn(SIPUSH, v);
    } else {
      mv.visitLdcInsn(v);
    }
  }
}
