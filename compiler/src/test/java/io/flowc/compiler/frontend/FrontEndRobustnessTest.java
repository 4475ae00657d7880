package io.flowc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.interp.Interpreter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;

/**
 * The front end only ever answers with a model or with diagnostics: no other exception, no hang.
 * Inputs are the example models mutated (characters and tokens replaced, inserted, deleted),
 * truncated and spliced, strings of the language's tokens, and arbitrary strings; about 12,000
 * cases in all, from fixed seeds so that every run sees the same ones.
 */
class FrontEndRobustnessTest {
  private static final Duration LIMIT = Duration.ofSeconds(5);

  private static final List<String> EXAMPLES = loadExamples();

  /** Every token of the language, names (built-in, declared in the examples, unknown) and numbers. */
  private static final List<String> TOKENS = List.of(
      "model", "param", "let", "fn", "potential", "logp",
      "+=", "<=", ">=", "==", "!=", "&&", "||", "=", "<", ">", "!", "+", "-", "*", "/", "^", "?", ":",
      ";", ",", "(", ")", "[", "]", "{", "}",
      "z", "x", "s", "m", "f", "a", "zz", "sin", "exp", "log", "atan2", "logsumexp", "sum", "dot", "norm",
      "pi", "e", "0", "1", "2", "3", "2.5", "1e-3", ".5", "1.", "1e999", "99999999999999999999", "007");

  /** What is not a token: comments, line breaks, and characters the language does not know. */
  private static final List<String> ODD = List.of(
      "// comment\n", "/* block */", "/*", "*/", "\n", "\t", "\r", "\r\n", "\f",
      "#", "_", "@", "$", ".", "&", "|", "\"", "'", "\\", "é", "σ", "😀", "\0", "\u00a0", "\ufeff", "\udc00", "\ud83d");

  /** Names to swap for others: parameters, lets and functions of the examples, built-ins, unknowns. */
  private static final List<String> NAMES = List.of(
      "z", "x", "s", "r", "m", "a", "c", "v", "w1", "w2", "w3", "sq", "bump", "shifted", "trig",
      "sin", "exp", "log", "norm", "sum", "mean", "dot", "logsumexp", "atan2", "pow", "pi", "e", "q", "sinn");

  private static final List<String> NUMBERS = List.of("0", "1", "2", "3", "4", "100", "0.5", "1.5", "1e-3", "1e999");

  /** Mostly tokens, sometimes something else. */
  private static Arbitrary<String> someToken() {
    return Arbitraries.frequencyOf(Tuple.of(60, Arbitraries.of(TOKENS)), Tuple.of(1, Arbitraries.of(ODD)));
  }

  /** The language's characters, for character-level mutations (which take one from ODD now and then). */
  private static final String CHARS = "model{}[]()+-*/^<>=!&|?:;,.0123456789eEzx_ \n\t";

  private static final Pattern PIECE = Pattern.compile(
      "//[^\\r\\n]*|/\\*.*?\\*/|\\s+|[A-Za-z][A-Za-z0-9_]*"
          + "|(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|\\+=|<=|>=|==|!=|&&|\\|\\||.",
      Pattern.DOTALL);

  private static List<String> loadExamples() {
    try (Stream<Path> files = Files.list(TestPaths.examples())) {
      List<String> texts = new ArrayList<>();
      for (Path p : files.filter(f -> f.toString().endsWith(".flow")).sorted().toList()) {
        texts.add(Files.readString(p));
      }
      return List.copyOf(texts);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the examples under " + TestPaths.examples(), e);
    }
  }

  // ---- the property -------------------------------------------------------------------------

