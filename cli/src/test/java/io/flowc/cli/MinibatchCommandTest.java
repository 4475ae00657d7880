package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MinibatchCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static String[] fit(String model, String data, String... more) {
    String[] base = {"fit", model, "--data", data, "--flow", "scale-loc", "--iters", "300", "--optimizer", "adam",
        "--lr", "0.01", "--eval-draws", "200", "--json"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  private static String hierarchical() {
    return Cli.example("hierarchical");
  }

  private static String hierarchicalData() {
    return Cli.example("hierarchical").replace(".flow", ".json");
  }

  @Test
  void aMinibatchFitReportsTheBatchAndTheRows() throws IOException {
    Cli.Result r = Cli.run(fit(hierarchical(), hierarchicalData(), "--minibatch", "8"));
    assertEquals(0, r.code(), r.toString());
    JsonNode j = JSON.readTree(r.lastOutLine());
    assertEquals(8, j.get("minibatch").asInt());
    assertEquals(24, j.get("rows").asInt());
    Cli.Result full = Cli.run(fit(hierarchical(), hierarchicalData()));
    assertTrue(JSON.readTree(full.lastOutLine()).get("minibatch").isNull());
  }

  @Test
  void theSameSeedGivesTheSameBitsOnAnyNumberOfThreads() throws IOException {
    Cli.Result one = Cli.run(fit(hierarchical(), hierarchicalData(), "--minibatch", "8", "--restarts", "3",
        "--threads", "1"));
    Cli.Result two = Cli.run(fit(hierarchical(), hierarchicalData(), "--minibatch", "8", "--restarts", "3",
        "--threads", "2"));
    assertEquals(0, one.code(), one.toString());
    JsonNode a = JSON.readTree(one.lastOutLine());
    JsonNode b = JSON.readTree(two.lastOutLine());
    assertEquals(a.get("parameters"), b.get("parameters"));
    assertEquals(a.get("average_loss"), b.get("average_loss"));
    assertEquals(a.get("final_loss"), b.get("final_loss"));
  }

  @Test
  void anArtifactFitsOnMinibatches() throws IOException {
    Path jar = tmp.resolve("h.jar");
    Cli.Result c = Cli.run("compile", hierarchical(), "--data", hierarchicalData(), "--flow", "scale-loc", "-o",
        jar.toString());
    assertEquals(0, c.code(), c.toString());
    Cli.Result r = Cli.run(fit(jar.toString(), hierarchicalData(), "--minibatch", "8"));
    assertEquals(0, r.code(), r.toString());
    assertEquals(8, JSON.readTree(r.lastOutLine()).get("minibatch").asInt());
  }

  private void assertRefused(Cli.Result r, String words) {
    assertEquals(2, r.code(), r.toString());
    Cli.assertNoStackTrace(r);
    assertTrue(r.toString().contains(words), r.toString());
  }

  @Test
  void sampleRefusesMinibatches() {
    assertRefused(Cli.run("sample", hierarchical(), "--data", hierarchicalData(), "--minibatch", "8"),
        "--minibatch: NUTS needs the gradient on all rows");
  }

  @Test
  void compareRefusesMinibatches() {
    assertRefused(Cli.run("compare", hierarchical(), "--data", hierarchicalData(), "--flow", "scale-loc", "-o",
        tmp.resolve("c.png").toString(), "--minibatch", "8"), "--minibatch: compare draws its reference with NUTS");
  }

  @Test
  void averagingTheLastIteratesChangesTheParametersOnly() throws IOException {
    JsonNode last = JSON.readTree(Cli.run(fit(hierarchical(), hierarchicalData(), "--minibatch", "8")).lastOutLine());
    Cli.Result r = Cli.run(fit(hierarchical(), hierarchicalData(), "--minibatch", "8", "--average-last", "100"));
    assertEquals(0, r.code(), r.toString());
    JsonNode averaged = JSON.readTree(r.lastOutLine());
    assertEquals(100, averaged.get("average_last").asInt());
    assertTrue(last.get("average_last").isNull());
    assertEquals(last.get("average_loss"), averaged.get("average_loss"), "the same steps");
    assertTrue(!last.get("parameters").equals(averaged.get("parameters")), "another result");
    assertRefused(Cli.run(fit(hierarchical(), hierarchicalData(), "--average-last", "301")),
        "--average-last must be between 1 and --iters (300)");
  }

  @Test
  void aFallingLearningRateIsReportedAndChecked() throws IOException {
    JsonNode plain = JSON.readTree(Cli.run(fit(hierarchical(), hierarchicalData(), "--minibatch", "8")).lastOutLine());
    Cli.Result r = Cli.run(fit(hierarchical(), hierarchicalData(), "--minibatch", "8", "--lr-final", "0.0001"));
    assertEquals(0, r.code(), r.toString());
    JsonNode decayed = JSON.readTree(r.lastOutLine());
    assertEquals(0.0001, decayed.get("lr_final").asDouble());
    assertEquals(0.01, plain.get("lr_final").asDouble(), "without decay: the learning rate");
    assertTrue(!plain.get("parameters").equals(decayed.get("parameters")));
    assertRefused(Cli.run(fit(hierarchical(), hierarchicalData(), "--lr-final", "0.02")),
        "--lr-final must be > 0 and at most the learning rate (0.01)");
  }

  @Test
  void batchesOfAllRowsOrMoreAreRefused() {
    assertRefused(Cli.run(fit(hierarchical(), hierarchicalData(), "--minibatch", "24")),
        "--minibatch 24 is not below the 24 rows of the data (N = 24)");
    assertRefused(Cli.run(fit(hierarchical(), hierarchicalData(), "--minibatch", "0")), "--minibatch must be >= 1");
  }

  @Test
  void aModelWithoutDataIsRefused() {
    assertRefused(Cli.run("fit", Cli.example("pot1"), "--flow", "loc", "--minibatch", "8"),
        "model 'pot1' has no data");
  }

  @Test
  void dataWhoseSizesAreFixedAreRefused() {
    String model = Cli.example("eight_schools_noncentered");
    assertRefused(Cli.run(fit(model, model.replace(".flow", ".json"), "--minibatch", "4")),
        "have a row count that can vary");
  }

  @Test
  void dataOfSeveralRowSizesAreRefused() throws IOException {
    Path model = tmp.resolve("two.flow");
    Files.writeString(model, """
        model two {
          data int N; data int M; data real y[N]; data real w[M];
          param mu;
          y ~ normal(mu, 1);
          w ~ normal(mu, 2);
        }
        """);
    Path data = tmp.resolve("two.json");
    Files.writeString(data, "{\"N\": 3, \"M\": 4, \"y\": [1, 2, 3], \"w\": [1, 2, 3, 4]}");
    assertRefused(Cli.run(fit(model.toString(), data.toString(), "--minibatch", "2")), "rows of several sizes (N, M)");
  }

  @Test
  void aTermThatIsNotASumOverRowsIsRefused() throws IOException {
    Path model = tmp.resolve("mean.flow");
    Files.writeString(model, """
        model centered {
          data int N; data real y[N];
          param mu;
          y ~ normal(mu + mean(y), 1);
        }
        """);
    Path data = tmp.resolve("mean.json");
    Files.writeString(data, "{\"N\": 4, \"y\": [1, 2, 3, 4]}");
    assertRefused(Cli.run(fit(model.toString(), data.toString(), "--minibatch", "2")),
        "mean.flow:4:3: this statement reads rows of data but is not a sum over rows");
  }

  /** A loop up to a free size reads earlier rows in every term: no batch of rows estimates it. */
  @Test
  void aLoopOverRowsIsRefused() throws IOException {
    Path model = tmp.resolve("ar1.flow");
    Files.writeString(model, """
        model ar1 {
          data int T; data real y[T];
          param phi;
          for t in 1:T {
            y[t] ~ normal(phi * y[t - 1], 1);
          }
        }
        """);
    Path data = tmp.resolve("ar1.json");
    Files.writeString(data, "{\"T\": 6, \"y\": [1, 2, 3, 4, 3, 2]}");
    assertRefused(Cli.run(fit(model.toString(), data.toString(), "--minibatch", "2")),
        "ar1.flow:4:3: this statement reads rows of data but is not a sum over rows");
  }
}
