package io.flowc.plot;

/**
 * Keeps AWT off any display: figures are drawn into images on servers and in CI, where asking
 * for a display either fails or waits on an X server that is not there.
 */
final class Headless {
  private Headless() {}

  /**
   * Must run before the first AWT class initializes its graphics environment; a choice the
   * application made explicitly ({@code -Djava.awt.headless=false}) is respected.
   */
  static void ensure() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }
}
