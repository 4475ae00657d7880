package io.flowc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** examples/kitchen_sink.flow is the coverage model of every backend: it must use every construct. */
class KitchenSinkCoverageTest {

  private final Set<String> used = new HashSet<>();

  @Test
  void kitchenSinkUsesEveryConstruct() throws IOException, CompileException {
    Path file = Path.of(System.getProperty("flowc.root.dir", ".."), "examples", "kitchen_sink.flow");
    String text = Files.readString(file);
    CheckedModel model = FrontEnd.check(new SourceFile(file.toString(), text));
    for (Ast.Statement s : model.ast().statements()) {
      used.add(s.getClass().getSimpleName());
      if (s instanceof Ast.ParamDecl p) {
        used.add(p.size() == null ? "scalar param" : "vector param");
      } else if (s instanceof Ast.LetDecl l) {
        walk(l.value());
      } else if (s instanceof Ast.FnDecl f) {
        walk(f.body());
      } else if (s instanceof Ast.Contribution c) {
        used.add(c.kind().name());
        walk(c.value());
      }
    }
    Set<String> expected = new TreeSet<>(List.of("ParamDecl", "LetDecl", "FnDecl", "Contribution",
        "scalar param", "vector param", "POTENTIAL", "LOGP", "Num", "Ident", "Conditional", "Index",
        "VectorLit", "Call", "constant pi", "constant e", "user fn"));
    Arrays.stream(Builtin.values()).forEach(b -> expected.add("builtin " + b.symbol()));
    EnumSet.allOf(Ast.UnaryOp.class).forEach(o -> expected.add("unary " + o));
    EnumSet.allOf(Ast.BinaryOp.class).forEach(o -> expected.add("binary " + o));
    expected.add("logsumexp of scalars");
    expected.add("logsumexp of a vector");
    expected.removeAll(used);
    assertEquals(Set.of(), expected, "constructs missing from kitchen_sink.flow");

    for (String literal : List.of("1e-3", ".5", "2.5", "//", "/*")) {
      assertEquals(true, text.contains(literal), "kitchen_sink.flow lacks " + literal);
    }
    assertEquals(true, Pattern.compile("\\b[0-9]+\\b(?![.e])").matcher(text).find(), "an integer literal");
  }

  private void walk(Ast.Expr e) {
    used.add(e.getClass().getSimpleName());
    if (e instanceof Ast.Ident id && Builtin.CONSTANTS.containsKey(id.name())) {
      used.add("constant " + id.name());
    } else if (e instanceof Ast.Unary u) {
      used.add("unary " + u.op());
      walk(u.operand());
    } else if (e instanceof Ast.Binary b) {
      used.add("binary " + b.op());
      walk(b.left());
      walk(b.right());
    } else if (e instanceof Ast.Conditional c) {
      walk(c.cond());
      walk(c.then());
      walk(c.otherwise());
    } else if (e instanceof Ast.Call c) {
      Builtin.byName(c.name()).ifPresentOrElse(b -> used.add("builtin " + b.symbol()), () -> used.add("user fn"));
      if (c.name().equals("logsumexp")) {
        used.add(c.args().size() == 1 ? "logsumexp of a vector" : "logsumexp of scalars");
      }
      c.args().forEach(this::walk);
    } else if (e instanceof Ast.Index i) {
      walk(i.target());
    } else if (e instanceof Ast.VectorLit v) {
      v.elements().forEach(this::walk);
    }
  }
}