  /** Runs the front end on a text, under a time limit, and checks that its answer is well-formed. */
  static FrontEnd.Analysis answersWithAModelOrDiagnostics(String text) {
    SourceFile source = new SourceFile("fuzz.flow", text);
    FrontEnd.Analysis analysis = assertTimeoutPreemptively(LIMIT, () -> FrontEnd.analyze(source),
        () -> "front end took longer than " + LIMIT + " on:\n" + text);
    assertNotNull(analysis);
    assertNotNull(analysis.diagnostics());
    if (analysis.ok()) {
      assertEquals(List.of(), analysis.diagnostics());
      CheckedModel model = analysis.model();
      assertTrue(model.dimension() >= 1, "an accepted model has parameters");
      assertFalse(model.contributions().isEmpty(), "an accepted model has a contribution");
      assertNotNull(AstPrinter.print(model.ast()));
      // an accepted model is one the interpreter can evaluate (the values may be anything)
      Interpreter interpreter = new Interpreter(model);
      for (double v : new double[] {0, 0.5, -3}) {
        double[] z = new double[model.dimension()];
        java.util.Arrays.fill(z, v);
        interpreter.evaluate(z);
      }
    } else {
      assertNull(analysis.model());
      assertFalse(analysis.diagnostics().isEmpty(), "a refused input has diagnostics");
      for (Diagnostic d : analysis.diagnostics()) {
        assertEquals(Diagnostic.Severity.ERROR, d.severity());
        assertEquals(source, d.source());
        assertFalse(d.message().isBlank());
        int start = d.span().start();
        int end = d.span().end();
        assertTrue(0 <= start && start <= end && end <= text.length(), () -> "span out of the text: " + d.span());
        assertEquals(source.span(start, end), d.span(), () -> "line and column disagree with the offsets: " + d);
        assertTrue(d.headline().startsWith("fuzz.flow:" + d.span().line() + ":" + d.span().column() + ": "));
        assertTrue(d.render().startsWith("error: " + d.headline() + "\n    "));
      }
      String rendered = new CompileException(analysis.diagnostics()).render();
      int n = analysis.diagnostics().size();
      assertTrue(rendered.endsWith("\n" + n + (n == 1 ? " error" : " errors")));
    }
    return analysis;
  }

  // ---- mutated examples ------------------------------------------------------------------------

  /** One edit: a character or a token replaced, inserted or deleted, a token repeated, a name or a number swapped. */
  record Mutation(int kind, int at, int pick) {
    static final int KINDS = 9;

    String applyTo(String text) {
      if (kind <= 2) {
        int n = text.length();
        int i = n == 0 ? 0 : Math.floorMod(at, n);
        // one time in twenty an odd character, else one of the language's
        String c = pick % 20 == 0
            ? ODD.get(Math.floorMod(pick / 20, ODD.size()))
            : String.valueOf(CHARS.charAt(Math.floorMod(pick, CHARS.length())));
        return switch (kind) {
          case 0 -> n == 0 ? c : text.substring(0, i) + c + text.substring(i + 1);
          case 1 -> text.substring(0, i) + c + text.substring(i);
          default -> n == 0 ? text : text.substring(0, i) + text.substring(i + 1);
        };
      }
      List<String> pieces = pieces(text);
      if (pieces.isEmpty()) {
        return TOKENS.get(Math.floorMod(pick, TOKENS.size()));
      }
      int i = Math.floorMod(at, pieces.size());
      String token = TOKENS.get(Math.floorMod(pick, TOKENS.size()));
      switch (kind) {
        case 3 -> pieces.set(i, token);
        case 4 -> pieces.add(i, token);
        case 5 -> pieces.remove(i);
        case 6 -> pieces.add(i, pieces.get(Math.floorMod(pick, pieces.size())));
        default -> {
          // swap the first name (kind 7) or number (kind 8) at or after i for another
          List<String> replacements = kind == 7 ? NAMES : NUMBERS;
          for (int k = 0; k < pieces.size(); k++) {
            int j = (i + k) % pieces.size();
            char first = pieces.get(j).charAt(0);
            boolean isName = Character.isLetter(first) && !TOKENS.subList(0, 6).contains(pieces.get(j));
            boolean isNumber = Character.isDigit(first) || (first == '.' && pieces.get(j).length() > 1);
            if (kind == 7 ? isName : isNumber) {
              pieces.set(j, replacements.get(Math.floorMod(pick, replacements.size())));
              break;
            }
          }
        }
      }
      return String.join("", pieces);
    }
  }

  static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = PIECE.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Provide
  Arbitrary<String> mutatedExamples() {
    Arbitrary<Mutation> mutation = Combinators.combine(
            Arbitraries.integers().between(0, Mutation.KINDS - 1),
            Arbitraries.integers().between(0, Integer.MAX_VALUE),
            Arbitraries.integers().between(0, Integer.MAX_VALUE))
        .as(Mutation::new);
    return Combinators.combine(Arbitraries.of(EXAMPLES), mutation.list().ofMinSize(1).ofMaxSize(8))
        .as((text, mutations) -> {
          String out = text;
          for (Mutation mu : mutations) {
            out = mu.applyTo(out);
          }
          return out;
        });
  }

  @Property(tries = 4000, seed = "20240601", generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED)
  void mutatedExamplesGiveAModelOrDiagnostics(@ForAll("mutatedExamples") String text) {
    answersWithAModelOrDiagnostics(text);
  }

  // ---- truncated and spliced examples ------------------------------------------------------------

