/**
 * The admin HTTP API (docs/admin-api.md), status page and /metrics: {@link io.sluice.admin.AdminServer}
 * translates requests to {@link io.sluice.admin.AdminOperations} calls and the view records to JSON.
 */
package io.sluice.admin;
