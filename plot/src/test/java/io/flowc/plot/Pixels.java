package io.flowc.plot;

import java.awt.image.BufferedImage;

/** Measures of a rendered image. */
final class Pixels {
  private Pixels() {}

  /** The variance of the grey level (0..255) over all pixels: near 0 for a blank image. */
  static double greyVariance(BufferedImage image) {
    double sum = 0;
    double sumSq = 0;
    long n = (long) image.getWidth() * image.getHeight();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        double grey = 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
        sum += grey;
        sumSq += grey * grey;
      }
    }
    double mean = sum / n;
    return sumSq / n - mean * mean;
  }
}
