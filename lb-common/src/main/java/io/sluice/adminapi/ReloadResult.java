package io.sluice.adminapi;

import java.util.List;

/** @param errors every config error as {@code file:line: key: message}, empty on success */
public record ReloadResult(boolean ok, String summary, List<String> errors) {}
