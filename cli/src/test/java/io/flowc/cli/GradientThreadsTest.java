package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowc.runtime.data.RowChunks;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sample --gradient-threads G}: a model with many rows splits its gradient, and the draws do not depend on G. */
class GradientThreadsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  /** A normal model on just enough rows (one value each) for two chunks. */
  private Path[] normalModel() throws IOException {
    Path model = tmp.resolve("many.flow");
    Files.writeString(model, """
        model many {
          data int N;
          data real y[N];
          param mu;
          param sigma > 0;
          mu ~ normal(0, 10);
          sigma ~ exponential(1);
          y ~ normal(mu, sigma);
        }
        """);
    Path data = tmp.resolve("many.json");
    int n = (int) (2 * RowChunks.CHUNK_VALUES);
    SplittableRandom r = new SplittableRandom(4);
    try (Writer w = Files.newBufferedWriter(data, StandardCharsets.UTF_8)) {
      w.write("{\"N\": " + n + ", \"y\": [");
      for (int i = 0; i < n; i++) {
        w.write((i == 0 ? "" : ",") + (Math.round((1.5 + 2 * r.nextGaussian()) * 1000) / 1000.0));
      }
      w.write("]}\n");
    }
    return new Path[] {model, data};
  }

  private static Cli.Result sample(Path[] files, Path out, String... more) {
    String[] base = {"sample", files[0].toString(), "--data", files[1].toString(), "--chains", "2", "--tune", "12",
        "--draws", "4", "--seed", "5", "--out", out.toString(), "--json"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return Cli.run(all);
  }

  @Test
  void theDrawsAreTheSameBitsForEveryNumberOfGradientThreads() throws IOException {
    Path[] files = normalModel();
    Path first = tmp.resolve("one.csv");
    Path second = tmp.resolve("three.csv");
    Cli.Result one = sample(files, first, "--threads", "1", "--gradient-threads", "1");
    Cli.Result three = sample(files, second, "--threads", "2", "--gradient-threads", "3");
    assertEquals(0, one.code(), one.toString());
    assertEquals(0, three.code(), three.toString());
    JsonNode a = JSON.readTree(one.lastOutLine());
    assertEquals(2, a.get("gradient_chunks").asInt());
    assertEquals(a.get("params"), JSON.readTree(three.lastOutLine()).get("params"));
    assertEquals(Files.readString(first), Files.readString(second));
  }

  @Test
  void smallDataStayUnsplit() throws IOException {
    Cli.Result r = Cli.run("sample", Cli.example("hierarchical"), "--data",
        Cli.example("hierarchical").replace(".flow", ".json"), "--chains", "1", "--tune", "20", "--draws", "5",
        "--gradient-threads", "2", "--json");
    assertEquals(0, r.code(), r.toString());
    assertEquals(1, JSON.readTree(r.lastOutLine()).get("gradient_chunks").asInt());
  }

  @Test
  void aGradientThreadCountBelowOneIsRefused() {
    Cli.Result r = Cli.run("sample", Cli.example("hierarchical"), "--data",
        Cli.example("hierarchical").replace(".flow", ".json"), "--gradient-threads", "0");
    assertEquals(2, r.code(), r.toString());
    Cli.assertNoStackTrace(r);
    assertTrue(r.err().contains("--gradient-threads must be >= 1"), r.toString());
  }
}