  @Provide
  Arbitrary<String> truncatedExamples() {
    return Combinators.combine(Arbitraries.of(EXAMPLES), Arbitraries.doubles().between(0, 1), Arbitraries.of(true, false))
        .as((text, cut, keepHead) -> {
          int i = (int) Math.round(cut * text.length());
          return keepHead ? text.substring(0, i) : text.substring(i);
        });
  }

  @Property(tries = 1500, seed = "20240602", generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED)
  void truncatedExamplesGiveAModelOrDiagnostics(@ForAll("truncatedExamples") String text) {
    answersWithAModelOrDiagnostics(text);
  }

  @Provide
  Arbitrary<String> splicedExamples() {
    Arbitrary<Double> cut = Arbitraries.doubles().between(0, 1);
    return Combinators.combine(Arbitraries.of(EXAMPLES), cut, Arbitraries.of(EXAMPLES), cut, cut)
        .as((a, cutA, b, cutB, cutC) -> {
          String head = a.substring(0, (int) Math.round(cutA * a.length()));
          int from = (int) Math.round(cutB * b.length());
          int to = from + (int) Math.round(cutC * (b.length() - from));
          // a head of one, a slice of another, then the rest of the first
          return head + b.substring(from, to) + a.substring(head.length());
        });
  }

  @Property(tries = 1500, seed = "20240603", generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED)
  void splicedExamplesGiveAModelOrDiagnostics(@ForAll("splicedExamples") String text) {
    FrontEnd.Analysis first = answersWithAModelOrDiagnostics(text);
    // and the same answer every time
    FrontEnd.Analysis second = FrontEnd.analyze(new SourceFile("fuzz.flow", text));
    assertEquals(first.diagnostics().stream().map(Diagnostic::render).toList(),
        second.diagnostics().stream().map(Diagnostic::render).toList());
  }

  // ---- strings of tokens --------------------------------------------------------------------------

  private static Arbitrary<String> tokenString(int maxTokens) {
    Arbitrary<String> separated = Combinators.combine(someToken(), Arbitraries.of("", " ", " ", " ", " ", "\n"))
        .as((token, separator) -> token + separator);
    return separated.list().ofMaxSize(maxTokens).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<String> tokenStrings() {
    return tokenString(80);
  }

  @Property(tries = 2000, seed = "20240604", generation = GenerationMode.RANDOMIZED,
      edgeCases = EdgeCasesMode.NONE, shrinking = ShrinkingMode.BOUNDED)
  void tokenStringsGiveAModelOrDiagnostics(@ForAll("tokenStrings") String text) {
    answersWithAModelOrDiagnostics(text);
  }

  @Provide
  Arbitrary<String> tokensInAModel() {
    return Combinators.combine(tokenString(40), tokenString(40), Arbitraries.integers().between(0, 2))
        .as((body, expr, frame) -> switch (frame) {
          case 0 -> "model m { " + body + " }";
          case 1 -> "model m {\n  param z[2];\n  potential " + expr + ";\n}\n";
          default -> "model m {\n  param z[2];\n  " + body + "\n  potential z[0] + " + expr + ";\n}\n";
        });
  }

  @Property(tries = 2000, seed = "20240605", generation = GenerationMode.RANDOMIZED,
      edgeCases = EdgeCasesMode.NONE, shrinking = ShrinkingMode.BOUNDED)
  void tokensInsideAModelGiveAModelOrDiagnostics(@ForAll("tokensInAModel") String text) {
    answersWithAModelOrDiagnostics(text);
  }

  // ---- arbitrary strings ---------------------------------------------------------------------------

  @Provide
  Arbitrary<String> arbitraryStrings() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(200),
        Arbitraries.strings().withChars(CHARS + String.join("", ODD)).ofMaxLength(200));
  }

  @Property(tries = 1000, seed = "20240606", generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED)
  void arbitraryStringsGiveAModelOrDiagnostics(@ForAll("arbitraryStrings") String text) {
    answersWithAModelOrDiagnostics(text);
  }

  // ---- the examples themselves ---------------------------------------------------------------------

  @Example
  void everyExampleIsAccepted() {
    assertFalse(EXAMPLES.isEmpty(), "no examples under " + TestPaths.examples());
    try (Stream<Path> files = Files.list(TestPaths.examples())) {
      for (Path p : files.filter(f -> f.toString().endsWith(".flow")).sorted().toList()) {
        FrontEnd.Analysis analysis = FrontEnd.analyze(new SourceFile(p.getFileName().toString(), Files.readString(p)),
            TestPaths.exampleData(p));
        assertTrue(analysis.ok(), () -> new CompileException(analysis.diagnostics()).render());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Example
  void piecesReassembleTheText() {
    for (String text : EXAMPLES) {
      assertEquals(text, String.join("", pieces(text)));
    }
  }
}
