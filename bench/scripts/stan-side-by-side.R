# Stan's half of bench/scripts/stan-side-by-side.sh, and the table.
#
#   Rscript stan-side-by-side.R run NAME MODEL.stan DATA.json FLOWC.json RESULTS.csv CHAINS TUNE DRAWS SEED TARGET_ACCEPT CORES
#                                   MAX_TREEDEPTH
#     compiles MODEL.stan with rstan (timed, nothing cached), samples it as flowc sampled the model
#     (FLOWC.json: the last line of `flowc sample --json`), and appends one row with both to RESULTS.csv
#   Rscript stan-side-by-side.R table RESULTS.csv
#     prints the table of RESULTS.csv (Markdown), ratios included
#
# Per side: compile seconds (wall; Stan's CPU seconds too, the C++ compiler's included), sampling
# seconds (warm-up included), gradients (Stan: n_leapfrog__ summed over the chains' warm-up and
# sampling iterations; flowc: gradient_evaluations), microseconds
# per gradient (sampling seconds / gradients), the smallest bulk ESS over the parameters
# (posterior::ess_bulk for Stan, flowc's own for flowc) and that per second of sampling, divergences
# after warm-up, and the largest R-hat.
suppressPackageStartupMessages({
  library(jsonlite)
})

fail <- function(...) {
  cat("stan-side-by-side.R: ", ..., "\n", sep = "", file = stderr())
  quit(status = 2)
}

columns <- c("model", "chains", "tune", "draws", "seed", "target_accept", "threads",
             "stan_compile_s", "stan_compile_cpu_s", "stan_sample_s", "stan_wall_s", "stan_gradients", "stan_us_per_gradient",
             "stan_min_ess_bulk", "stan_ess_per_s", "stan_divergences", "stan_max_rhat",
             "flowc_compile_s", "flowc_sample_s", "flowc_gradients", "flowc_us_per_gradient",
             "flowc_min_ess_bulk", "flowc_ess_per_s", "flowc_divergences", "flowc_max_rhat")

# flowc's side, from its `sample --json` line
flowc_side <- function(file) {
  lines <- readLines(file, warn = FALSE)
  if (length(lines) == 0) fail(file, ": empty (flowc sample printed no JSON line)")
  j <- fromJSON(lines[length(lines)], simplifyVector = FALSE)
  if (!identical(j$status, "finished")) fail(file, ": flowc's run did not finish (status ", j$status, ")")
  ess <- vapply(j$params, function(p) p$ess_bulk, numeric(1))
  rhat <- vapply(j$params, function(p) p$r_hat, numeric(1))
  list(chains = j$chains, tune = j$tune, draws = j$draws, seed = j$seed, target_accept = j$target_accept,
       compile_s = j$compile_seconds, sample_s = j$sample_seconds, sample_cpu_s = j$sample_cpu_seconds,
       gradients = j$gradient_evaluations,
       min_ess = min(ess), divergences = j$divergences, max_rhat = max(rhat))
}

# Debian's r-cran-bh is an empty package over libboost-dev: its include directory, where rstan looks
# for Boost, does not exist. A directory holding a link to the system's headers stands in for it
# (not -I/usr/include itself, which would put the system headers ahead of the compiler's own).
boost_include <- function() {
  if (file.exists(rstan_options("boost_lib"))) return(NULL)
  if (!dir.exists("/usr/include/boost")) fail("Boost headers not found: install r-cran-bh (Debian) or BH (CRAN)")
  dir <- file.path(tempdir(), "boost-include")
  dir.create(dir, showWarnings = FALSE)
  if (!file.exists(file.path(dir, "boost"))) file.symlink("/usr/include/boost", file.path(dir, "boost"))
  dir
}

