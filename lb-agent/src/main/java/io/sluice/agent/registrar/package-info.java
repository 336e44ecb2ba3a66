/**
 * The contract of one service instance in one registry, which {@code agent.consul} and
 * {@code agent.zookeeper} implement and the agent drives. Entry type: {@link io.sluice.agent.registrar.Registrar}.
 */
package io.sluice.agent.registrar;
