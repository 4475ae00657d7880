package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The documentation's commands still work: every {@code bin/flowc ...} line in a fenced block of
 * README.md or docs/*.md (with or without a leading {@code $ }) runs in-process and must exit with
 * 0, or with N when the block's line before it is {@code # exit N}. A page's commands run in order
 * in one temporary directory, so a page may use what an earlier command wrote; a relative path
 * names a file there if it exists, else one of the repository (the examples), else a new file
 * there; outputs (-o, --out, --plot, ...) always go there, never over the repository's files.
 * Whatever follows an unquoted |, >, ; or &amp; (a pipe into tail) is not part of the command, and
 * a line whose first word after bin/flowc is neither a word nor an option (a table's
 * {@code bin/flowc   launcher: ...}) is not a command.
 */
class DocsCommandsTest {
  private static final Pattern FENCE = Pattern.compile("^\\s*```");
  private static final Pattern COMMAND = Pattern.compile("^\\s*(?:\\$ )?bin/flowc\\s+((?:[a-z]+(?:\\s.*)?|-.*))$");
  private static final Pattern EXPECTED_EXIT = Pattern.compile("^\\s*# exit (\\d+)\\s*$");
  private static final Set<String> OUTPUT_OPTIONS =
      Set.of("-o", "--out", "--output", "--plot", "--plot-track", "--track-out", "--emit-java");
  private static final Pattern PATH_LIKE = Pattern.compile("[^-].*(/.*|\\.(flow|json|jar|csv|png))");

  @TempDir
  Path tmp;

  /** A command of a page: its line number, the words after bin/flowc, and the exit code it must give. */
  record DocCommand(int line, List<String> words, int exit) {}

  static List<Path> pages() throws IOException {
    Path root = Cli.root();
    List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  static List<DocCommand> commands(List<String> lines) {
    List<DocCommand> commands = new ArrayList<>();
    boolean fenced = false;
    int expected = ExitCodes.OK;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (FENCE.matcher(line).find()) {
        fenced = !fenced;
        expected = ExitCodes.OK;
        continue;
      }
      if (!fenced) {
        continue;
      }
      Matcher exit = EXPECTED_EXIT.matcher(line);
      Matcher command = COMMAND.matcher(line);
      if (exit.matches()) {
        expected = Integer.parseInt(exit.group(1));
      } else if (command.matches()) {
        commands.add(new DocCommand(i + 1, words(command.group(1)), expected));
        expected = ExitCodes.OK;
      }
    }
    return commands;
  }

  /** Shell words: quotes grouped and removed; the command ends at an unquoted |, >, ; or &amp;. */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else if ("|>;&".indexOf(c) >= 0) {
        break;
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** The words with paths resolved as the class comment says. */
  static List<String> resolve(List<String> words, Path root, Path dir) throws IOException {
    List<String> args = new ArrayList<>();
    boolean outputNext = false;
    for (String word : words) {
      int eq = word.indexOf('=');
      if (word.startsWith("--") && eq > 0) {
        String option = word.substring(0, eq);
        String value = word.substring(eq + 1);
        args.add(option + "=" + (OUTPUT_OPTIONS.contains(option) ? output(value, dir)
            : PATH_LIKE.matcher(value).matches() ? input(value, root, dir) : value));
        outputNext = false;
      } else if (outputNext) {
        args.add(output(word, dir));
        outputNext = false;
      } else {
        outputNext = OUTPUT_OPTIONS.contains(word);
        args.add(PATH_LIKE.matcher(word).matches() ? input(word, root, dir) : word);
      }
    }
    return args;
  }

  private static String input(String path, Path root, Path dir) {
    Path p = Path.of(path);
    if (p.isAbsolute() || Files.exists(dir.resolve(p)) || !Files.exists(root.resolve(p))) {
      return dir.resolve(p.isAbsolute() ? p.getFileName() : p).toString();
    }
    return root.resolve(p).toString();
  }

  private static String output(String path, Path dir) throws IOException {
    Path p = Path.of(path);
    Path target = dir.resolve(p.isAbsolute() ? p.getFileName() : p);
    Files.createDirectories(target.getParent());
    return target.toString();
  }

  @TestFactory
  Stream<DynamicTest> everyDocumentedCommandRuns() throws IOException {
    Path root = Cli.root();
    List<DynamicTest> tests = new ArrayList<>();
    for (Path page : pages()) {
      Path dir = Files.createDirectory(tmp.resolve(page.getFileName().toString()));
      for (DocCommand c : commands(Files.readAllLines(page))) {
        String name = root.relativize(page) + ":" + c.line() + ": bin/flowc " + String.join(" ", c.words());
        tests.add(DynamicTest.dynamicTest(name, () -> {
          Cli.Result r = Cli.run(resolve(c.words(), root, dir).toArray(String[]::new));
          assertEquals(c.exit(), r.code(), name + "\n" + r);
          assertFalse(r.err().contains("internal error"), name + "\n" + r);
        }));
      }
    }
    assertTrue(tests.size() >= 20, "only " + tests.size() + " documented commands found");
    return tests.stream();
  }

  /** The reference names every option of every command (picocli's model of them is the truth). */
  @Test
  void theReferenceNamesEveryOption() throws IOException {
    String reference = Files.readString(Cli.root().resolve("docs/cli.md"));
    for (CommandLine sub : Main.newCommandLine().getSubcommands().values()) {
      if (sub.getCommandName().equals("help")) {
        continue;
      }
      assertTrue(reference.contains("## `flowc " + sub.getCommandName()) || reference.contains("`flowc "
          + sub.getCommandName() + "`"), "docs/cli.md has no section on flowc " + sub.getCommandName());
      for (OptionSpec option : sub.getCommandSpec().options()) {
        assertTrue(reference.contains("`" + option.longestName()) || reference.contains(option.longestName() + "`"),
            "docs/cli.md does not mention " + option.longestName() + " of flowc " + sub.getCommandName());
      }
    }
  }

  @Test
  void commandsAreReadAsDocumented() {
    List<DocCommand> c = commands(List.of("text bin/flowc fit ignored", "```", "# exit 2",
        "$ bin/flowc check 'a b.flow' --at=-1,2 | tail -4", "bin/flowc fit x.flow --flow 'planar*8'",
        "bin/flowc          launcher: builds the CLI", "```"));
    assertEquals(List.of(new DocCommand(4, List.of("check", "a b.flow", "--at=-1,2"), 2),
        new DocCommand(5, List.of("fit", "x.flow", "--flow", "planar*8"), 0)), c);
  }

  @Test
  void pathsResolveToTheRepositoryOrTheTemporaryDirectory() throws IOException {
    Path root = Cli.root();
    Files.writeString(tmp.resolve("m.jar"), "");
    List<String> args = resolve(List.of("fit", "examples/pot1.flow", "m.jar", "--plot", "docs/img/fit-pot1-small.png",
        "--out=/tmp/d.csv", "--flow", "planar*8", "--data=examples/pot1.flow"), root, tmp);
    assertEquals(List.of("fit", root.resolve("examples/pot1.flow").toString(), tmp.resolve("m.jar").toString(),
        "--plot", tmp.resolve("docs/img/fit-pot1-small.png").toString(), "--out=" + tmp.resolve("d.csv"), "--flow",
        "planar*8", "--data=" + root.resolve("examples/pot1.flow")), args);
    assertTrue(Files.isDirectory(tmp.resolve("docs/img")));
  }
}
