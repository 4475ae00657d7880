// logistic: examples/logistic.flow in Stan, the model of workload W9. Written with
// bernoulli_logit_glm, Stan's fused form of bernoulli_logit(alpha + X * beta) (the same density,
// Stan's fastest way to write it).
data {
  int<lower=0> N;
  int<lower=1> K;
  matrix[N, K] X;
  int<lower=0, upper=1> y[N];
}
parameters {
  real alpha;
  vector[K] beta;
}
model {
  alpha ~ normal(0, 2.5);
  beta ~ normal(0, 2.5);
  y ~ bernoulli_logit_glm(X, alpha, beta);
}
