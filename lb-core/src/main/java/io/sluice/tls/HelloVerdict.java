package io.sluice.tls;

/**
 * Where a tls listener's connection goes once {@link HelloRouting} has judged what its client
 * sent: a pool ({@link PoolChosen}) or a refusal ({@link HelloRefused}).
 */
public sealed interface HelloVerdict permits PoolChosen, HelloRefused {}
