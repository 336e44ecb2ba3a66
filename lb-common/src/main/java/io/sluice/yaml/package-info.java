/**
 * The YAML kit shared by the daemon's config and agent.yaml: {@link io.sluice.yaml.YamlSource} composes
 * text into a node tree with lines, {@link io.sluice.yaml.YamlValue} and {@link io.sluice.yaml.YamlMapping}
 * convert nodes and report every problem to {@link io.sluice.yaml.Problems} as a
 * {@link io.sluice.yaml.ConfigError} ({@code file:line: key: message}, with "did you mean" hints).
 */
package io.sluice.yaml;
