/** agent.yaml: immutable, validated records ({@link io.sluice.agent.config.AgentConfig}) and their loader. */
package io.sluice.agent.config;
