package io.flowc.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.Builtin;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.frontend.Type;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.testing.RandomModels.RandomModel;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/** The random model generator itself: its models are accepted, tame, reproducible, and cover the language. */
class RandomModelsTest {

  static CheckedModel check(RandomModel m) {
    try {
      return FrontEnd.check(new SourceFile("random.flow", m.text()));
    } catch (CompileException e) {
      return fail("the front end refuses a generated " + m + "\n" + e.render());
    }
  }

  @Provide
  Arbitrary<RandomModel> models() {
    return RandomModels.models();
  }

  @Property(tries = 2000, seed = "20240701", generation = GenerationMode.RANDOMIZED,
      edgeCases = EdgeCasesMode.NONE, shrinking = ShrinkingMode.OFF)
  void everyGeneratedModelPassesTheFrontEndAndIsTame(@ForAll("models") RandomModel m) {
    CheckedModel model = check(m);
    assertEquals(m.dimension(), model.dimension(), () -> "dimension of " + m);
    Interpreter interpreter = new Interpreter(model);
    Random random = new Random(m.seed());
    for (int k = 0; k < 3; k++) {
      double[] z = RandomModels.point(random, m.dimension());
      double potential = interpreter.potential(z);
      assertTrue(Double.isFinite(potential) && Math.abs(potential) < 1e4,
          () -> "potential " + potential + " at " + Arrays.toString(z) + " of " + m);
    }
  }

  @Example
  void theSameSeedGivesTheSameModel() {
    for (long seed : new long[] {0, 1, -7, 123456789L, Long.MAX_VALUE}) {
      assertEquals(RandomModels.generate(seed), RandomModels.generate(seed));
    }
  }

  /** 1,000 models use every construct of the language (the generator does not silently lose one). */
  @Example
  void modelsCoverTheWholeLanguage() {
    Set<String> used = new HashSet<>();
    for (long seed = 0; seed < 1000; seed++) {
      RandomModel m = RandomModels.generate(seed);
      CheckedModel model = check(m);
      Coverage coverage = new Coverage(model, used);
      for (Ast.Statement s : model.ast().statements()) {
        coverage.statement(s);
      }
      if (m.text().contains("//")) {
        used.add("line comment");
      }
      if (m.text().contains("/*")) {
        used.add("block comment");
      }
    }
    Set<String> expected = new TreeSet<>(List.of(
        "scalar param", "vector param", "real let", "vector let", "boolean let", "boolean vector let",
        "fn", "fn with a vector argument", "fn with a boolean argument", "fn called with a vector and a scalar",
        "fn returning a vector", "fn returning a boolean", "fn argument named like a parameter",
        "POTENTIAL", "LOGP", "Num", "Ident", "Conditional", "vector ?:", "vector ?: with a vector condition",
        "Index", "index of a boolean vector", "VectorLit", "constant pi", "constant e", "user fn call",
        "logsumexp of a vector", "logsumexp of several values", "scalar-vector broadcast",
        "line comment", "block comment", "integer literal", "decimal literal", "exponent literal",
        "literal starting with a dot", "literal ending with a dot"));
    Arrays.stream(Builtin.values()).forEach(b -> expected.add("builtin " + b.symbol()));
    EnumSet.allOf(Ast.UnaryOp.class).forEach(o -> expected.add("unary " + o));
    EnumSet.allOf(Ast.BinaryOp.class).forEach(o -> expected.add("binary " + o));
    expected.removeAll(used);
    assertEquals(Set.of(), expected, "constructs no generated model uses");
  }

  /** Walks a checked model and records which constructs it uses. */
  private record Coverage(CheckedModel model, Set<String> used) {
    void statement(Ast.Statement s) {
      if (s instanceof Ast.ParamDecl p) {
        used.add(p.size() == null ? "scalar param" : "vector param");
      } else if (s instanceof Ast.LetDecl l) {
        Type t = model.letTypes().get(l.name().text());
        used.add((t.isBool() ? (t.isVector() ? "boolean vector" : "boolean") : (t.isVector() ? "vector" : "real")) + " let");
        walk(l.value(), true);
      } else if (s instanceof Ast.FnDecl f) {
        used.add("fn");
        Set<String> params = new HashSet<>();
        model.params().forEach(p -> params.add(p.name()));
        if (f.params().stream().anyMatch(a -> params.contains(a.text()))) {
          used.add("fn argument named like a parameter");
        }
        walk(f.body(), false);
      } else if (s instanceof Ast.Contribution c) {
        used.add(c.kind().name());
        walk(c.value(), true);
      }
    }

