// diamonds: examples/diamonds.flow in Stan (posteriordb's diamonds-diamonds, as brms writes it; see
// README.md): log price on 24 centered predictors. Column 1 of X is the intercept's; the others are
// centered in transformed data, so that Intercept is the mean log price at the mean predictors.
// posteriordb's program writes the likelihood as normal_id_glm_lpdf(Y | Xc, Intercept, b, sigma) under
// `if (!prior_only)` (prior_only is 0 in the data), and the half-t's constant -student_t_lccdf(0 | 3, 0, 10);
// the density here is the same up to constants.
data {
  int<lower=1> N;
  vector[N] Y;
  int<lower=1> K;
  matrix[N, K] X;
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;
  for (i in 2:K) {
    Xc[, i - 1] = col(X, i) - mean(col(X, i));
  }
}
parameters {
  vector[Kc] b;
  real Intercept;
  real<lower=0> sigma;
}
model {
  b ~ normal(0, 1);
  Intercept ~ student_t(3, 8, 10);
  sigma ~ student_t(3, 0, 10);
  Y ~ normal(Intercept + Xc * b, sigma);
}