stan_side <- function(stan_file, data_file, chains, tune, draws, seed, target_accept, cores, max_treedepth) {
  suppressPackageStartupMessages({
    library(rstan)
    library(posterior)
  })
  # a fresh compilation every time: no .rds beside the model, no cached model in this process
  rstan_options(auto_write = FALSE)
  data <- fromJSON(data_file, simplifyVector = TRUE)
  compile <- system.time(model <- stan_model(file = stan_file, model_name = basename(stan_file),
                                             boost_lib = boost_include()))
  # init_r = 1: uniform(-1, 1) on the unconstrained scale, as flowc (PyMC3's jitter+adapt_diag) starts
  wall_s <- system.time(fit <- sampling(model, data = data, chains = chains, iter = tune + draws, warmup = tune,
                                        seed = seed, cores = cores, init_r = 1, refresh = 0,
                                        control = list(adapt_delta = target_accept, max_treedepth = max_treedepth)))[["elapsed"]]
  elapsed <- get_elapsed_time(fit)
  # Stan's own clocks of warm-up and sampling (clock(): CPU time, as flowc's sample_cpu_seconds) when
  # the chains run one after another; with parallel chains, the call's wall time
  sample_s <- if (cores == 1) sum(elapsed) else wall_s
  all_iterations <- get_sampler_params(fit, inc_warmup = TRUE)
  after_warmup <- get_sampler_params(fit, inc_warmup = FALSE)
  gradients <- sum(vapply(all_iterations, function(s) sum(s[, "n_leapfrog__"]), numeric(1)))
  divergences <- sum(vapply(after_warmup, function(s) sum(s[, "divergent__"]), numeric(1)))
  draws_array <- as_draws_array(as.array(fit))
  summary <- summarise_draws(subset_draws(draws_array, variable = "lp__", exclude = TRUE), "ess_bulk", "rhat")
  cpu <- sum(compile[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
  # plain numbers: posterior's summary columns are pillar_num vectors, which write.table cannot write
  list(compile_s = unname(compile[["elapsed"]]), compile_cpu_s = unname(cpu), sample_s = unname(sample_s),
       wall_s = unname(wall_s), gradients = gradients, min_ess = min(as.numeric(summary$ess_bulk)),
       divergences = divergences, max_rhat = max(as.numeric(summary$rhat)))
}

run <- function(a) {
  if (length(a) != 12) {
    fail("run takes NAME MODEL.stan DATA.json FLOWC.json RESULTS.csv CHAINS TUNE DRAWS SEED TARGET_ACCEPT CORES MAX_TREEDEPTH")
  }
  for (f in a[2:4]) if (!file.exists(f)) fail(f, ": no such file")
  name <- a[1]
  n <- as.numeric(a[6:12])
  if (any(is.na(n))) {
    fail("CHAINS TUNE DRAWS SEED TARGET_ACCEPT CORES MAX_TREEDEPTH must be numbers, not ", paste(a[6:12], collapse = " "))
  }
  chains <- n[1]; tune <- n[2]; draws <- n[3]; seed <- n[4]; target_accept <- n[5]; cores <- n[6]; max_treedepth <- n[7]
  f <- flowc_side(a[4])
  if (f$chains != chains || f$tune != tune || f$draws != draws) {
    fail(a[4], ": flowc ran ", f$chains, " chains x (", f$tune, " + ", f$draws, "), not ", chains, " x (", tune,
         " + ", draws, ")")
  }
  s <- stan_side(a[2], a[3], chains, tune, draws, seed, target_accept, cores, max_treedepth)
  # with one thread Stan's seconds are its own clock, C's clock(): the process's CPU time (rstan
  # 2.21); flowc's then are its sample_cpu_seconds, so a shared machine's other processes count on
  # neither side. With parallel chains both sides are wall times.
  if (cores == 1 && !is.null(f$sample_cpu_s)) f$sample_s <- f$sample_cpu_s
  row <- data.frame(model = name, chains = chains, tune = tune, draws = draws, seed = seed,
                    target_accept = target_accept, threads = cores,
                    stan_compile_s = s$compile_s, stan_compile_cpu_s = s$compile_cpu_s,
                    stan_sample_s = s$sample_s, stan_wall_s = s$wall_s,
                    stan_gradients = s$gradients, stan_us_per_gradient = s$sample_s / s$gradients * 1e6,
                    stan_min_ess_bulk = s$min_ess, stan_ess_per_s = s$min_ess / s$sample_s,
                    stan_divergences = s$divergences, stan_max_rhat = s$max_rhat,
                    flowc_compile_s = f$compile_s, flowc_sample_s = f$sample_s, flowc_gradients = f$gradients,
                    flowc_us_per_gradient = f$sample_s / f$gradients * 1e6,
                    flowc_min_ess_bulk = f$min_ess, flowc_ess_per_s = f$min_ess / f$sample_s,
                    flowc_divergences = f$divergences, flowc_max_rhat = f$max_rhat)
  stopifnot(identical(names(row), columns))
  out <- a[5]
  write.table(row, out, sep = ",", row.names = FALSE, col.names = !file.exists(out), append = file.exists(out),
              quote = FALSE)
  cat(sprintf("%s: Stan compile %.1f s, sampling %.2f s, %.0f gradients, min bulk ESS %.0f; flowc compile %.2f s, sampling %.2f s, %.0f gradients, min bulk ESS %.0f\n",
              name, s$compile_s, s$sample_s, s$gradients, s$min_ess, f$compile_s, f$sample_s, f$gradients, f$min_ess))
}

# the Markdown table; every ratio reads "flowc's advantage" (above 1: flowc better)
print_table <- function(a) {
  if (length(a) != 1 || !file.exists(a[1])) fail("table takes RESULTS.csv (an existing file)")
  r <- read.csv(a[1], stringsAsFactors = FALSE)
  missing <- setdiff(columns, names(r))
  if (length(missing) > 0) fail(a[1], ": not a results file (no column ", missing[1], ")")
  ratio <- function(x) ifelse(is.finite(x), sprintf("%.3gx", x), "-")
  num <- function(x, digits) formatC(x, format = "f", digits = digits, big.mark = ",")
  # three significant digits, so that an ESS per second below 1 does not print as 0
  sig <- function(x) trimws(formatC(signif(x, 3), format = "fg", digits = 3, big.mark = ","))
  cat(sprintf("%d chains x (%d tune + %d draws), %d thread(s)\n\n", r$chains[1], r$tune[1], r$draws[1], r$threads[1]))
  cat("| model | compile s: Stan | flowc | ratio | sampling s: Stan | flowc | min bulk ESS: Stan | flowc | ESS/s: Stan | flowc | ratio | µs/gradient: Stan | flowc | ratio | divergences: Stan | flowc |\n")
  cat("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
  for (i in seq_len(nrow(r))) {
    x <- r[i, ]
    cat(sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d |\n",
                x$model, num(x$stan_compile_s, 1), num(x$flowc_compile_s, 2), ratio(x$stan_compile_s / x$flowc_compile_s),
                num(x$stan_sample_s, 2), num(x$flowc_sample_s, 2), num(x$stan_min_ess_bulk, 0),
                num(x$flowc_min_ess_bulk, 0), sig(x$stan_ess_per_s), sig(x$flowc_ess_per_s),
                ratio(x$flowc_ess_per_s / x$stan_ess_per_s), num(x$stan_us_per_gradient, 2),
                num(x$flowc_us_per_gradient, 2), ratio(x$stan_us_per_gradient / x$flowc_us_per_gradient),
                as.integer(x$stan_divergences), as.integer(x$flowc_divergences)))
  }
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 0) fail("usage: stan-side-by-side.R run ... | table RESULTS.csv")
switch(args[1],
       run = run(args[-1]),
       table = print_table(args[-1]),
       fail("unknown command ", args[1], " (run or table)"))
