package io.flowc.runtime;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class WorkFailuresTest {
  @Test
  void errorsAreThrownRuntimeExceptionsReturnedAndOthersWrapped() {
    OutOfMemoryError memory = new OutOfMemoryError("heap");
    assertSame(memory, assertThrows(OutOfMemoryError.class, () -> WorkFailures.cause(new ExecutionException(memory))));
    IllegalArgumentException bad = new IllegalArgumentException("bad");
    assertSame(bad, WorkFailures.cause(new ExecutionException(bad)));
    IOException io = new IOException("io");
    RuntimeException wrapped = WorkFailures.cause(new ExecutionException(io));
    assertTrue(wrapped instanceof IllegalStateException);
    assertSame(io, wrapped.getCause());
  }
}