    /** Types are known at top level only (function bodies are typed per call). */
    private void walk(Ast.Expr e, boolean topLevel) {
      used.add(e.getClass().getSimpleName());
      if (e instanceof Ast.Num n) {
        String text = n.text();
        used.add(n.isIntegerLiteral() ? "integer literal" : text.matches(".*[eE].*") ? "exponent literal" : "decimal literal");
        if (text.startsWith(".")) {
          used.add("literal starting with a dot");
        }
        if (text.endsWith(".")) {
          used.add("literal ending with a dot");
        }
      } else if (e instanceof Ast.Ident id) {
        if (Builtin.CONSTANTS.containsKey(id.name())) {
          used.add("constant " + id.name());
        }
      } else if (e instanceof Ast.Unary u) {
        used.add("unary " + u.op());
        walk(u.operand(), topLevel);
      } else if (e instanceof Ast.Binary b) {
        used.add("binary " + b.op());
        if (topLevel && b.op().isArithmetic() && lengthOf(b.left()) * lengthOf(b.right()) == 0
            && lengthOf(b.left()) + lengthOf(b.right()) > 0) {
          used.add("scalar-vector broadcast");
        }
        walk(b.left(), topLevel);
        walk(b.right(), topLevel);
      } else if (e instanceof Ast.Conditional c) {
        if (topLevel && lengthOf(c) > 0) {
          used.add("vector ?:");
          if (lengthOf(c.cond()) > 0) {
            used.add("vector ?: with a vector condition");
          }
        }
        walk(c.cond(), topLevel);
        walk(c.then(), topLevel);
        walk(c.otherwise(), topLevel);
      } else if (e instanceof Ast.Call c) {
        Builtin.byName(c.name()).ifPresentOrElse(b -> {
          used.add("builtin " + b.symbol());
          if (b == Builtin.LOGSUMEXP) {
            used.add(c.args().size() == 1 ? "logsumexp of a vector" : "logsumexp of several values");
          }
        }, () -> userCall(c, topLevel));
        c.args().forEach(a -> walk(a, topLevel));
      } else if (e instanceof Ast.Index ix) {
        if (topLevel && typeOf(ix.target()).isBool()) {
          used.add("index of a boolean vector");
        }
        walk(ix.target(), topLevel);
      } else if (e instanceof Ast.VectorLit v) {
        v.elements().forEach(x -> walk(x, topLevel));
      }
    }

    private void userCall(Ast.Call c, boolean topLevel) {
      used.add("user fn call");
      Ast.FnDecl fn = model.functions().get(c.name());
      if (!topLevel) {
        return;
      }
      List<Type> args = c.args().stream().map(this::typeOf).toList();
      if (args.stream().anyMatch(Type::isVector)) {
        used.add("fn with a vector argument");
      }
      if (args.stream().anyMatch(Type::isBool)) {
        used.add("fn with a boolean argument");
      }
      if (args.stream().anyMatch(t -> t.isReal() && t.isVector()) && args.stream().anyMatch(t -> t.isReal() && t.isScalar())
          && args.size() == fn.params().size()) {
        used.add("fn called with a vector and a scalar");
      }
      Type result = typeOf(c);
      if (result.isVector()) {
        used.add("fn returning a vector");
      }
      if (result.isBool()) {
        used.add("fn returning a boolean");
      }
    }

    private int lengthOf(Ast.Expr e) {
      return typeOf(e).length();
    }

    private Type typeOf(Ast.Expr e) {
      java.util.Map<String, Type> env = new java.util.HashMap<>(model.letTypes());
      model.params().forEach(p -> env.put(p.name(), p.isScalar() ? Type.REAL : Type.realVector(p.size())));
      return typeOf(e, env);
    }

    /** The type of a well-typed expression (the checker keeps only the types of lets). */
    private Type typeOf(Ast.Expr e, java.util.Map<String, Type> env) {
      if (e instanceof Ast.Num) {
        return Type.REAL;
      } else if (e instanceof Ast.Ident id) {
        return env.getOrDefault(id.name(), Type.REAL);
      } else if (e instanceof Ast.Unary u) {
        return typeOf(u.operand(), env);
      } else if (e instanceof Ast.Binary b) {
        return new Type(b.op().isArithmetic() ? Type.Kind.REAL : Type.Kind.BOOL,
            Math.max(typeOf(b.left(), env).length(), typeOf(b.right(), env).length()));
      } else if (e instanceof Ast.Conditional c) {
        return Type.realVector(Math.max(typeOf(c.cond(), env).length(),
            Math.max(typeOf(c.then(), env).length(), typeOf(c.otherwise(), env).length())));
      } else if (e instanceof Ast.Index ix) {
        return typeOf(ix.target(), env).withLength(0);
      } else if (e instanceof Ast.VectorLit v) {
        return Type.realVector(v.elements().size());
      }
      Ast.Call c = (Ast.Call) e;
      List<Type> args = c.args().stream().map(a -> typeOf(a, env)).toList();
      Ast.FnDecl fn = model.functions().get(c.name());
      if (fn != null) {
        java.util.Map<String, Type> local = new java.util.HashMap<>();
        for (int i = 0; i < args.size(); i++) {
          local.put(fn.params().get(i).text(), args.get(i));
        }
        return typeOf(fn.body(), local);
      }
      Builtin b = Builtin.byName(c.name()).orElseThrow();
      return b.form == Builtin.Form.ELEMENTWISE
          ? Type.realVector(args.stream().mapToInt(Type::length).max().orElse(0))
          : Type.REAL;
    }
  }
}
