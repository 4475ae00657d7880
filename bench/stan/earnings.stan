// earnings: examples/earnings.flow in Stan (posteriordb's earnings-earn_height; see README.md).
// Flat priors on every parameter.
data {
  int<lower=0> N;
  vector[N] earn;
  vector[N] height;
}
parameters {
  vector[2] beta;
  real<lower=0> sigma;
}
model {
  earn ~ normal(beta[1] + beta[2] * height, sigma);
}
